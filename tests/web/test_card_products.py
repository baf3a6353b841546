"""Feed cards show the first tagged product the viewer may see (photo, title in their
language, price in their currency, "+N"), on Discover, search and profiles and in the feed
API, without costing Discover statements, and never stale from the page cache."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

from app.extensions import db
from app.services.catalog import products as catalog
from app.services.fx import conversion as fx
from tests.card_product_factories import tag, tagged_product
from tests.catalog_factories import make_shop
from tests.conftest import csrf_from
from tests.notes_factories import QueryCounter

pytest_plugins = ["tests.notes_fixtures"]

STRIP = re.compile(r'<a class="card-product" href="([^"]+)".*?</a>', re.S)
PRICE = re.compile(r'data-testid="card-product-price">([^<]+)<')


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


@pytest.fixture
def tea_note(shop, make_user, quick_note):
    """A note tagging a tea (12.00 USD, 乌龙茶 in Chinese) and a cup (5.00 to 7.00 USD)."""
    tea = tagged_product(shop, "Oolong tea", ["12.00"], title_zh="乌龙茶")
    cup = tagged_product(shop, "Cup", ["7.00", "5.00"])
    note = quick_note(make_user(display_name="Lin"), "Tea time")
    tag(note, tea, cup)
    quick_note(make_user(), "Nothing tagged", age_hours=1)
    db.session.commit()
    return note


def in_japan(client, make_user, locale: str = "zh") -> None:
    """The guest reads Qiao in `locale`, prices in JPY (150 per USD), ships to Japan."""
    fx.set_manual_rate(make_user(roles=("admin",)), "USD", "JPY", "150")
    db.session.commit()
    token = csrf_from(client.get("/shop").get_data(as_text=True))
    client.post("/preferences", data={"locale": locale, "currency": "JPY",
                                      "ship_to_country": "JP", "csrf_token": token})
    client.get("/shop")  # the flash message "saved": the next page may be cached


def text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_discover_cards_show_the_product_in_the_viewers_language_and_currency(
        client, make_user, tea_note):
    in_japan(client, make_user)
    page = text(client.get("/"))
    (strip,) = STRIP.findall(page)  # the untagged note has none
    tag_id = tea_note.product_tags[0].id
    assert strip == f"/t/{tag_id}"
    card = STRIP.search(page).group(0)
    # 12.00 USD x 150 x 1.015 (the conversion fee), in whole yen; one price: no "起".
    assert "乌龙茶" in card and PRICE.search(card).group(1) == "JP¥1,827"
    assert 'src="/media/' in card and 'alt=""' in card
    assert "+1" in card and "另有 1 件商品" in card and "Oolong tea" not in card
    opened = client.get(strip)  # the tag: counted, then the product, credited to the note
    assert opened.status_code == 303 and opened.location.endswith(
        f"/products/{tea_note.product_tags[0].product_id}?note={tea_note.id}")


def test_the_from_rule_and_english(client, make_user, shop, quick_note):
    scarf = tagged_product(shop, "Scarf", ["30.00", "20.00"])
    tag(quick_note(make_user(), "Scarves"), scarf)
    db.session.commit()
    in_japan(client, make_user, locale="en")
    card = STRIP.search(text(client.get("/"))).group(0)
    assert "Scarf" in card and PRICE.search(card).group(1) == "From JP¥3,045"
    assert "card-product-more" not in card


def test_search_and_profile_cards_carry_the_product(client, make_user, tea_note):
    in_japan(client, make_user)
    for url in ("/search?q=Tea", f"/u/{tea_note.author_id}"):
        card = STRIP.search(text(client.get(url))).group(0)
        assert "乌龙茶" in card and PRICE.search(card).group(1) == "JP¥1,827", url


def test_a_product_not_sold_in_the_viewers_country_is_not_shown(client, make_user, shop,
                                                                 tea_note):
    shop.store.sells_to = ["US"]
    db.session.commit()
    assert len(STRIP.findall(text(client.get("/")))) == 1  # a US guest
    in_japan(client, make_user)
    assert STRIP.findall(text(client.get("/"))) == []


def test_product_strips_cost_discover_a_fixed_number_of_statements(
        client, make_user, login, shop, make_org, quick_note):
    """Strips with products of two stores, converted to the viewer's yen, cost the same for
    one card as for a page of them, and two statements more than cards without products:
    the prices and photos (the products come with the tags) and the one rate. The notes'
    loads save two statements (author and co-author joined), so Discover costs no more than
    before cards showed products (17 statements here, 13 since the cards' notes leave
    topics and roles out and the header reads in two statements).
    """
    viewer = make_user()
    viewer.currency, viewer.ship_to_country = "JPY", "JP"
    login(viewer)
    fx.set_manual_rate(make_user(roles=("admin",)), "USD", "JPY", "150")
    for n in range(12):
        quick_note(make_user(), f"Plain {n}")
    db.session.commit()

    def statements(strips: int) -> int:
        with QueryCounter(cold=True) as queries:
            assert text(client.get("/")).count('class="card-product"') == strips
        return queries.count

    untagged = statements(0)
    tag(quick_note(make_user(), "Tagged"), tagged_product(shop, "First", ["1.00"]))
    db.session.commit()
    few = statements(1)
    other = make_shop(make_org, make_user)
    for n in range(12):
        tag(quick_note(make_user(), f"Tagged {n}"),
            tagged_product(shop if n % 2 else other, f"Product {n}", ["2.00", "3.00"]),
            tagged_product(shop, f"Second {n}", ["4.00"]))
    db.session.commit()
    # The strips' statement, then (cold) the kept-reads tokens and the USD -> JPY rate.
    assert statements(13) == few == untagged + 3


@pytest.mark.usefixtures("cache_on")
def test_a_price_change_reaches_the_cached_card_at_once(client, make_user, shop, tea_note):
    in_japan(client, make_user)
    assert PRICE.search(text(client.get("/"))).group(1) == "JP¥1,827"
    assert PRICE.search(text(client.get("/"))).group(1) == "JP¥1,827"  # from the cache
    tea = tea_note.product_tags[0].product
    catalog.update_product(shop.owner, shop.store.id, tea.id, {"variants": [
        {"id": tea.variants[0].id, "sku": tea.variants[0].sku, "price": "10.20",
         "options": {"Size": "S0"}}]})
    db.session.commit()
    assert PRICE.search(text(client.get("/"))).group(1) == "JP¥1,553"
    feed_item = client.get("/api/v1/feed").get_json()["items"][0]
    assert feed_item["card_product"]["price"] == {"amount": "1553", "currency": "JPY"}


@pytest.fixture
def cache_on(app):
    app.config["PAGE_CACHE_SECONDS"] = 30
    app.extensions.pop("qiao_page_store", None)
    yield
    app.config["PAGE_CACHE_SECONDS"] = 0
    app.extensions.pop("qiao_page_store", None)


def test_feed_api_items_carry_the_card_product(client, tea_note):
    items = {item["id"]: item for item in client.get("/api/v1/feed").get_json()["items"]}
    strip = items[tea_note.id]["card_product"]
    tag_id = tea_note.product_tags[0].id
    assert strip["product_id"] == tea_note.product_tags[0].product_id
    assert strip["title"] == "Oolong tea" and strip["more"] == 1
    assert strip["price"] == {"amount": "12.00", "currency": "USD"}
    assert strip["price_is_from"] is False and strip["tag_id"] == tag_id
    assert strip["url"].endswith(f"/t/{tag_id}") and strip["thumbnail_url"]
    (plain,) = [item for note_id, item in items.items() if note_id != tea_note.id]
    assert plain["card_product"] is None

    document = client.get("/api/v1/openapi.json").get_json()
    note_schema = {"$ref": "#/components/schemas/Note", "components": document["components"]}
    for item in items.values():
        Draft202012Validator(note_schema).validate(item)
