"""A creator's sales through their notes, in their account: a co-created note's half."""

from __future__ import annotations

from app.extensions import db
from app.services.social import coauthoring

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server",
                  "tests.notes_fixtures"]


def test_a_co_author_sees_their_half_of_a_co_created_notes_sales_in_chinese(
        client, login, post_form, make_checkout_shop, make_sandbox_order, make_user, make_note):
    shop = make_checkout_shop(currency="USD", country="US", price="25.01", stock=5)
    author = make_user(display_name="Ava Reed", home_country="US")
    coauthor = make_user(display_name="小林", home_country="CN", locale="zh")
    note = make_note(author, title="Tea around the world", publish=False)
    coauthoring.invite_coauthor(author, note.id, coauthor.id)
    coauthoring.respond_to_invitation(coauthor, note.id, accept=True)
    coauthoring.agree_to_publish(author, note.id)
    coauthoring.agree_to_publish(coauthor, note.id)
    db.session.commit()
    make_sandbox_order(shop, 1, currency="USD", country="US", note_id=note.id)

    login(coauthor)
    page = client.get("/account/sales").get_data(as_text=True)
    assert "我的笔记带来的销售" in page
    notes = page[page.index('data-testid="my-sales-notes"'):]
    assert "Tea around the world" in notes and "与 Ava Reed 分享" in notes
    # 25.01 split: the co-author half rounded down, 12.50.
    assert "12.50" in notes and "12.51" not in notes

    post_form("/auth/logout", {}, page="/account/sales")
    login(author)
    page = client.get("/account/sales").get_data(as_text=True)
    assert "12.51" in page[page.index('data-testid="my-sales-notes"'):]
