"""How a sponsored note is labelled and how a viewer can say why they hide it (HTML and API).

Partnership notes read "Sponsored · with <brand>" in the viewer's language: the paid-
partnership disclosure of the creator's note.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.services.ads import SponsoredSlot


def ad_label(slot: SponsoredSlot) -> str:
    """"Sponsored", or "Sponsored · with <brand>" for a creator's paid partnership."""
    if slot.partner_brand:
        return _("Sponsored · with %(brand)s", brand=slot.partner_brand)
    return _("Sponsored")


def ad_hide_reasons() -> list[tuple[str, str]]:
    """The reasons a viewer can give for hiding an ad, in the UI language."""
    return [("not_relevant", _("Not relevant to me")),
            ("seen_too_often", _("I see it too often")),
            ("misleading", _("Misleading")),
            ("offensive", _("Offensive or inappropriate")),
            ("other", _("Something else"))]
