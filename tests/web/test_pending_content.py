"""Pages with a Celery broker: what waits for screening is shown to its author only."""

from __future__ import annotations

import pytest

from app.core.transaction import commit
from app.extensions import celery
from app.providers.moderation import set_moderation_providers
from app.services.accounts.profiles import update_profile
from app.services.social.engagement import add_comment
from app.tasks.moderation import screen_content_task
from tests.moderation_factories import providers

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture(autouse=True)
def _rules_only(app):
    set_moderation_providers(providers())
    yield
    set_moderation_providers(None)


def queued(work):
    """Run `work` and commit with jobs left on the (in-memory) broker, not run."""
    celery.conf.task_always_eager = False
    try:
        result = work()
        commit()
    finally:
        celery.conf.task_always_eager = True
    return result


def test_a_pending_comment_shows_on_the_note_page_to_its_author_only(client, login,
                                                                       quick_note, make_user):
    note = quick_note(make_user(), title="Matcha latte at home")
    writer = make_user()
    comment = queued(lambda: add_comment(writer, note.id, "Which whisk do you use?"))

    assert "Which whisk do you use?" not in client.get(f"/notes/{note.id}").get_data(
        as_text=True)
    login(writer)
    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "Which whisk do you use?" in page and 'data-testid="comment-pending"' in page

    screen_content_task("comment", comment.id)
    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "Which whisk do you use?" in page and 'data-testid="comment-pending"' not in page


def test_a_pending_bio_is_hidden_from_others_until_screened(client, make_user):
    person = make_user()
    queued(lambda: update_profile(person, display_name="Mia", bio="Tea reviews every Sunday.",
                                  home_country="US", languages=["en"]))

    assert "Tea reviews every Sunday." not in client.get(f"/u/{person.id}").get_data(
        as_text=True)
    screen_content_task("profile", person.id)
    assert "Tea reviews every Sunday." in client.get(f"/u/{person.id}").get_data(as_text=True)
