"""The conversation on an order, as both its pages show it: the shopper's and the store's."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from app.models import Order
from app.services.orders import messages as conversation


class OrderMessageForm(FlaskForm):
    """A message to the other side of an order (checked by the service, as in the API)."""

    body = TextAreaField(_l("Your message"))


def conversation_context(order: Order, form: OrderMessageForm | None = None) -> dict[str, Any]:
    """The messages and the form; "See translation" is the shared translation endpoint's
    (content type "order_message", app.services.orders.messages).
    """
    return {
        "conversation": conversation.list_order_messages(order),
        "message_form": form or OrderMessageForm(formdata=None),
    }
