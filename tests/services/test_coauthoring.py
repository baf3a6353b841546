"""Co-created notes: invitation, both parts, both agreements, expiry, leaving, feeds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, utcnow
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.social import coauthoring, feed, notes
from app.services.social.engagement import follow_user
from tests.notes_factories import uploads

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture
def pair(make_user, make_note):
    """A Chinese creator's draft and an overseas creator invited to co-author it."""
    author = make_user(display_name="Mei Lin", home_country="CN", locale="zh")
    coauthor = make_user(display_name="Sophie Martin", home_country="GB")
    note = make_note(author, title="世界各地的茶", body="杭州的龙井 #茶", images=2, publish=False)
    return author, coauthor, note


def notices(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(
        Notification.recipient_id == user.id).order_by(Notification.id)))


def accepted(pair):
    author, coauthor, note = pair
    coauthoring.invite_coauthor(author, note.id, coauthor.id)
    coauthoring.respond_to_invitation(coauthor, note.id, accept=True)
    db.session.commit()
    return author, coauthor, note


def test_both_parts_and_both_agreements_publish_the_note(pair):
    author, coauthor, note = pair
    coauthoring.invite_coauthor(author, note.id, coauthor.id)
    db.session.commit()
    assert notices(coauthor) == ["co_invite"]
    assert notes.get_note(coauthor, note.id).status == "draft"  # the invitee may read it

    coauthoring.respond_to_invitation(coauthor, note.id, accept=True)
    coauthoring.update_contribution(coauthor, note.id, title="Tea around the world",
                                    body="Earl Grey in a London kitchen #tea",
                                    images=uploads(2))
    db.session.commit()
    assert notices(author) == ["co_accept"]
    images = notes.get_note(author, note.id).images
    assert [(i.position, i.contributor_id) for i in images] == [
        (0, None), (1, None), (2, coauthor.id), (3, coauthor.id)]
    assert note.coauthorship.language == "en" and note.language == "zh"

    coauthoring.agree_to_publish(author, note.id)
    db.session.commit()
    assert note.status == "draft" and notices(coauthor)[-1] == "co_agree"
    coauthoring.agree_to_publish(coauthor, note.id)
    db.session.commit()
    assert note.is_published and note.credited_coauthor.id == coauthor.id
    assert notices(author)[-1] == "co_agree"


def test_a_change_by_either_side_asks_both_again(pair):
    author, coauthor, note = accepted(pair)
    coauthoring.agree_to_publish(author, note.id)
    coauthoring.update_contribution(coauthor, note.id, body="One more line")
    coauthoring.agree_to_publish(coauthor, note.id)
    db.session.commit()
    assert note.status == "draft"  # the author agreed to the earlier version only

    coauthoring.agree_to_publish(author, note.id)
    assert note.is_published
    db.session.rollback()
    notes.update_note(author, note.id, body="杭州的龙井，改了一句 #茶")
    db.session.commit()
    link = note.coauthorship
    assert link.author_agreed_at is None and link.coauthor_agreed_at is None


def test_the_author_cannot_publish_alone_or_replace_the_coauthors_images(pair):
    author, coauthor, note = accepted(pair)
    with pytest.raises(Conflict) as refused:
        notes.update_note(author, note.id, publish=True)
    assert refused.value.code == "coauthor_agreement_required"
    db.session.rollback()
    coauthoring.update_contribution(coauthor, note.id, images=uploads(1))
    db.session.commit()
    with pytest.raises(ValidationFailed) as images:
        notes.update_note(author, note.id, images=uploads(1))
    assert images.value.code == "coauthor_images"
    db.session.rollback()
    with pytest.raises(ValidationFailed) as crowded:
        coauthoring.update_contribution(coauthor, note.id, images=uploads(8))
    assert crowded.value.code == "image_count"


def test_bad_invitations(pair, make_user, make_note):
    author, coauthor, note = pair
    stranger = make_user()
    for bad in (author.id, 0, "7", None, 10**12):
        with pytest.raises(ValidationFailed) as refused:
            coauthoring.invite_coauthor(author, note.id, bad)
        assert refused.value.code == "invalid_coauthor"
    with pytest.raises((Forbidden, NotFound)):
        coauthoring.invite_coauthor(stranger, note.id, coauthor.id)
    published = make_note(author, title="Already out")
    with pytest.raises(Conflict) as out:
        coauthoring.invite_coauthor(author, published.id, coauthor.id)
    assert out.value.code == "note_not_draft"
    coauthoring.invite_coauthor(author, note.id, coauthor.id)
    with pytest.raises(Conflict) as twice:
        coauthoring.invite_coauthor(author, note.id, stranger.id)
    assert twice.value.code == "coauthor_already_invited"
    with pytest.raises(NotFound):
        notes.get_note(stranger, note.id)
    with pytest.raises(NotFound):
        coauthoring.respond_to_invitation(stranger, note.id, accept=True)
    with pytest.raises(Conflict) as early:
        coauthoring.agree_to_publish(author, note.id)
    assert early.value.code == "coauthor_not_accepted"


def test_an_invitation_never_accepted_expires_after_14_days(pair):
    author, coauthor, note = pair
    sent = utcnow() - timedelta(days=15)
    coauthoring.invite_coauthor(author, note.id, coauthor.id, now=sent)
    db.session.commit()
    with pytest.raises(Conflict) as late:  # before the job has run
        coauthoring.respond_to_invitation(coauthor, note.id, accept=True)
    assert late.value.code == "coauthor_invitation_expired"
    db.session.rollback()

    assert coauthoring.expire_invitations(now=sent + timedelta(days=13)) == 0
    assert coauthoring.expire_invitations() == 1
    db.session.commit()
    assert note.coauthorship.status == "expired" and notices(author) == ["co_expire"]
    assert note.status == "draft"
    with pytest.raises(NotFound):  # the draft is private to its author again
        notes.get_note(coauthor, note.id)
    assert coauthoring.expire_invitations() == 0
    coauthoring.invite_coauthor(author, note.id, coauthor.id)  # the author may ask again
    assert note.coauthorship.status == "invited"


def test_leaving_after_publication_keeps_the_note_with_its_author(pair, make_user):
    author, coauthor, note = accepted(pair)
    coauthoring.update_contribution(coauthor, note.id, body="London", images=uploads(1))
    coauthoring.agree_to_publish(author, note.id)
    coauthoring.agree_to_publish(coauthor, note.id)
    db.session.commit()
    fan = make_user()
    follow_user(fan, coauthor.id)
    db.session.commit()
    assert [n.id for n in feed.following(fan, None, 10).notes] == [note.id]
    assert [n.id for n in feed.author_feed(coauthor, None, None, 10).notes] == [note.id]
    assert [n.id for n in feed.author_feed(author, None, None, 10).notes] == [note.id]

    with pytest.raises(Forbidden) as author_leaves:
        coauthoring.leave_note(author, note.id)
    assert author_leaves.value.code == "coauthor_published"
    db.session.rollback()
    coauthoring.leave_note(coauthor, note.id)
    db.session.commit()
    assert note.is_published and note.credited_coauthor is None
    assert note.coauthorship.status == "left" and len(note.images) == 3
    assert notices(author)[-1] == "co_leave"
    assert feed.following(fan, None, 10).notes == []
    assert feed.author_feed(coauthor, None, None, 10).notes == []


def test_leaving_a_draft_takes_the_coauthors_part_along(pair, make_user):
    author, coauthor, note = accepted(pair)
    coauthoring.update_contribution(coauthor, note.id, title="Tea", body="London",
                                    images=uploads(2))
    db.session.commit()
    coauthoring.leave_note(coauthor, note.id)
    db.session.commit()
    assert [i.position for i in note.images] == [0, 1]
    assert all(i.contributor_id is None for i in note.images)
    assert (note.coauthorship.title, note.coauthorship.body) == ("", "")

    newcomer = make_user()
    coauthoring.invite_coauthor(author, note.id, newcomer.id)
    coauthoring.leave_note(author, note.id)  # the author withdraws the invitation
    db.session.commit()
    assert note.coauthorship.status == "withdrawn" and notices(newcomer)[-1] == "co_cancel"
    notes.update_note(author, note.id, publish=True)  # alone again, the author may publish
    assert note.is_published


def test_screening_reads_the_coauthors_part_too(pair):
    from app.services.moderation.screening import load_content

    author, coauthor, note = accepted(pair)
    coauthoring.update_contribution(coauthor, note.id, title="London", body="Milk first")
    db.session.commit()
    content = load_content("note", note.id)
    assert content.text.startswith(f"{note.title}\n{note.body}")
    assert content.text.endswith("\nLondon\nMilk first")
