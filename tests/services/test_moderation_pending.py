"""With a Celery broker, new and edited content waits unseen until its screening job runs.

The broker here is Celery's in-memory transport: the commit queues the job and nothing runs
it, as when a worker has not picked it up yet; the test then runs the job as the worker would.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.providers.moderation import set_moderation_providers
from app.services.accounts.profiles import update_profile
from app.services.catalog import products as catalog
from app.services.catalog import reads as catalog_reads
from app.services.errors import NotFound
from app.services.social import notes
from app.services.social.engagement import add_comment, comment_threads
from app.services.social.feed import published_notes
from app.services.social.notes import ImageUpload
from app.tasks.moderation import rescreen_stale_pending_task, screen_content_task
from tests.catalog_factories import make_shop
from tests.moderation_factories import add_rule, jpeg, photo, providers, queued_jobs


@pytest.fixture(autouse=True)
def _rules_only(app):
    set_moderation_providers(providers())
    yield
    set_moderation_providers(None)


@pytest.fixture
def broker():
    with queued_jobs():
        yield


@pytest.fixture
def creator(make_user):
    return make_user("pending-creator@example.test", home_country="US")


@pytest.fixture
def reader(make_user):
    return make_user("pending-reader@example.test", home_country="US")


def post(author, body="Light serum, lovely tea."):
    note = notes.create_note(author, title="Spring haul", body=body,
                             images=[ImageUpload(jpeg(photo(7)), "p.jpg")])
    commit()
    return note


def feed_ids() -> set[int]:
    return {note.id for note in db.session.scalars(published_notes("US"))}


def test_a_new_note_is_seen_by_its_author_only_until_screened(broker, creator, reader):
    note = post(creator)

    assert note.moderation_state == "pending"
    assert notes.get_note(creator, note.id) == note
    with pytest.raises(NotFound):
        notes.get_note(reader, note.id)
    with pytest.raises(NotFound):
        notes.get_note(None, note.id)
    assert note.id not in feed_ids()

    screen_content_task("note", note.id)  # the worker picks the job up

    db.session.refresh(note)
    assert note.moderation_state == "visible"
    assert notes.get_note(reader, note.id) == note
    assert note.id in feed_ids()


def test_a_pending_note_that_breaks_a_rule_goes_on_to_held(app, broker, creator, reader,
                                                         make_user):
    add_rule(make_user("pending-admin@example.test", roles=("admin",)), "qiaotestban",
             severity="medium")
    commit()
    note = post(creator, body="psst q.i.a.o.t.e.s.t.b.a.n")
    assert note.moderation_state == "pending"

    screen_content_task("note", note.id)

    db.session.refresh(note)
    assert note.moderation_state == "held"
    with pytest.raises(NotFound):
        notes.get_note(reader, note.id)


def test_an_edit_of_a_visible_note_waits_for_screening_again(app, creator, reader):
    note = post(creator)  # no broker yet: screened in-process, visible at once
    assert note.moderation_state == "visible"

    with queued_jobs():
        notes.update_note(creator, note.id, body="Now with a new paragraph.")
        commit()

    assert note.moderation_state == "pending"
    with pytest.raises(NotFound):
        notes.get_note(reader, note.id)
    screen_content_task("note", note.id)
    db.session.refresh(note)
    assert notes.get_note(reader, note.id).body == "Now with a new paragraph."


def test_a_pending_comment_shows_to_its_author_only(app, creator, reader):
    note = post(creator)
    with queued_jobs():
        comment = add_comment(reader, note.id, "Where did you buy it?")
        commit()

    def seen_by(viewer) -> list[int]:
        threads, _ = comment_threads(note, market="US",
                                     viewer_id=viewer.id if viewer else None)
        return [t.comment.id for t in threads]

    assert comment.moderation_state == "pending"
    assert seen_by(reader) == [comment.id]
    assert seen_by(creator) == []
    assert seen_by(None) == []

    screen_content_task("comment", comment.id)

    assert seen_by(creator) == [comment.id]


def test_a_pending_listing_stays_out_of_the_storefront(broker, make_org, make_user):
    shop = make_shop(make_org, make_user)
    product = catalog.create_product(shop.owner, shop.store.id, {
        "title": "Longjing green tea", "description": "Spring harvest.",
        "category": "tea_coffee", "hs_code": "0902.10", "origin_country": "cn",
        "weight_grams": 120, "status": "active",
        "variants": [{"sku": "LJ-50", "price": "38.50"}]})
    commit()

    assert product.moderation_state == "pending"
    assert product.id not in [p.id for p in catalog_reads.list_catalog().items]
    with pytest.raises(NotFound):
        catalog_reads.get_public_product(product.id)

    screen_content_task("product", product.id)

    assert product.id in [p.id for p in catalog_reads.list_catalog().items]


def test_a_pending_profile_text_waits_and_in_process_jobs_change_nothing(app, creator):
    update_profile(creator, display_name="Mia", bio="I review tea.", home_country="US",
                   languages=["en"])
    commit()
    assert creator.moderation_state == "visible"  # no broker: screened right after commit

    with queued_jobs():
        update_profile(creator, display_name="Mia", bio="I review tea and teapots.",
                       home_country="US", languages=["en"])
        commit()
    assert creator.moderation_state == "pending"
    screen_content_task("profile", creator.id)
    assert creator.moderation_state == "visible"


def test_a_lost_screening_job_is_run_again_by_the_sweep(broker, creator, reader):
    note = post(creator)
    assert rescreen_stale_pending_task() == 0  # just posted: its job may still come

    note.updated_at = note.updated_at - timedelta(minutes=11)  # the job never came
    db.session.commit()
    assert rescreen_stale_pending_task() == 1

    db.session.refresh(note)
    assert note.moderation_state == "visible"
    assert notes.get_note(reader, note.id) == note
