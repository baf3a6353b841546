"""The translation glossary: names machine translation must keep intact.

Two sources of protected names: the glossary that admins edit (brands, products, places,
each with an optional fixed rendering per language, "Hangzhou" -> "杭州"), and the
platform's own names, protected without anyone listing them: store names, brand names
and the titles of the active products an item is about (a note's tagged products, also
for its comments), rendered in the target language when the merchant wrote one.
Matching every product title in the catalog against every text was measured at 310 ms
a text with 100,000 products (bench/translation_glossary.py), so titles come from the
item's own product tags. Before text goes to a provider each protected name becomes a marker
(`⟦1⟧`); the translation comes back with the markers, which turn into the names again.

Glossary entries match case-insensitively; the platform's names match only as written
(a store called "Tea" protects "Tea", not every "tea" in a sentence). A Latin-script
name matches whole words only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, literal, select

from app.extensions import db
from app.models import GLOSSARY_KINDS, GlossaryTerm, Organization, Product, Store, User
from app.providers.translation import PROTECTED_MARKER
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed

MAX_TERM = 120
MIN_TERM = 2
RENDERING_LANGUAGES = ("en", "zh")
_MARKER = re.compile(PROTECTED_MARKER.format(r"\s*(\d+)\s*"))
_MARKER_START = PROTECTED_MARKER[0]


@dataclass(frozen=True)
class ProtectedName:
    """A name to keep: what it looks like and how to write it in each target language."""

    text: str
    renderings: dict[str, str] = field(default_factory=dict)
    ignore_case: bool = False


@dataclass(frozen=True)
class MaskedText:
    """Text with every protected name replaced by a numbered marker."""

    text: str
    # Marker number -> (the span as written, its name's renderings).
    spans: dict[int, tuple[str, dict[str, str]]]


class ProtectedNameLost(Exception):
    """A translation came back without one of the markers it was given."""


# Admin editing ---------------------------------------------------------------------------
def _require_admin(actor: User) -> None:
    if not actor.has_role("admin"):
        raise Forbidden(_("Only administrators can edit the translation glossary."))


def glossary_terms() -> list[GlossaryTerm]:
    """Every glossary entry, alphabetically."""
    return list(db.session.scalars(select(GlossaryTerm).order_by(GlossaryTerm.term_key)))


def add_glossary_term(actor: User, term: str, kind: str,
                      renderings: dict[str, str]) -> GlossaryTerm:
    """Add a name to keep intact; `renderings` maps "en"/"zh" to a fixed form (optional)."""
    _require_admin(actor)
    term = " ".join((term or "").split())
    errors: dict[str, list[str]] = {}
    if len(term) < MIN_TERM or len(term) > MAX_TERM:
        errors["term"] = [_("Enter a name of %(min)d to %(max)d characters.",
                            min=MIN_TERM, max=MAX_TERM)]
    elif _MARKER_START in term:
        errors["term"] = [_("A name cannot contain the character %(c)s.", c=_MARKER_START)]
    if kind not in GLOSSARY_KINDS:
        errors["kind"] = [_("Choose one of: %(v)s.", v=", ".join(GLOSSARY_KINDS))]
    kept = {}
    for language, rendering in (renderings or {}).items():
        rendering = " ".join((rendering or "").split())
        if language not in RENDERING_LANGUAGES:
            errors[f"rendering_{language}"] = [_("Choose one of: %(v)s.",
                                                 v=", ".join(RENDERING_LANGUAGES))]
        elif len(rendering) > MAX_TERM:
            errors[f"rendering_{language}"] = [_("Use at most %(n)d characters.", n=MAX_TERM)]
        elif rendering:
            kept[language] = rendering
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    key = term.lower()
    if db.session.scalar(select(GlossaryTerm.id).where(GlossaryTerm.term_key == key)):
        message = _("“%(term)s” is already in the glossary.", term=term)
        raise Conflict(message, code="glossary_term_exists", fields={"term": [message]})
    entry = GlossaryTerm(term=term, term_key=key, kind=kind, renderings=kept)
    db.session.add(entry)
    db.session.flush()
    return entry


def delete_glossary_term(actor: User, term_id: int) -> None:
    """Remove a glossary entry."""
    _require_admin(actor)
    entry = db.session.get(GlossaryTerm, term_id)
    if entry is None:
        raise NotFound(_("No such glossary entry."), code="glossary_term_not_found")
    db.session.delete(entry)
    db.session.flush()


# Protection ------------------------------------------------------------------------------
def _occurs_in(text: str, column) -> ColumnElement[bool]:
    """SQL: `column`'s value occurs in `text`, as written (a plain substring search)."""
    position = func.strpos if db.engine.dialect.name == "postgresql" else func.instr
    return position(literal(text), column) > 0


def protected_names(text: str, products: Iterable[Product] = ()) -> list[ProtectedName]:
    """The glossary entries, store and brand names, and `products`' titles in `text`."""
    names = [ProtectedName(t.term, dict(t.renderings), ignore_case=True)
             for t in db.session.scalars(select(GlossaryTerm).where(
                 _occurs_in(text.lower(), GlossaryTerm.term_key)))]
    names += [ProtectedName(name) for name in db.session.scalars(
        select(Store.name).where(_occurs_in(text, Store.name)))]
    names += [ProtectedName(name) for name in db.session.scalars(
        select(Organization.name).where(Organization.kind == "brand",
                                        _occurs_in(text, Organization.name)))]
    for product in products:
        if product.status != "active":
            continue
        renderings = {"en": product.title_en or product.title,
                      "zh": product.title_zh or product.title}
        names += [ProtectedName(written, renderings)
                  for written in {product.title, product.title_en, product.title_zh}
                  if written and written in text]
    return [n for n in names if len(n.text) >= MIN_TERM]


def _pattern(name: ProtectedName) -> str:
    escaped = re.escape(name.text)
    # Whole words for Latin-script names: "Tea" is not inside "Teapot", but "Longjing在"
    # (Chinese runs on without spaces) holds "Longjing".
    before = r"(?<![A-Za-z0-9])" if name.text[0].isascii() and name.text[0].isalnum() else ""
    after = r"(?![A-Za-z0-9])" if name.text[-1].isascii() and name.text[-1].isalnum() else ""
    return f"(?{'i' if name.ignore_case else ''}:{before}{escaped}{after})"


def mask(text: str, names: list[ProtectedName]) -> MaskedText:
    """`text` with each protected name replaced by a numbered marker, longest names first."""
    if not names or _MARKER_START in text:
        return MaskedText(text, {})  # nothing to protect, or the author typed our marker
    ordered = sorted(names, key=lambda n: len(n.text), reverse=True)
    pattern = re.compile("|".join(f"({_pattern(n)})" for n in ordered))
    spans: dict[int, tuple[str, dict[str, str]]] = {}

    def replace(match: re.Match) -> str:
        number = len(spans) + 1
        spans[number] = (match.group(0), ordered[match.lastindex - 1].renderings)
        return PROTECTED_MARKER.format(number)
    return MaskedText(pattern.sub(replace, text), spans)


def unmask(translated: str, masked: MaskedText, target: str) -> str:
    """The translation with each marker turned back into its name (in `target`'s form)."""
    found = {int(n) for n in _MARKER.findall(translated)}
    if found != set(masked.spans):
        raise ProtectedNameLost(f"markers {sorted(set(masked.spans) - found)} lost")

    def restore(match: re.Match) -> str:
        written, renderings = masked.spans[int(match.group(1))]
        return renderings.get(target) or written
    return _MARKER.sub(restore, translated)
