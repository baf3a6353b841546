"""Order conversations on the shopper's and the merchant's pages, and through the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OrderMessage
from app.services.orders import messages as conversation
from app.web.links import site_links

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server",
                  "tests.translation_server"]


@pytest.fixture
def order(make_checkout_shop, make_user, make_sandbox_order):
    shop = make_checkout_shop(currency="CNY", country="CN", price="89", stock=10)
    shopper = make_user(display_name="Aiko", locale="en")
    placed = make_sandbox_order(shop, currency="JPY", country="JP", shopper=shopper)
    placed.shop, placed.shopper = shop, shopper
    return placed


def test_the_shopper_writes_from_the_order_page(client, login, post_form, order):
    login(order.shopper)
    page = f"/orders/{order.id}"
    assert 'data-testid="no-messages"' in client.get(page).get_data(as_text=True)
    response = post_form(f"{page}/messages", {"body": "Is the tea from this spring?"},
                         page=page)
    message = db.session.scalar(select(OrderMessage))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{page}#message-{message.id}")
    html = client.get(page).get_data(as_text=True)
    assert "Is the tea from this spring?" in html and "message-mine" in html


def test_an_empty_message_shows_the_error_by_the_field(client, login, post_form, order):
    login(order.shopper)
    page = f"/orders/{order.id}"
    response = post_form(f"{page}/messages", {"body": "   "}, page=page)
    assert response.status_code == 422
    assert "Write a message first." in response.get_data(as_text=True)
    assert db.session.scalar(select(OrderMessage)) is None


def test_the_merchant_reads_in_chinese_with_a_translation(client, login, order,
                                                          libretranslate):
    asked = conversation.post_order_message(order.shopper, order.id,
                                            "Could you wrap it as a gift, please?",
                                            links=site_links)
    db.session.commit()
    order.shop.owner.locale = "zh"
    db.session.commit()
    login(order.shop.owner)
    page = f"/merchant/stores/{order.shop.store.id}/orders/{order.id}"
    html = client.get(page).get_data(as_text=True)
    assert "与买家的对话" in html
    # The same "See translation" as notes and comments: one endpoint, cached, glossary.
    link = f"/translations/order_message/{asked.id}"
    assert f'href="{link}?next=' in html
    translated = client.get(f"{link}?fragment=1").get_data(as_text=True)
    assert "[zh] Could you wrap it as a gift, please?" in translated


def test_only_the_orders_two_sides_may_translate_its_messages(client, login, order,
                                                              libretranslate, make_user):
    asked = conversation.post_order_message(order.shopper, order.id, "Gift wrap, please?",
                                            links=site_links)
    db.session.commit()
    link = f"/translations/order_message/{asked.id}?fragment=1"
    assert client.get(link).status_code == 404
    login(make_user(locale="zh"))
    assert client.get(link).status_code == 404
    assert client.get("/translations/order_message/999999?fragment=1").status_code == 404


def test_without_a_provider_the_page_says_so_once(client, login, order):
    for text in ("Could you wrap it as a gift?", "And add a card, please."):
        conversation.post_order_message(order.shopper, order.id, text, links=site_links)
    db.session.commit()
    order.shop.owner.locale = "zh"
    db.session.commit()
    login(order.shop.owner)
    html = client.get(f"/merchant/stores/{order.shop.store.id}/orders/{order.id}").get_data(
        as_text=True)
    assert html.count('data-testid="translation-off"') == 1
    assert 'data-testid="see-translation"' not in html


def test_the_notice_links_each_side_to_its_own_page(client, login, order):
    conversation.post_order_message(order.shop.owner, order.id, "Shipped today!",
                                    store_id=order.shop.store.id, links=site_links)
    db.session.commit()
    login(order.shopper)
    html = client.get("/notifications").get_data(as_text=True)
    assert f'href="/orders/{order.id}#messages" data-testid="message-notice"' in html


def test_api_both_sides_and_strangers(client, order, make_user, api_token):
    shopper, staff, stranger = (api_token(order.shopper), api_token(order.shop.staff),
                                api_token(make_user()))
    made = client.post(f"/api/v1/orders/{order.id}/messages", json={"body": "Hello!"},
                       headers=shopper)
    assert made.status_code == 201
    assert made.json["side"] == "shopper" and made.json["author"]["display_name"] == "Aiko"
    store_path = f"/api/v1/stores/{order.shop.store.id}/orders/{order.id}/messages"
    answered = client.post(store_path, json={"body": "您好！"}, headers=staff)
    assert answered.status_code == 201 and answered.json["language"] == "zh"
    listed = client.get(f"/api/v1/orders/{order.id}/messages", headers=shopper).json
    assert [m["side"] for m in listed["items"]] == ["shopper", "store"]
    assert listed["next_cursor"] is None
    bad = client.post(store_path, json={"body": ["not", "text"]}, headers=staff)
    assert bad.status_code == 422 and bad.json["error"]["code"] == "message_empty"
    assert client.get(f"/api/v1/orders/{order.id}/messages",
                      headers=stranger).status_code == 404
    assert client.post(store_path, json={"body": "hi"}, headers=stranger).status_code == 404
