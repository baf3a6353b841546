"""Demo translation glossary: places and teas the demo notes mention, in their Chinese form."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import GlossaryTerm, User
from app.services.social import glossary

DEMO_TERMS = (
    ("Hangzhou", "place", {"zh": "杭州"}),
    ("West Lake", "place", {"zh": "西湖"}),
    ("Shanghai", "place", {"zh": "上海"}),
    ("Chengdu", "place", {"zh": "成都"}),
    ("Brooklyn", "place", {}),
    ("Longjing", "product", {"zh": "龙井"}),
    ("Lumi Beauty", "brand", {}),
)


def seed_glossary(admin: User) -> list[str]:
    """Add the demo glossary entries that are missing; safe to run twice."""
    present = set(db.session.scalars(select(GlossaryTerm.term_key)))
    for term, kind, renderings in DEMO_TERMS:
        if term.lower() not in present:
            glossary.add_glossary_term(admin, term, kind, renderings)
    return [f"Translation glossary: {len(DEMO_TERMS)} names kept intact (Admin → "
            "Translation glossary)"]
