"""Pages with a Celery broker: what waits for screening is shown to its author only."""

from __future__ import annotations

import pytest

from app.core.transaction import commit
from app.extensions import celery, db
from app.providers.moderation import set_moderation_providers
from app.services.accounts.profiles import update_profile
from app.services.catalog import products as catalog
from app.services.social.engagement import add_comment
from app.tasks.moderation import screen_content_task
from tests.catalog_factories import make_shop
from tests.moderation_factories import providers

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture(autouse=True)
def _rules_only(app):
    set_moderation_providers(providers())
    yield
    set_moderation_providers(None)


def queued(work):
    """Run `work` and commit with jobs left on the (in-memory) broker, not run."""
    celery.conf.task_always_eager = False
    try:
        result = work()
        commit()
    finally:
        celery.conf.task_always_eager = True
    return result


def test_a_pending_comment_shows_on_the_note_page_to_its_author_only(client, login,
                                                                       quick_note, make_user):
    note = quick_note(make_user(), title="Matcha latte at home")
    writer = make_user()
    comment = queued(lambda: add_comment(writer, note.id, "Which whisk do you use?"))

    assert "Which whisk do you use?" not in client.get(f"/notes/{note.id}").get_data(
        as_text=True)
    login(writer)
    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "Which whisk do you use?" in page and 'data-testid="comment-pending"' in page

    screen_content_task("comment", comment.id)
    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "Which whisk do you use?" in page and 'data-testid="comment-pending"' not in page


def test_a_pending_bio_is_hidden_from_others_until_screened(client, make_user):
    person = make_user()
    queued(lambda: update_profile(person, display_name="Mia", bio="Tea reviews every Sunday.",
                                  home_country="US", languages=["en"]))

    assert "Tea reviews every Sunday." not in client.get(f"/u/{person.id}").get_data(
        as_text=True)
    screen_content_task("profile", person.id)
    assert "Tea reviews every Sunday." in client.get(f"/u/{person.id}").get_data(as_text=True)


def test_a_pending_product_says_so_in_the_merchant_portal(client, login, make_org, make_user):
    shop = make_shop(make_org, make_user)
    product = queued(lambda: catalog.create_product(shop.owner, shop.store.id, {
        "title": "Longjing green tea", "description": "Spring harvest.",
        "category": "tea_coffee", "hs_code": "0902.10", "origin_country": "cn",
        "weight_grams": 120, "status": "active",
        "variants": [{"sku": "LJ-50", "price": "38.50"}]}))
    login(shop.owner)
    listing = f"/merchant/stores/{shop.store.id}/products"
    page_url = f"{listing}/{product.id}"
    badge = 'data-testid="moderation-state" data-state="pending"'

    row = client.get(listing).get_data(as_text=True).split(f'data-product="{product.id}"')[1]
    assert badge in row.split("</tr>")[0] and "Waiting for screening" in row
    page = client.get(page_url).get_data(as_text=True)
    assert badge in page and 'data-testid="screening-notice"' in page
    shop.owner.locale = "zh"
    db.session.commit()
    chinese = client.get(page_url).get_data(as_text=True)
    assert "等待自动审核" in chinese and "自动审核完成后" in chinese
    assert "Waiting for screening" not in chinese
    shop.owner.locale = "en"
    db.session.commit()

    screen_content_task("product", product.id)
    assert 'data-testid="moderation-state"' not in client.get(listing).get_data(as_text=True)
    assert 'data-testid="screening-notice"' not in client.get(page_url).get_data(as_text=True)
