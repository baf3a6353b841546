"""The conversation on an order, as both its pages show it: the shopper's and the store's."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from app.models import Order, OrderMessage
from app.services.errors import DomainError
from app.services.orders import messages as conversation
from app.services.social import translation


class OrderMessageForm(FlaskForm):
    """A message to the other side of an order (checked by the service, as in the API)."""

    body = TextAreaField(_l("Your message"))


def conversation_context(order: Order, form: OrderMessageForm | None = None) -> dict[str, Any]:
    """Messages, the one translation asked for (`?translate_message=<id>`), and the form."""
    messages = conversation.list_order_messages(order)
    language = str(get_locale() or "en")[:2]
    foreign = [m for m in messages if m.language and m.language != language]
    translations: dict[int, str] = {}
    error = None
    wanted = request.args.get("translate_message", type=int)
    chosen: OrderMessage | None = next((m for m in foreign if m.id == wanted), None)
    if chosen is not None and translation.translation_enabled():
        try:
            translations[chosen.id] = translation.translate_text(chosen.body, language,
                                                                 chosen.language)
        except DomainError as exc:
            error = exc.message
    return {
        "conversation": messages,
        "foreign_message_ids": {m.id for m in foreign},
        "message_translations": translations,
        "message_translation_error": error,
        "can_translate": translation.translation_enabled(),
        "message_form": form or OrderMessageForm(formdata=None),
    }
