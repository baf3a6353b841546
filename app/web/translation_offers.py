"""Whether a page offers "See translation" next to an item, for every template.

Without a provider the viewer is told so once on the page (at the first item in another
language), rather than on every item or not at all.
"""

from __future__ import annotations

from flask import Flask, g
from flask_babel import get_locale
from flask_login import current_user

from app.services.social import translation

_TOLD_OFF = "_qiao_translation_off_told"


def translation_offer(language: str | None) -> str | None:
    """"offer" for text in another language; "off" the first time when no provider; else None."""
    if not language or language == str(get_locale() or "en")[:2]:
        return None
    if translation.translation_enabled():
        return "offer"
    if g.get(_TOLD_OFF):
        return None
    g.setdefault(_TOLD_OFF, True)
    return "off"


def translates_automatically() -> bool:
    """Whether the viewer chose "always translate" (translations load without a tap)."""
    return bool(current_user.is_authenticated and current_user.always_translate)


def register_translation_helpers(app: Flask) -> None:
    """Make the translation offer available to every template."""
    app.add_template_global(translation_offer)
    app.add_template_global(translates_automatically)
