"""The storefront speaks Simplified Chinese: every UI string it uses has a translation."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app import ROOT
from app.services.fields import CATEGORIES
from app.storefront.display import CATEGORY_LABELS

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def storefront_messages() -> set[str]:
    """msgids used by the storefront's code and templates (plural forms by their singular)."""
    method_map = [("app/storefront/**.py", "python"), ("templates/storefront/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=method_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_storefront_string_has_a_chinese_translation():
    with (ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    messages = storefront_messages()
    assert {"Sold by", "Does not ship to %(country)s", "Tea & coffee"} <= messages
    untranslated = sorted(m for m in messages
                          if m not in catalog or not catalog[m].string
                          or catalog[m].fuzzy)
    assert untranslated == []


def test_every_category_has_a_storefront_label():
    assert set(CATEGORY_LABELS) == set(CATEGORIES)
    assert {slug: str(label) for slug, label in CATEGORY_LABELS.items()} == CATEGORIES
