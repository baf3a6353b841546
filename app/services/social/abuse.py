"""Abuse controls on posting: suspended and restricted accounts, and new accounts' links
and @mentions (a few a day), read from the user's own columns (set by moderation).
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Comment, Note, User, utcnow
from app.services.accounts import format_viewer_time
from app.services.errors import Forbidden, RateLimited

# A mention is "@" then a handle, not after a letter or digit ("me@example.com" is no mention).
MENTION_PATTERN = re.compile(r"(?<![\w@])@(\w[\w.-]{0,39}\w|\w)")
LINK_PATTERN = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|cn|io|co|"
                          r"shop|store|top|xyz|me|ly)(?:/\S*)?\b")


def count_links(text: str) -> int:
    """How many links (http://, www., bare domains) the text has."""
    return len(LINK_PATTERN.findall(text or ""))


def count_mentions(text: str) -> int:
    """How many @mentions the text has."""
    return len(MENTION_PATTERN.findall(text or ""))


def check_posting_allowed(user: User, text: str, *, previous: str = "") -> None:
    """Refuse posting by suspended or restricted accounts, and new accounts' links and
    mentions beyond the daily allowance (`previous`: the text being edited, already counted).
    """
    now = utcnow()
    if user.suspended_until is not None and user.suspended_until > now:
        raise Forbidden(_("Your account is suspended until %(when)s.",
                          when=format_viewer_time(user.suspended_until)),
                        code="account_suspended")
    if user.posting_restricted_until is not None and user.posting_restricted_until > now:
        raise Forbidden(_("After repeated removals you cannot post until %(when)s.",
                          when=format_viewer_time(user.posting_restricted_until)),
                        code="posting_restricted")
    config = current_app.config
    new_days = config["MODERATION_NEW_ACCOUNT_DAYS"]
    if user.created_at is None or user.created_at <= now - timedelta(days=new_days):
        return
    links = count_links(text) - count_links(previous)
    mentions = count_mentions(text) - count_mentions(previous)
    if links <= 0 and mentions <= 0:
        return
    since = now - timedelta(days=1)
    texts = [f"{t}\n{b}" for t, b in db.session.execute(
        select(Note.title, Note.body).where(Note.author_id == user.id,
                                            Note.created_at >= since))]
    texts += list(db.session.scalars(select(Comment.body).where(
        Comment.author_id == user.id, Comment.created_at >= since)))
    used_links = sum(count_links(t) for t in texts) - count_links(previous)
    used_mentions = sum(count_mentions(t) for t in texts) - count_mentions(previous)
    if links > 0 and used_links + links > config["MODERATION_NEW_ACCOUNT_LINKS_PER_DAY"]:
        raise RateLimited(_("New accounts can post only a few links a day. Try again "
                            "tomorrow, or post without the link."),
                          code="new_account_link_limit")
    if mentions > 0 and \
            used_mentions + mentions > config["MODERATION_NEW_ACCOUNT_MENTIONS_PER_DAY"]:
        raise RateLimited(_("New accounts can @mention only a few people a day. Try again "
                            "tomorrow."), code="new_account_mention_limit")
