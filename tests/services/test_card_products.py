"""A feed card's product strip: the first tagged product the viewer may see, its title in
their language, its photo, its price in their currency by the product card's "from" rule,
and how many more products the note tags; one statement for a whole page."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.money import Money
from app.services import catalog
from app.services.fx import conversion as fx
from app.services.social import feed
from tests.card_product_factories import tag, tagged_product
from tests.catalog_factories import make_shop
from tests.notes_factories import QueryCounter

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


@pytest.fixture
def yen(make_user):
    """USD converts to JPY at 150 (plus the house's conversion fee)."""
    fx.set_manual_rate(make_user(roles=("admin",)), "USD", "JPY", "150")
    db.session.flush()


def strips(notes, *, language="en", currency="USD", country="US"):
    """The strips of `notes` loaded as every feed loads them."""
    db.session.expire_all()
    loaded = feed.load_notes([n.id for n in notes])
    return catalog.card_products(loaded, language=language, currency=currency,
                                 country=country, market=country)


@pytest.mark.usefixtures("yen")
def test_the_first_product_in_the_viewers_language_and_currency(shop, make_user, quick_note):
    tea = tagged_product(shop, "Oolong tea", ["12.00"], title_zh="乌龙茶")
    cup = tagged_product(shop, "Cup", ["5.00"], photo=False)
    note, plain = quick_note(make_user(), "Tea time"), quick_note(make_user(), "No tags")
    tag(note, tea, cup, tea)

    shown = strips([note, plain], language="zh", currency="JPY", country="JP")
    assert set(shown) == {note.id}
    strip = shown[note.id]
    assert strip.tag.product_id == tea.id and strip.title == "乌龙茶"
    # 12.00 USD x 150 x 1.015 (the conversion fee), rounded once to whole yen.
    assert strip.price == Money(1827, "JPY") and not strip.price_is_from
    assert strip.photo is not None and strip.photo.keys["thumb"].endswith(".webp")
    assert strip.more == 1  # the cup; the tea tagged twice counts once

    assert strips([note])[note.id].title == "Oolong tea"
    assert strips([note])[note.id].price == Money(1200, "USD")


@pytest.mark.usefixtures("yen")
def test_from_price_when_variants_differ_and_a_fixed_price_wins(shop, make_user, quick_note):
    scarf = tagged_product(shop, "Scarf", ["30.00", "20.00"])
    mug = tagged_product(shop, "Mug", ["12.00"], fixed_jpy="1500")
    varied, fixed = quick_note(make_user(), "Scarves"), quick_note(make_user(), "Mugs")
    tag(varied, scarf)
    tag(fixed, mug)

    in_dollars = strips([varied])[varied.id]
    assert in_dollars.price == Money(2000, "USD") and in_dollars.price_is_from
    in_yen = strips([varied, fixed], currency="JPY", country="JP")
    assert in_yen[varied.id].price == Money(3045, "JPY") and in_yen[varied.id].price_is_from
    assert in_yen[fixed.id].price == Money(1500, "JPY") and not in_yen[fixed.id].price_is_from


def test_products_the_viewer_may_not_see_are_left_out(shop, make_org, make_user, quick_note):
    draft = tagged_product(shop, "Draft", ["1.00"])
    draft.status = "draft"
    held = tagged_product(shop, "Held", ["1.00"])
    held.moderation_state = "held"
    hidden_in_japan = tagged_product(shop, "Hidden in Japan", ["1.00"])
    hidden_in_japan.hidden_markets = ",JP,"
    restricted_in_japan = tagged_product(shop, "Restricted in Japan", ["1.00"])
    restricted_in_japan.restricted_countries = ["JP"]
    home_shop = make_shop(make_org, make_user)
    home_shop.store.sells_to = ["US"]
    us_only = tagged_product(home_shop, "US only", ["1.00"])
    fan = tagged_product(shop, "Fan", ["1.00"])
    note, unseen = quick_note(make_user(), "Everything"), quick_note(make_user(), "Drafts")
    tag(note, draft, held, hidden_in_japan, restricted_in_japan, us_only, fan)
    tag(unseen, draft, held)

    in_japan = strips([note, unseen], country="JP")
    assert set(in_japan) == {note.id}
    assert in_japan[note.id].tag.product_id == fan.id and in_japan[note.id].more == 0
    at_home = strips([note, unseen], country="US")[note.id]
    assert at_home.tag.product_id == hidden_in_japan.id and at_home.more == 3


@pytest.mark.usefixtures("yen")
def test_a_page_of_strips_costs_one_statement_and_a_rate_lookup(shop, make_org, make_user,
                                                                 quick_note):
    def cost(notes) -> int:
        db.session.expire_all()
        loaded = feed.load_notes([n.id for n in notes])
        with QueryCounter(cold=True) as queries:
            shown = catalog.card_products(loaded, language="en", currency="JPY",
                                          country="JP", market="JP")
        assert len(shown) == len(notes)
        return queries.count

    author = make_user()
    few = [quick_note(author, "One")]
    tag(few[0], tagged_product(shop, "First", ["1.00"]))
    many = list(few)
    other = make_shop(make_org, make_user)
    for n in range(8):
        note = quick_note(author, f"Note {n}")
        tag(note, tagged_product(shop if n % 2 else other, f"Product {n}", ["2.00", "3.00"],
                                 fixed_jpy="300" if n % 3 == 0 else None),
            tagged_product(shop, f"Second {n}", ["4.00"]))
        many.append(note)
    # The variants, fixed prices and photos; read cold, the kept-reads tokens and the
    # USD -> JPY rate (app.core.cache_versions).
    assert cost(few) == cost(many) == 3
