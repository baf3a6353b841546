"""How a product's price reads on a card or a note's tag, wherever it is shown."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from app.services.catalog.reads import ProductOffer


def card_price(offer: ProductOffer, locale: str) -> str:
    """"JP¥150" for one price, "From JP¥150" when the variants' prices differ, "" for none."""
    price = offer.from_price
    if price is None:
        return ""
    if len({v.price for v in offer.variants}) > 1:
        return _("From %(price)s", price=price.format(locale))
    return price.format(locale)


def register_price_helpers(app: Flask) -> None:
    """Make the price wording available to every template."""
    app.add_template_global(card_price)
