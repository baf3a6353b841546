"""Fixtures for moderation tests: scoped moderators and reported notes.

Load with `pytest_plugins = ["tests.notes_fixtures", "tests.moderation_fixtures"]`.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import PlatformRole


@pytest.fixture
def make_moderator(make_user):
    """A moderator covering `markets` and `languages` (empty: everything)."""

    def factory(markets=(), languages=(), email: str | None = None, **fields):
        user = make_user(email, **fields)
        user.platform_roles = [PlatformRole(role="moderator", markets=list(markets),
                                            languages=list(languages))]
        db.session.commit()
        return user

    return factory
