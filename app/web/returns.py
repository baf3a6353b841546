"""Words for return reasons, shown on the shopper's and the merchant's return pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# The codes are RETURN_REASONS (app.models.returns), in the same order.
REASON_LABELS = {
    "damaged": _l("Arrived damaged"), "defective": _l("Does not work"),
    "wrong_item": _l("Wrong item sent"), "not_as_described": _l("Not as described"),
    "size_or_fit": _l("Size or fit"), "changed_mind": _l("Changed my mind"),
    "arrived_late": _l("Arrived too late"), "other": _l("Other reason"),
}
