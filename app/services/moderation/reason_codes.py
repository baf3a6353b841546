"""Reason codes that rules and screening checks give, beyond the decision reasons.

The decision reasons (app.services.moderation.labels.REASON_LABELS: spam, counterfeit,
offensive, hate, harassment, nudity, violence, prohibited_goods, scam, self_harm...) are
shared by rules, checks and moderators; these are the codes only rules and checks use. The
author of a held item sees the label in their own language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SCREENING_REASONS = {
    "drugs": _l("Drugs"),
    "weapons": _l("Weapons"),
    "gambling": _l("Gambling"),
    "off_platform": _l("Moving a sale or contact off the platform"),
    "wildlife": _l("Protected wildlife products"),
    "medical_claim": _l("Unproven medical or health claims"),
    "alcohol": _l("Alcohol advertising outside the rules"),
    "tobacco": _l("Tobacco or vaping products"),
    "superlative_claim": _l("Absolute claims such as “best” or “No. 1” (not allowed in ads)"),
    "test_term": _l("A test term (demo rule)"),
    "known_removed_image": _l("An image that was removed before"),
    "policy_model": _l("Flagged by the policy model"),
    "screening_unavailable": _l("Automatic screening could not finish; a moderator will "
                                "review it"),
}
