"""A product's title reads in the reader's language at every step after the cart."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxEmail
from app.services.accounts import format_local_time

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server"]


def test_quote_order_and_email_use_the_titles_the_line_was_priced_with(
        client, login, make_checkout_shop, make_user, make_quote, make_sandbox_order):
    shop = make_checkout_shop(currency="CNY", country="CN", price="89", stock=10)
    product = shop.variants[0].product
    product.title, product.title_en, product.title_zh = "桂花乌龙", "Osmanthus oolong", "桂花乌龙"
    db.session.commit()
    reader = make_user(locale="en")
    quote = make_quote(reader, [(shop.variants[0], 1)], currency="JPY", country="JP")
    login(reader)
    assert "1 × <span lang=\"en\">Osmanthus oolong</span>" in client.get(
        f"/checkout/quotes/{quote.id}").get_data(as_text=True)

    chinese = make_user(locale="zh", time_zone="Asia/Tokyo")
    order = make_sandbox_order(shop, currency="JPY", country="JP", shopper=chinese)
    product.title_zh = "新包装桂花乌龙"  # renamed after the sale: the order keeps its words
    db.session.commit()
    confirmation = db.session.scalar(select(OutboxEmail).where(
        OutboxEmail.to_address == chinese.email, OutboxEmail.purpose == "order_confirmation"))
    assert "1 × 桂花乌龙" in confirmation.body_text
    # When it was ordered, on the shopper's clock (their settings' zone), saying which.
    placed = format_local_time(order.created_at, ZoneInfo("Asia/Tokyo"), "zh")
    assert f"下单时间：{placed}" in confirmation.body_text and "GMT+09:00" in placed
    assert f"下单时间：{placed}" in confirmation.body_html
    assert "1 × 桂花乌龙" in confirmation.body_html and '<html lang="zh-Hans">' in \
        confirmation.body_html
    english = make_user(locale="en")
    english_order = make_sandbox_order(shop, currency="USD", country="US", shopper=english)
    assert english_order.lines[0].localized_title("en") == "Osmanthus oolong"
    assert order.lines[0].localized_title("zh") == "桂花乌龙"
