"""The demo's co-created notes: two published across the border, one invitation, once."""

from __future__ import annotations

from sqlalchemy import select

from app.demo.coauthored_notes import seed_coauthored_notes
from app.extensions import db
from app.models import Note, NoteCoauthor


def test_two_published_notes_and_an_open_invitation_seeded_once(make_user):
    for email, country in (("creator@example.com", "CN"), ("sophie@example.com", "GB"),
                           ("ana@example.com", "US")):
        make_user(email, home_country=country)
    assert seed_coauthored_notes() == [
        "Co-created notes: 2 published across the border, 1 invitation waiting for "
        "creator@example.com"]
    db.session.commit()
    links = list(db.session.scalars(select(NoteCoauthor).order_by(NoteCoauthor.id)))
    assert [(link.status, link.note.status) for link in links] == [
        ("accepted", "published"), ("accepted", "published"), ("invited", "draft")]
    for link in links[:2]:
        assert link.note.author.home_country == "CN" and link.coauthor.home_country != "CN"
        assert (link.note.language, link.language) == ("zh", "en")
        assert {image.contributor_id for image in link.note.images} == {None, link.coauthor_id}
    assert seed_coauthored_notes() == ["Co-created notes: already there"]
    assert db.session.scalar(select(db.func.count(Note.id))) == 3
