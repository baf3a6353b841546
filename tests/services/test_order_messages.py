"""The conversation on an order: both sides write, the other is told, strangers get 404."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, OrderMessage, OutboxEmail
from app.services.errors import NotFound, ValidationFailed
from app.services.orders import messages as conversation
from app.web.links import site_links

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server"]


@pytest.fixture
def order(make_checkout_shop, make_user, make_sandbox_order):
    shop = make_checkout_shop(currency="CNY", country="CN", price="89", stock=10)
    shopper = make_user(display_name="Aiko", locale="en")
    placed = make_sandbox_order(shop, currency="JPY", country="JP", shopper=shopper)
    placed.shop, placed.shopper = shop, shopper
    return placed


def mail_to(address: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.to_address == address, OutboxEmail.purpose == "order_message")))


def test_the_shopper_asks_and_the_whole_store_team_hears_in_its_language(order):
    order.shop.owner.locale = "zh"
    message = conversation.post_order_message(
        order.shopper, order.id, "  Could you wrap it as a gift, please?  ", links=site_links)
    db.session.commit()
    assert (message.side, message.body, message.language) == (
        "shopper", "Could you wrap it as a gift, please?", "en")
    told = db.session.scalars(select(Notification).where(
        Notification.kind == "message", Notification.order_id == order.id)).all()
    assert {n.recipient_id for n in told} == {order.shop.owner.id, order.shop.staff.id}
    owner_mail = mail_to(order.shop.owner.email)
    assert len(owner_mail) == 1 and owner_mail[0].subject == f"订单 {order.id} 有新消息"
    assert "Could you wrap it as a gift" in owner_mail[0].body_text
    assert f"/merchant/stores/{order.shop.store.id}/orders/{order.id}" in owner_mail[0].body_text
    assert mail_to(order.shopper.email) == []


def test_the_store_answers_and_only_the_shopper_hears(order):
    reply = conversation.post_order_message(order.shop.staff, order.id, "可以，我们会用礼盒包装。",
                                            store_id=order.shop.store.id, links=site_links)
    db.session.commit()
    assert (reply.side, reply.language) == ("store", "zh")
    told = db.session.scalars(select(Notification).where(Notification.kind == "message")).all()
    assert [n.recipient_id for n in told] == [order.shopper.id]
    assert f"/orders/{order.id}" in mail_to(order.shopper.email)[0].body_text
    assert [m.id for m in conversation.list_order_messages(order)] == [reply.id]


@pytest.mark.parametrize("body, code", [("", "message_empty"), ("   ", "message_empty"),
                                        (None, "message_empty"), (42, "message_empty"),
                                        ("x" * 2001, "message_too_long")])
def test_empty_long_or_non_text_messages_are_refused_and_nothing_is_written(order, body, code):
    with pytest.raises(ValidationFailed) as raised:
        conversation.post_order_message(order.shopper, order.id, body, links=site_links)
    assert raised.value.code == code and "body" in raised.value.fields
    db.session.rollback()
    assert db.session.scalar(select(OrderMessage)) is None
    assert db.session.scalar(select(Notification).where(Notification.kind == "message")) is None


def test_strangers_and_other_stores_get_404(order, make_user, make_checkout_shop):
    other = make_checkout_shop(currency="USD", country="US", with_product=False)
    with pytest.raises(NotFound):
        conversation.post_order_message(make_user(), order.id, "hi", links=site_links)
    with pytest.raises(NotFound):  # the shopper cannot write as the store
        conversation.post_order_message(order.shopper, order.id, "hi",
                                        store_id=order.shop.store.id, links=site_links)
    with pytest.raises(NotFound):  # another store's owner, through their own store
        conversation.post_order_message(other.owner, order.id, "hi",
                                        store_id=other.store.id, links=site_links)


def test_one_person_is_slowed_down_after_an_hours_worth(order):
    for n in range(conversation.MAX_MESSAGES_PER_HOUR):
        conversation.post_order_message(order.shopper, order.id, f"question {n}",
                                        links=site_links)
    with pytest.raises(conversation.MessageRateLimited):
        conversation.post_order_message(order.shopper, order.id, "one more", links=site_links)
    # The other side can still answer.
    conversation.post_order_message(order.shop.owner, order.id, "Answering all of them",
                                    store_id=order.shop.store.id, links=site_links)
