"""Safe rendering of user text: escape everything, then turn links, #topics and @mentions
into anchors. Nothing the user typed reaches the page unescaped.
"""

from __future__ import annotations

import re

from flask import url_for
from markupsafe import Markup, escape

from app.notes import bp
from app.services.social.abuse import MENTION_PATTERN
from app.services.social.notes import TOPIC_PATTERN, parse_topics

URL_PATTERN = re.compile(r"https?://[^\s<>\"'\u3000-\u303f\uff00-\uffef]+", re.IGNORECASE)
# One scan finds links first, so a #fragment or @ inside a URL stays part of the URL.
TOKEN_PATTERN = re.compile(
    f"(?P<url>{URL_PATTERN.pattern})|(?P<topic>{TOPIC_PATTERN.pattern})"
    f"|(?P<mention>{MENTION_PATTERN.pattern})",
    re.IGNORECASE,
)
TRAILING_PUNCTUATION = ".,;:!?)]}'\""


def _anchor(href: str, label: str, css: str, *, external: bool = False) -> Markup:
    rel = ' rel="nofollow noopener ugc" target="_blank"' if external else ""
    return Markup('<a class="{}" href="{}"{}>{}</a>').format(css, href, Markup(rel), label)


def render_text(text: str | None) -> Markup:
    """`text` as HTML: escaped, with links, #topics and @mentions made clickable."""
    text = text or ""
    parts: list[Markup | str] = []
    position = 0
    for match in TOKEN_PATTERN.finditer(text):
        start, end = match.span()
        token = match.group(0)
        if match.group("url"):
            stripped = token.rstrip(TRAILING_PUNCTUATION)
            end = start + len(stripped)
            token = stripped
        parts.append(escape(text[position:start]))
        if match.group("url"):
            parts.append(_anchor(token, token, "autolink", external=True))
        elif match.group("topic"):
            name = token[1:]
            parts.append(_anchor(url_for("notes.topic", name=name.casefold()), token, "topic"))
        else:
            handle = token[1:]
            parts.append(_anchor(url_for("notes.search_page", q=handle, type="users"), token,
                                 "mention"))
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


@bp.app_template_filter("topic_names")
def topic_names_filter(text: str | None) -> list[str]:
    """Jinja filter: the #topics `text` links itself, as topic names."""
    return parse_topics(text or "")


@bp.app_template_filter("rich_text")
def rich_text_filter(text: str | None) -> Markup:
    """Jinja filter: `{{ note.body|rich_text }}`."""
    return render_text(text)
