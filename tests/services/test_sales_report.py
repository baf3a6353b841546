"""A store's sales dashboard figures: store currency, refunds and net, markets, notes."""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.models import utcnow
from app.services.errors import NotFound
from app.services.orders import sales
from app.services.orders.lifecycle import in_store_currency, settlement
from app.services.payments import refunds
from tests.notes_factories import QueryCounter

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server",
                  "tests.notes_fixtures"]


@pytest.fixture
def buy(make_sandbox_order):
    def purchase(shop, quantity, *, currency, country, note_id=None):
        return make_sandbox_order(shop, quantity, currency=currency, country=country,
                               note_id=note_id)

    return purchase


def goods_and_shipping(order) -> int:
    return in_store_currency(order.items_minor + order.shipping_minor, order.currency,
                             Decimal(order.fx_rate), order.store_currency)


def test_report_counts_both_markets_refunds_and_notes_in_store_currency(
        buy, make_checkout_shop, make_user, make_note):
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=20)
    creator = make_user(display_name="Mei the creator")
    note = make_note(creator, title="Autumn tea", product_tags=[])
    at_home = buy(shop, 2, currency="USD", country="US", note_id=note.id)
    abroad = buy(shop, 1, currency="JPY", country="JP")
    line = at_home.lines[0]
    made = refunds.request_refund(shop.owner, shop.store.id, at_home.id,
                                  refunds.RefundRequest(lines=[(line.id, 1)]))
    db.session.commit()
    refunds.submit_refund(made, shop.owner)
    db.session.commit()

    today = utcnow().date()
    report = sales.sales_report(shop.owner, shop.store.id, first_day=today - timedelta(days=6),
                                last_day=today, zone=UTC)
    assert report.currency == "USD" and report.orders == 2 and len(report.days) == 7
    assert report.sales.minor == goods_and_shipping(at_home) + goods_and_shipping(abroad)
    assert report.refunded.minor == made.amount_minor == line.unit_price_minor + \
        line.tax_minor // 2  # the unit and its half of New York's sales tax
    assert report.net.minor == settlement(at_home).net.minor + settlement(abroad).net.minor
    assert report.days[-1].orders == 2 and report.days[-1].net == report.net
    assert {(s.key, s.orders) for s in report.by_market} == {("US", 1), ("JP", 1)}
    assert {(s.key, s.orders) for s in report.by_currency} == {("USD", 1), ("JPY", 1)}
    assert [(p.label, p.units) for p in report.top_products] == [(line.title, 3)]
    assert (report.from_notes.orders, report.from_notes.units) == (1, 2)
    assert [(c.label, c.orders) for c in report.top_creators] == [("Mei the creator", 1)]


def test_days_are_the_merchants_days(buy, make_checkout_shop):
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=5)
    order = buy(shop, 1, currency="USD", country="US")
    zone = ZoneInfo("Pacific/Kiritimati")  # UTC+14: usually already tomorrow there
    local_day = order.created_at.astimezone(zone).date()
    report = sales.sales_report(shop.owner, shop.store.id, first_day=local_day,
                                last_day=local_day, zone=zone)
    assert [d.orders for d in report.days] == [1]
    yesterday = local_day - timedelta(days=1)
    assert sales.sales_report(shop.owner, shop.store.id, first_day=yesterday,
                              last_day=yesterday, zone=zone).orders == 0


def test_an_empty_period_and_a_reversed_or_overlong_one(make_checkout_shop):
    shop = make_checkout_shop(currency="JPY", country="JP", with_product=False)
    today = utcnow().date()
    report = sales.sales_report(shop.owner, shop.store.id, first_day=today, last_day=today,
                                zone=UTC)
    assert (report.orders, report.sales.minor, report.by_market) == (0, 0, [])
    reversed_range = sales.sales_report(shop.owner, shop.store.id, first_day=today,
                                        last_day=today - timedelta(days=5), zone=UTC)
    assert len(reversed_range.days) == 1
    overlong = sales.sales_report(shop.owner, shop.store.id,
                                  first_day=today - timedelta(days=5000), last_day=today,
                                  zone=UTC)
    assert len(overlong.days) == sales.MAX_DAYS


def test_only_the_stores_staff_see_it(make_checkout_shop, make_user):
    shop = make_checkout_shop(currency="USD", country="US", with_product=False)
    other = make_checkout_shop(currency="USD", country="US", with_product=False)
    today = utcnow().date()
    for outsider in (make_user(), other.owner):
        with pytest.raises(NotFound):
            sales.sales_report(outsider, shop.store.id, first_day=today, last_day=today,
                               zone=UTC)


def test_queries_do_not_grow_with_orders(buy, make_checkout_shop):
    shop = make_checkout_shop(currency="USD", country="US", price="5", stock=50)
    today = utcnow().date()

    def count() -> int:
        db.session.expire_all()
        with QueryCounter() as counter:
            sales.sales_report(shop.owner, shop.store.id, first_day=today, last_day=today,
                               zone=UTC)
        return counter.count

    buy(shop, 1, currency="USD", country="US")
    one = count()
    for _ in range(3):
        buy(shop, 1, currency="JPY", country="JP")
    assert count() == one


def test_a_co_created_notes_sales_are_split_between_its_two_creators(
        buy, make_checkout_shop, make_user, make_note):
    from app.services.social import coauthoring

    shop = make_checkout_shop(currency="USD", country="US", price="25.01", stock=5)
    author = make_user(display_name="Mei Lin", home_country="CN")
    coauthor = make_user(display_name="Sophie Martin", home_country="GB")
    note = make_note(author, title="Tea around the world", publish=False)
    coauthoring.invite_coauthor(author, note.id, coauthor.id)
    coauthoring.respond_to_invitation(coauthor, note.id, accept=True)
    coauthoring.agree_to_publish(author, note.id)
    coauthoring.agree_to_publish(coauthor, note.id)
    db.session.commit()
    order = buy(shop, 1, currency="USD", country="US", note_id=note.id)
    assert (order.lines[0].creator_id, order.lines[0].cocreator_id) == (author.id, coauthor.id)

    today = utcnow().date()
    report = sales.sales_report(shop.owner, shop.store.id, first_day=today, last_day=today,
                                zone=UTC)
    value = order.lines[0].unit_price_store_minor  # 2501 cents: an odd amount
    assert {(c.label, c.sales.minor, c.orders) for c in report.top_creators} == {
        ("Mei Lin", value - value // 2, 1), ("Sophie Martin", value // 2, 1)}
    assert sum(c.sales.minor for c in report.top_creators) == value

    # Each creator sees their own share in their account, the note named with its partner;
    # a sale through the author's own note is theirs in full.
    solo = make_note(author, title="Longjing at home")
    buy(shop, 2, currency="USD", country="US", note_id=solo.id)
    mine = sales.creator_sales(author, first_day=today, last_day=today, zone=UTC)
    theirs = sales.creator_sales(coauthor, first_day=today, last_day=today, zone=UTC)
    assert [(t.key, t.sales.minor, t.orders) for t in mine.totals] == [
        ("USD", value - value // 2 + 2 * value, 2)]
    assert {(n.title, n.shared_with, n.credited.minor, n.units) for n in mine.notes} == {
        ("Tea around the world", "Sophie Martin", value - value // 2, 1),
        ("Longjing at home", None, 2 * value, 2)}
    assert [(n.title, n.shared_with, n.credited.minor) for n in theirs.notes] == [
        ("Tea around the world", "Mei Lin", value // 2)]
    assert sales.creator_sales(make_user(), first_day=today, last_day=today,
                               zone=UTC).totals == []
