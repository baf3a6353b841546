"""The age gate: a note moderation marked adults-only is shown once the viewer says they are 18+.

A signed-in user's confirmation is kept on their account with its date, so it is asked once;
a guest's is kept by the edge in their session, and passed here as `confirmed_in_session`.
The author always sees their own note.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from app.extensions import db
from app.models import Note, User, utcnow
from app.services.errors import Forbidden

# The session key under which the edge keeps the date a guest confirmed being 18+ (ISO).
ADULT_SESSION_KEY = "adult_confirmed_on"


class AgeConfirmationRequired(Forbidden):
    """The note is for adults 18+ and the caller has not confirmed being one."""

    code = "age_confirmation_required"


def age_gate_applies(viewer: User | None, note: Note, *,
                     confirmed_in_session: bool = False) -> bool:
    """Whether `viewer` must confirm being 18 or older before seeing `note`."""
    if note.moderation_state != "age_gated" or confirmed_in_session:
        return False
    return viewer is None or (viewer.id != note.author_id and viewer.adult_confirmed_at is None)


def require_age_confirmation(viewer: User | None, note: Note, *,
                             confirmed_in_session: bool = False) -> None:
    """Raise AgeConfirmationRequired (403) when the age gate applies to `viewer`.

    Whatever belongs to the note (its comments, answers, translation, likes and boards)
    asks the same, so nothing of an adults-only note reaches someone who has not confirmed.
    """
    if age_gate_applies(viewer, note, confirmed_in_session=confirmed_in_session):
        raise AgeConfirmationRequired(_(
            "This note is for adults 18+. Sign in and confirm that you are 18 or older to "
            "see it."))


def confirm_adult(user: User) -> datetime:
    """Record that `user` confirmed being 18 or older (the first confirmation's date stays)."""
    if user.adult_confirmed_at is None:
        user.adult_confirmed_at = utcnow()
        db.session.flush()
    return user.adult_confirmed_at
