"""How a product's price reads on a card or a note's tag, wherever it is shown."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _

from app.money import Money
from app.services.catalog.reads import ProductOffer


def card_price(offer: ProductOffer, locale: str) -> str:
    """"JP¥150" for one price, "From JP¥150" when the variants' prices differ, "" for none."""
    return price_text(offer.from_price, offer.price_varies, locale)


def price_text(price: Money | None, is_from: bool, locale: str | None = None) -> str:
    """The lowest price as a card reads it: "From JP¥150" when `is_from`, "" for none;
    in the request's locale unless told (macros imported without context have no
    `ui_locale`).
    """
    if price is None:
        return ""
    locale = locale or str(get_locale() or "en")
    if is_from:
        return _("From %(price)s", price=price.format(locale))
    return price.format(locale)


def register_price_helpers(app: Flask) -> None:
    """Make the price wording available to every template."""
    app.add_template_global(card_price)
    app.add_template_global(price_text)
