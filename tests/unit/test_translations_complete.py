"""中文 is complete: every message the code and templates can show has a Chinese translation.

Messages are extracted the way `make messages` does (babel.cfg, Babel's default keywords plus
-k _l -k lazy_gettext), so a string added anywhere in app/ or templates/ without an entry in
translations/zh fails here, as does a translation whose placeholders differ from its msgid's
(a missing %(name)s shows the raw value nowhere; an extra one raises KeyError at run time).
"""

from __future__ import annotations

import re

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app import ROOT

KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}  # Makefile: -k _l -k ...
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")


def placeholders(text: str) -> list[str]:
    """The python-format conversions of `text`: names (or positions) with their types."""
    found = []
    for index, match in enumerate(PLACEHOLDER.finditer(text)):
        name, kind = match.groups()
        if kind == "%":
            continue
        found.append(f"{name}:{'d' if kind in 'di' else kind}" if name else f"#{index}:{kind}")
    return sorted(set(found)) if all(not p.startswith("#") for p in found) else found


def extracted() -> dict[tuple[str, str | None], tuple[str | tuple[str, ...], str]]:
    """Every message of app/ and templates/: (msgid, context) -> (message, where)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map=method_map, options_map=options_map, keywords=KEYWORDS):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault((msgid, context), (message, f"{filename}:{lineno}"))
    return found


def zh_catalog() -> Catalog:
    with (ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def problems(messages, catalog: Catalog) -> list[str]:
    found = []
    for (msgid, context), (message, where) in sorted(messages.items(),
                                                      key=lambda item: item[1][1]):
        entry = catalog.get(msgid, context=context)
        strings = ([] if entry is None else
                   list(entry.string) if isinstance(entry.string, tuple | list)
                   else [entry.string])
        if entry is None or entry.fuzzy or not strings or not all(strings):
            found.append(f"{where}: untranslated {msgid!r}")
            continue
        # A plural's Chinese form follows the plural msgid (the one with the count).
        source = message[-1] if isinstance(message, tuple) else message
        for string in strings:
            if placeholders(string) != placeholders(source):
                found.append(f"{where}: placeholders of {string!r} differ from {source!r}")
    return found


def test_every_message_has_a_chinese_translation_with_the_same_placeholders():
    messages = extracted()
    assert len(messages) > 1500
    # Service errors are among them (they reach the 中文 UI through flash and form errors).
    assert ("Only %(left)d of %(title)s (%(sku)s) available.", None) in messages
    assert ("%(store)s has no shipping rate to %(country)s.", None) in messages
    assert problems(messages, zh_catalog()) == []


def test_the_check_catches_missing_fuzzy_and_mismatched_translations():
    catalog = Catalog(locale="zh")
    catalog.add("Only %(left)d left.", "仅剩 %(n)d 件。")
    catalog.add("Sold out.", "已售罄", flags=["fuzzy"])
    catalog.add("Fine.", "好的。")
    catalog.add(("%(num)d item", "%(num)d items"), ("%(num)d 件",))
    catalog.add(("%(num)d day", "%(num)d days"), ("几天",))
    messages = {(msgid, None): (message, f"x.py:{i}") for i, (msgid, message) in enumerate([
        ("Only %(left)d left.", "Only %(left)d left."), ("Sold out.", "Sold out."),
        ("Fine.", "Fine."), ("Not in the catalog.", "Not in the catalog."),
        ("%(num)d item", ("%(num)d item", "%(num)d items")),
        ("%(num)d day", ("%(num)d day", "%(num)d days"))])}
    assert problems(messages, catalog) == [
        "x.py:0: placeholders of '仅剩 %(n)d 件。' differ from 'Only %(left)d left.'",
        "x.py:1: untranslated 'Sold out.'",
        "x.py:3: untranslated 'Not in the catalog.'",
        "x.py:5: placeholders of '几天' differ from '%(num)d days'"]
    assert placeholders("%(a)s and %(a)s, 100%% sure") == ["a:s"]
    assert placeholders("%(n)i") == placeholders("%(n)d")
