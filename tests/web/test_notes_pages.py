"""Note pages, the home feed, interactions, search and notifications in the browser."""

from __future__ import annotations

import html
import io
import json
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Board, Comment, Note, Report
from app.services.social import engagement as interactions
from app.services.social.product_tags import TagInput
from tests.catalog_factories import make_shop
from tests.conftest import csrf_from
from tests.notes_factories import QueryCounter, image_bytes
from tests.web.test_auth import field_errors

pytest_plugins = ["tests.notes_fixtures", "tests.translation_server"]


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


@pytest.fixture
def other_shop(make_org, make_user):
    return make_shop(make_org, make_user, currency="CNY", country="CN")


def files(count: int) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(image_bytes()), f"photo{i}.jpg") for i in range(count)]


def compose(post_form, data: dict, images: int):
    return post_form("/notes/new", {**data, "images": files(images)},
                     content_type="multipart/form-data")


def press(client, url: str, page: str, **data):
    """Press a one-button form: load the page for its CSRF token, then POST."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def text(response) -> str:
    return response.get_data(as_text=True)


# Compose, show, edit, delete ----------------------------------------------------------------
def test_post_a_note_and_see_it(client, make_user, login, post_form):
    author = make_user(display_name="Xiao Hong")
    login(author)
    response = compose(post_form, {"title": "Lipsticks I love",
                                   "body": "Shade 999 #lipstick @nobody https://example.com/a",
                                   "cover_index": "2", "publish": "Publish"}, images=2)
    assert response.status_code == 303
    note = db.session.scalar(select(Note))
    assert response.headers["Location"] == f"/notes/{note.id}"
    assert note.cover_image.position == 1
    page = text(client.get(f"/notes/{note.id}"))
    assert "Lipsticks I love" in page and "Xiao Hong" in page
    assert re.search(r"<title>Lipsticks I love[^<]*</title>", page)
    assert page.count('class="note-image"') == 2
    # Linked once, in the text, not listed again below it.
    assert page.count('<a class="topic" href="/topics/lipstick">#lipstick</a>') == 1
    assert 'data-testid="note-topics"' not in page
    assert ('<a class="autolink" href="https://example.com/a" rel="nofollow noopener ugc" '
            'target="_blank">https://example.com/a</a>') in page
    assert 'href="/search?q=nobody&amp;type=users">@nobody</a>' in page


def test_script_in_a_body_or_comment_is_shown_as_text(client, make_user, login, post_form):
    author = make_user()
    login(author)
    compose(post_form, {"title": "<b>Bold</b> title",
                        "body": '<script>alert("x")</script> #tea <img src=x onerror=alert(1)>',
                        "publish": "Publish"}, images=1)
    note = db.session.scalar(select(Note))
    interactions.add_comment(author, note.id, "<script>alert('c')</script>")
    db.session.commit()
    page = text(client.get(f"/notes/{note.id}"))
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>Bold" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#39;c&#39;)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in page


def test_compose_errors_are_shown_on_the_form(client, make_user, login, post_form):
    login(make_user())
    response = compose(post_form, {"title": "", "body": "", "publish": "Publish"}, images=0)
    assert response.status_code == 422
    assert field_errors(text(response), "title") == ["Give the note a title."]
    response = compose(post_form, {"title": "No pictures", "publish": "Publish"}, images=0)
    assert response.status_code == 422
    assert field_errors(text(response), "images") == [
        "Add between 1 and 9 images (you sent 0)."]
    response = post_form("/notes/new", {"title": "Fake", "publish": "Publish", "images": [
        (io.BytesIO(b"not an image"), "fake.jpg")]}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_errors(text(response), "images") == [
        "Image 1 (fake.jpg): The file is not a JPEG, PNG or WebP image, or it is damaged."]
    assert db.session.scalar(select(func.count(Note.id))) == 0


def test_unverified_accounts_are_asked_to_confirm_first(client, make_user, login):
    login(make_user(verified=False))
    page = client.get("/notes/new")
    assert "Confirm your e-mail address to post notes." in text(page)
    assert 'data-testid="note-form"' not in text(page)


def test_save_a_draft_then_publish_it(client, make_user, login, post_form):
    author = make_user()
    login(author)
    compose(post_form, {"title": "Work in progress", "save_draft": "Save as draft"}, images=1)
    note = db.session.scalar(select(Note))
    assert note.status == "draft"
    assert "Draft — only you can see this note" in text(client.get(f"/notes/{note.id}"))
    assert client.get("/").status_code == 200 and "Work in progress" not in text(client.get("/"))
    response = post_form(f"/notes/{note.id}/edit", {"title": "Finished", "body": "",
                                                    "cover_index": "1", "publish": "Publish"},
                         content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Note, note.id).status == "published"


def test_only_the_author_can_edit_or_delete(app, client, make_user, login, make_note):
    author, intruder = make_user(), make_user()
    note = make_note(author, "Mine")
    login(intruder)
    assert client.get(f"/notes/{note.id}/edit").status_code == 403
    page = f"/notes/{note.id}"
    assert 'data-testid="delete-note"' not in text(client.get(page))
    assert press(client, f"/notes/{note.id}/delete", page).status_code == 403
    assert db.session.get(Note, note.id) is not None

    other = app.test_client()
    login(author, target=other)
    token = csrf_from(text(other.get(page)))
    response = other.post(f"/notes/{note.id}/delete", data={"csrf_token": token})
    assert response.status_code == 303
    assert db.session.get(Note, note.id) is None
    assert other.get(page).status_code == 404


# The home feed ------------------------------------------------------------------------------
def test_home_shows_note_cards_and_loads_more(client, make_user, quick_note):
    author = make_user(display_name="Chen Wei")
    for i in range(25):
        quick_note(author, f"Card {i}", age_hours=i, likes=3)
    db.session.commit()
    page = text(client.get("/"))
    assert page.count('class="note-card"') == 20
    assert "Card 0" in page and "Chen Wei" in page
    assert 'src="/media/notes/x/fake-thumb.webp"' in page
    assert '<span class="count">3</span>' in page
    more = re.search(r'data-load-more="([^"]+)"', page).group(1).replace("&amp;", "&")
    fragment = text(client.get(more))
    assert fragment.count('class="note-card"') == 5 and "Card 24" in fragment
    assert "data-more" not in fragment
    assert 'src="/static/js/feed.js"' in page


def test_feed_page_and_api_use_a_constant_number_of_queries(client, make_user, login,
                                                             quick_note):
    viewer, author = make_user(), make_user()
    login(viewer)
    for i in range(3):
        quick_note(author, f"Few {i}", language="zh")
    db.session.commit()
    with QueryCounter() as few:
        assert client.get("/").status_code == 200
    for i in range(40):
        quick_note(make_user(), f"Many {i}", language="en" if i % 2 else "zh")
    interactions.like_note(viewer, quick_note(author, "Liked").id)
    db.session.commit()
    with QueryCounter() as many:
        assert client.get("/").status_code == 200
    assert many.count == few.count, many.statements


def test_following_tab(client, make_user, login, quick_note):
    me, followed = make_user(), make_user()
    quick_note(followed, "From a friend")
    quick_note(make_user(), "From a stranger")
    db.session.commit()
    assert "to see notes from the people you follow" in text(client.get("/?tab=following"))
    login(me)
    assert "Nothing here yet" in text(client.get("/?tab=following"))
    interactions.follow_user(me, followed.id)
    db.session.commit()
    page = text(client.get("/?tab=following"))
    assert "From a friend" in page and "From a stranger" not in page


# Interactions -------------------------------------------------------------------------------
def test_like_collect_comment_reply_and_follow(client, make_user, login, quick_note):
    author, fan = make_user(display_name="Author"), make_user(display_name="Fan")
    note = quick_note(author, "Tea set")
    db.session.commit()
    url = f"/notes/{note.id}"
    login(fan)
    assert press(client, f"{url}/like", url).status_code == 303
    assert 'data-testid="unlike"' in text(client.get(url))
    # Collect is a button opening a picker of the viewer's boards (none yet but the default).
    page = text(client.get(url))
    assert re.findall(r'data-testid="board-choice">([^<]+)<', page) == ["Saved (default)"]
    assert '<details class="collect-box" data-testid="collect-box">' in page  # closed
    assert press(client, f"{url}/collect", url, new_board="Gift ideas",
                 new_board_private="y").headers["Location"] == url
    board = db.session.scalar(select(Board).where(Board.name == "Gift ideas"))
    assert board.is_private and board.note_count == 1
    press(client, f"{url}/comments", url, body="Where is it from?")
    top = db.session.scalar(select(Comment))
    press(client, f"{url}/comments", url, body="Yunnan!", parent_id=str(top.id))
    press(client, f"/u/{author.id}/follow", url, next=url)
    page = text(client.get(url))
    assert "♥ Liked · 1" in page and "★ Collected · 1" in page
    assert "Where is it from?" in page and "Yunnan!" in page
    assert 'data-testid="unfollow"' in page
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == top.id))
    assert reply.body == "Yunnan!"


def test_report_a_note(client, make_user, login, quick_note):
    note = quick_note(make_user())
    db.session.commit()
    login(make_user())
    url = f"/notes/{note.id}"
    response = press(client, f"/report/note/{note.id}", url, reason="counterfeit",
                     details="Fake", next=url)
    assert response.status_code == 303
    assert "The moderators will look at it" in text(client.get(url))
    press(client, f"/report/note/{note.id}", url, reason="spam", next=url)
    assert "You have already reported this." in text(client.get(url))
    assert db.session.scalar(select(func.count(Report.id))) == 1


def test_guests_see_counts_and_a_login_link(client, make_user, quick_note):
    note = quick_note(make_user(), likes=4)
    db.session.commit()
    page = text(client.get(f"/notes/{note.id}"))
    assert "♥ 4" in page and "Log in to like, collect and comment" in page
    assert client.post(f"/notes/{note.id}/like").status_code in (302, 400)


# Profiles, topics, boards, search -----------------------------------------------------------
def test_profile_shows_drafts_only_to_the_owner(app, client, make_user, login, quick_note):
    author = make_user(display_name="Creator")
    quick_note(author, "Public one")
    quick_note(author, "Secret draft", status="draft")
    db.session.commit()
    page = text(client.get(f"/u/{author.id}"))
    assert "Public one" in page and "Secret draft" not in page
    login(author)
    assert "Secret draft" in text(client.get(f"/u/{author.id}"))


def test_private_boards_are_hidden_from_others(client, make_user, login, quick_note):
    owner = make_user()
    board = interactions.create_board(owner, "Secret stash")
    interactions.collect_note(owner, quick_note(make_user(), "Stashed").id, board.id)
    db.session.commit()
    assert client.get(f"/boards/{board.id}").status_code == 404
    login(owner)
    assert "Stashed" in text(client.get(f"/boards/{board.id}"))


def test_topic_page(client, make_user, make_note):
    make_note(make_user(), "Matcha", "#抹茶 season")
    page = client.get("/topics/抹茶")
    assert page.status_code == 200 and "Matcha" in text(page)
    assert client.get("/topics/nothing-here").status_code == 404


def test_search_page(client, make_user, quick_note):
    quick_note(make_user(), "这支口红太好看了", language="zh")
    make_user(display_name="Lipstick Lover")
    db.session.commit()
    assert "这支口红太好看了" in text(client.get("/search?q=口红"))
    assert "Lipstick Lover" in text(client.get("/search?q=lipstick&type=users"))
    assert "Type something to search for." not in text(client.get("/search"))
    assert "Type something to search for." in text(client.get("/search?q=%23"))


# Notifications ------------------------------------------------------------------------------
def test_notifications_badge_list_and_mark_read(client, make_user, login, quick_note):
    author, fan = make_user(), make_user(display_name="Big Fan")
    note = quick_note(author, "Popular")
    interactions.like_note(fan, note.id)
    interactions.follow_user(fan, author.id)
    db.session.commit()
    login(author)
    home = text(client.get("/"))
    assert '<span class="badge unread-count">2</span>' in home
    page = text(client.get("/notifications"))
    assert "Big Fan" in page and "liked your note" in page and "started following you" in page
    press(client, "/notifications/read", "/notifications")
    assert "unread-count" not in text(client.get("/"))


# Translation --------------------------------------------------------------------------------
def test_without_a_provider_the_note_page_says_so_instead_of_a_link(client, make_user,
                                                                    quick_note):
    note = quick_note(make_user(), "这支口红太好看了", "颜色很正", language="zh")
    db.session.commit()
    page = text(client.get(f"/notes/{note.id}"))
    assert "See translation" not in page
    assert page.count('data-testid="translation-off"') == 1


def test_see_translation_with_the_loopback_provider(client, make_user, quick_note,
                                                    libretranslate):
    chinese = quick_note(make_user(), "这支口红太好看了", "颜色很正", language="zh")
    english = quick_note(make_user(), "Lipsticks I love", language="en")
    db.session.commit()
    assert "See translation" not in text(client.get(f"/notes/{english.id}"))
    page = text(client.get(f"/notes/{chinese.id}"))
    assert f'href="/translations/note/{chinese.id}?next=/notes/{chinese.id}"' in page
    translated = text(client.get(f"/translations/note/{chinese.id}?next=/notes/{chinese.id}"))
    assert "[en] 这支口红太好看了" in translated and "[en] 颜色很正" in translated


def test_tag_a_product_from_the_compose_form_and_tap_it(client, login, post_form, shop,
                                                        other_shop):
    mine = shop.add_product(skus=("TEE-1",), title="Cotton tee")
    theirs = other_shop.add_product(skus=("MUG-1",), title="Tea mug")
    login(shop.owner)
    response = compose(post_form, {
        "title": "Outfit", "publish": "Publish",
        "tags-0-product_id": str(mine.id), "tags-0-image": "2", "tags-0-x": "25",
        "tags-0-y": "75.5",
        "tags-1-other_product_id": str(theirs.id), "tags-1-image": "1"}, images=2)
    assert response.status_code == 303, field_errors(text(response), "tags-0-product_id")
    note = db.session.scalar(select(Note))
    assert [(t.product_id, t.image_position, t.x, t.y, t.is_affiliate)
            for t in note.product_tags] == [(theirs.id, 0, 50.0, 50.0, True),
                                            (mine.id, 1, 25.0, 75.5, False)]
    page = text(client.get(f"/notes/{note.id}"))
    assert page.count('data-testid="product-pin"') == 2
    assert "Cotton tee" in page and "Tea mug" in page
    tag = note.product_tags[1]
    tap = client.get(f"/t/{tag.id}")
    assert tap.status_code == 303
    assert f"/products/{mine.id}" in tap.headers["Location"]
    db.session.refresh(tag)
    assert tag.click_count == 1


def test_a_note_leaves_out_tagged_listings_moderation_hides(client, login, post_form, shop):
    held = shop.add_product(skus=("HELD-1",), title="Held candle")
    hidden = shop.add_product(skus=("HID-1",), title="Restricted balm")
    shown = shop.add_product(skus=("OK-1",), title="Cotton tee")
    login(shop.owner)
    compose(post_form, {
        "title": "Shelf", "publish": "Publish",
        "tags-0-product_id": str(held.id), "tags-0-image": "1",
        "tags-1-product_id": str(hidden.id), "tags-1-image": "1",
        "tags-2-product_id": str(shown.id), "tags-2-image": "1"}, images=1)
    note = db.session.scalar(select(Note))
    held.moderation_state = "held"
    hidden.hidden_markets = ",US,"
    db.session.commit()
    page = text(client.get(f"/notes/{note.id}", headers={"Cookie": ""}))
    assert page.count('data-testid="product-pin"') == 1
    assert "Cotton tee" in page
    assert "Held candle" not in page and "Restricted balm" not in page


def test_a_bad_tag_row_is_reported_on_the_form(login, post_form, shop):
    mine = shop.add_product(skus=("TEE-1",))
    login(shop.owner)
    response = compose(post_form, {"title": "Outfit", "publish": "Publish",
                                   "tags-0-product_id": str(mine.id), "tags-0-image": "3"},
                       images=2)
    assert response.status_code == 422
    assert "Tag 1: it points at an image the note does not have (the note has 2)." in text(response)
    assert db.session.scalar(select(func.count(Note.id))) == 0


def test_editing_keeps_every_tag(client, login, post_form, shop):
    products = [shop.add_product(skus=(f"SKU-{i}",), title=f"Item {i}") for i in range(4)]
    from app.services.social import notes as notes_service
    from tests.notes_factories import uploads

    note = notes_service.create_note(shop.owner, title="Four pins", body="", images=uploads(1),
                                     product_tags=[TagInput(0, 10 * i, 10, p.id)
                                                   for i, p in enumerate(products)])
    db.session.commit()
    login(shop.owner)
    form_page = text(client.get(f"/notes/{note.id}/edit"))
    assert form_page.count('data-testid="tag-row"') == 5
    data = {"title": "Four pins, edited", "body": "", "cover_index": "1", "publish": "Publish"}
    for i, product in enumerate(products):
        data |= {f"tags-{i}-product_id": str(product.id), f"tags-{i}-image": "1",
                 f"tags-{i}-x": str(10 * i), f"tags-{i}-y": "10"}
    response = post_form(f"/notes/{note.id}/edit", data, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    assert len(db.session.get(Note, note.id).product_tags) == 4


def test_buy_from_the_note_with_attribution(client, make_user, login, post_form, shop):
    from app.models import CartItem
    from app.services.social import notes as notes_service
    from tests.notes_factories import uploads

    single = shop.add_product(skus=("MUG-1",), title="Tea mug", stock={"MUG-1": {shop.us: 5}})
    sized = shop.add_product(skus=("TEE-S", "TEE-M"), title="Cotton tee",
                             stock={"TEE-S": {shop.us: 5}})
    sized.variants[1].price_minor = 2999  # M costs more than S (19.99)
    note = notes_service.create_note(
        shop.owner, title="Morning tea", body="", images=uploads(1),
        product_tags=[TagInput(0, 10, 10, single.id),
                      TagInput(0, 50, 50, sized.id)])
    db.session.commit()
    login(make_user(ship_to_country="US"))
    page = text(client.get(f"/notes/{note.id}"))
    # The one-variant product: in the product list and in its tag's sheet.
    assert page.count('data-testid="note-add-to-cart"') == 2
    # The tag says "From" when the sizes cost differently, as the product card does: in the
    # list, on the bubble on the image and in the sheet the bubble opens.
    for where in ("tag-price", "bubble-price", "sheet-price"):
        assert re.findall(rf'data-testid="{where}">([^<]+)<', page) == [
            "$19.99", "From $19.99"], where
    bubbles = re.findall(r'<a class="tag-bubble[^"]*"[^>]*data-sheet="(tag-sheet-\d+)"', page)
    assert bubbles == [f"tag-sheet-{tag.id}" for tag in note.product_tags]
    assert all(f'<dialog class="product-sheet" id="{sheet}"' in page for sheet in bubbles)
    assert 'class="tag-name" lang="en">Tea mug</span>' in page
    choose = note.product_tags[1]
    assert f'href="/t/{choose.id}" data-testid="note-choose-options"' in page

    response = post_form("/cart/items", {"variant_id": str(single.variants[0].id),
                                         "quantity": "1", "note_id": str(note.id),
                                         "add": "1", "next": f"/notes/{note.id}"})
    assert response.status_code == 303
    item = db.session.scalar(select(CartItem))
    assert (item.variant_id, item.quantity, item.note_id) == (single.variants[0].id, 1, note.id)


def test_the_tap_to_tag_editor_gets_the_note_s_tags_and_sends_them_as_json(
        client, login, post_form, shop, other_shop):
    from app.services.social import notes as notes_service
    from tests.notes_factories import uploads

    mine = shop.add_product(skus=("TEE-1",), title="Cotton tee")
    theirs = other_shop.add_product(skus=("MUG-1",), title="Tea mug")
    note = notes_service.create_note(shop.owner, title="Outfit", body="", images=uploads(2),
                                     product_tags=[TagInput(1, 25, 75.5, mine.id)])
    db.session.commit()
    login(shop.owner)
    form_page = text(client.get(f"/notes/{note.id}/edit"))
    # The editor starts from the note's tags (titles included) and its two photos.
    existing = re.search(r'data-existing="([^"]*)"', form_page).group(1)
    assert json.loads(html.unescape(existing)) == [
        {"image_index": 1, "x": 25.0, "y": 75.5, "product_id": mine.id, "title": "Cotton tee"}]
    assert form_page.count("data-note-image=") == 2
    assert 'data-search-url="/api/v1/search"' in form_page
    # What the editor posts: the tags as JSON, titles riding along; the rows stay empty.
    tags = [{"image_index": 0, "x": 40, "y": 60, "product_id": theirs.id, "title": "Tea mug"},
            {"image_index": 1, "x": 25, "y": 75.5, "product_id": mine.id, "title": "Cotton tee"}]
    response = post_form(f"/notes/{note.id}/edit", {
        "title": "Outfit", "body": "", "cover_index": "1", "publish": "Publish",
        "tags_json": json.dumps(tags)}, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    assert [(t.product_id, t.image_position, t.x, t.y, t.is_affiliate)
            for t in db.session.get(Note, note.id).product_tags] == [
        (theirs.id, 0, 40.0, 60.0, True), (mine.id, 1, 25.0, 75.5, False)]
