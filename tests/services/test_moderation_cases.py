"""Moderation cases: one open case per item, holding, audit log append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLogEntry, AuditLogIsAppendOnly, ModerationCase
from app.services import moderation
from app.services.errors import NotFound
from app.services.social.notes import get_note

pytest_plugins = ["tests.notes_fixtures"]


def test_open_case_is_idempotent_per_target_and_merges_reasons(make_user, quick_note):
    author = make_user(home_country="US")
    note = quick_note(author, body="buy cheap pills", language="en")
    first = moderation.open_case("note", note.id, source="rules", reasons=[
        {"code": "drugs", "severity": "high", "spans": [[10, 15]]}], markets=["GB"],
        language="en", hold=False)
    second = moderation.open_case("note", note.id, source="classifier", reasons=[
        {"code": "spam", "severity": "low", "spans": []}], markets=["US"], language="en",
        hold=False)
    assert first.id == second.id
    assert db.session.scalar(select(func.count(ModerationCase.id))) == 1
    assert [r["code"] for r in second.reasons] == ["drugs", "spam"]
    assert second.severity == 3  # high
    assert set(second.market_codes) == {"US", "GB"}
    assert second.screened and not second.reported
    assert second.owner_id == author.id
    assert note.moderation_state == "visible"


def test_hold_hides_the_note_from_everyone_but_its_author(make_user, quick_note):
    author, other = make_user(), make_user()
    note = quick_note(author)
    moderation.open_case("note", note.id, source="rules", reasons=[
        {"code": "hate", "severity": "critical", "spans": [[0, 3]]}], markets=[],
        language="en", hold=True)
    db.session.commit()
    assert note.moderation_state == "held"
    assert get_note(author, note.id).id == note.id
    with pytest.raises(NotFound):
        get_note(other, note.id)
    with pytest.raises(NotFound):
        get_note(None, note.id)


def test_unknown_target_or_reason_without_code_is_refused(make_user, quick_note):
    with pytest.raises(ValueError):
        moderation.open_case("order", 1, source="rules", reasons=[], markets=[],
                             language=None, hold=False)
    note = quick_note(make_user())
    with pytest.raises(ValueError):
        moderation.open_case("note", note.id, source="rules", reasons=[{"severity": "low"}],
                             markets=[], language=None, hold=False)


def test_audit_log_is_append_only(make_user):
    actor = make_user()
    entry = moderation.record_audit(actor, "rule_change", target_type="rule", target_id=7,
                                    details={"version": 2})
    db.session.commit()
    entry.action = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditLogEntry, entry.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditLogEntry, entry.id).action == "rule_change"
