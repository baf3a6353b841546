"""Partnerships: brief, accept (fee reserved), publish (fee paid), cancel; label; access."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AdLedgerEntry, Notification
from app.services import ads, moderation
from app.services.errors import DomainError
from tests.ads_factories import campaign_input, decide_note_review
from tests.moderation_factories import add_rule

pytest_plugins = ["tests.ads_fixtures"]


def error_of(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    db.session.rollback()
    return caught.value


def propose(brand, creator, fee="150.00"):
    made = ads.propose_partnership(brand.owner, brand.org.id, creator_id=creator.email,
                                   title="Spring serum", brief="Two weeks, honest review",
                                   fee=fee)
    db.session.commit()
    return made


def kinds(account) -> list[str]:
    return list(db.session.scalars(select(AdLedgerEntry.kind).where(
        AdLedgerEntry.account_id == account.id).order_by(AdLedgerEntry.id)))


def test_the_whole_partnership_pays_the_fee_once_its_note_passes_review(
        make_brand, make_user, quick_note, reviewer):
    brand = make_brand(balance=20_000)
    creator = make_user()
    made = propose(brand, creator)
    notice = db.session.scalar(select(Notification).where(
        Notification.recipient_id == creator.id))
    assert notice.kind == "partner" and notice.actor_id == brand.owner.id
    ads.accept_partnership(creator, made.id)
    db.session.commit()
    db.session.refresh(brand.account)
    assert made.status == "accepted" and brand.account.balance_minor == 5_000
    note = quick_note(creator, "My serum routine")
    db.session.commit()
    assert ads.sponsor_names([note.id]) == {}
    ads.publish_partnership_note(creator, made.id, note.id)
    db.session.commit()
    # An ad now: held, in the queue, the fee still reserved until the review passes.
    assert made.status == "published" and made.note_id == note.id and not made.fee_paid_at
    db.session.refresh(note)
    assert note.moderation_state == "held"
    assert moderation.latest_case("note", note.id).status == "open"
    assert ads.settle_partnership_reviews() == []
    assert kinds(brand.account) == ["adjustment", "partnership_reserve"]
    # Under review, the brand cannot promote it yet.
    assert error_of(ads.create_campaign, brand.owner, brand.org.id,
                    campaign_input(brand, note_ids=[note.id])).code == "note_not_promotable"
    decide_note_review(reviewer, note.id)
    # Paid in the approval's own transaction, not by the next run of the sweep.
    db.session.refresh(made)
    assert made.status == "paid" and made.fee_paid_at
    db.session.commit()
    assert ads.settle_partnership_reviews() == []  # paid once
    assert ads.sponsor_names([note.id, brand.note.id]) == {note.id: brand.org.name}
    db.session.refresh(brand.account)
    assert brand.account.balance_minor == 5_000
    assert kinds(brand.account) == ["adjustment", "partnership_reserve",
                                    "partnership_release", "partnership_fee"]
    assert ads.ledger_sum_minor(brand.account.id) == 5_000
    # The published partnership note can now be promoted by the brand.
    campaign = ads.create_campaign(brand.owner, brand.org.id,
                                   campaign_input(brand, note_ids=[note.id]))
    assert campaign.note_ids == [note.id]


def test_accepting_needs_the_brands_balance(make_brand, make_user):
    brand = make_brand(balance=100)
    creator = make_user()
    made = propose(brand, creator)
    assert error_of(ads.accept_partnership, creator, made.id).code == "insufficient_balance"
    db.session.refresh(made)
    assert made.status == "proposed"


def test_cancelling_after_acceptance_returns_the_reserve(make_brand, make_user):
    brand = make_brand(balance=20_000)
    creator = make_user()
    made = propose(brand, creator)
    ads.accept_partnership(creator, made.id)
    ads.cancel_partnership(brand.owner, brand.org.id, made.id)
    db.session.commit()
    db.session.refresh(brand.account)
    assert made.status == "cancelled" and brand.account.balance_minor == 20_000
    assert error_of(ads.accept_partnership, creator, made.id).code == \
        "invalid_partnership_transition"


def test_a_declined_brief_cannot_be_accepted(make_brand, make_user):
    brand = make_brand(balance=20_000)
    creator = make_user()
    made = propose(brand, creator)
    ads.decline_partnership(creator, made.id)
    db.session.commit()
    assert error_of(ads.accept_partnership, creator, made.id).code == \
        "invalid_partnership_transition"


def test_only_the_creator_sees_and_answers_their_brief(make_brand, make_user, quick_note):
    brand, other = make_brand(balance=20_000), make_brand()
    creator, stranger = make_user(), make_user()
    made = propose(brand, creator)
    assert error_of(ads.accept_partnership, stranger, made.id).status == 404
    assert error_of(ads.get_brand_partnership, other.owner, other.org.id, made.id).status == 404
    assert ads.list_creator_partnerships(stranger) == []
    ads.accept_partnership(creator, made.id)
    db.session.commit()
    someone_elses = quick_note(stranger, "Not mine")
    draft = quick_note(creator, "Draft", status="draft")
    db.session.commit()
    assert error_of(ads.publish_partnership_note, creator, made.id,
                    someone_elses.id).code == "note_not_promotable"
    assert error_of(ads.publish_partnership_note, creator, made.id,
                    draft.id).code == "note_not_published"


def test_bad_briefs_name_their_fields(make_brand, make_user):
    brand = make_brand()
    error = error_of(ads.propose_partnership, brand.owner, brand.org.id,
                     creator_id="ghost@example.test", title="", brief="x",
                     fee={"amount": "10.00", "currency": "EUR"})
    assert {"creator_id", "title", "fee"} <= set(error.fields)


def test_a_partnership_note_is_screened_with_the_ad_rules_and_a_removal_reopens_the_brief(
        make_brand, make_user, quick_note, reviewer):
    add_rule(make_user(roles=("admin",)), "cures acne", market="JP", kind="ad_rule",
             reason_code="medical_claim", severity="high")
    brand = make_brand(balance=20_000)
    creator = make_user()
    made = propose(brand, creator)
    ads.accept_partnership(creator, made.id)
    note = quick_note(creator, "This serum cures acne overnight")
    db.session.commit()
    ads.publish_partnership_note(creator, made.id, note.id)
    db.session.commit()
    case = moderation.latest_case("note", note.id)
    assert case.held and "medical_claim" in [r["code"] for r in case.reasons]
    decide_note_review(reviewer, note.id, "remove", "medical_claim")
    db.session.commit()
    assert ads.settle_partnership_reviews() == []  # reopened by the removal itself
    db.session.refresh(made)
    db.session.refresh(brand.account)
    # Nothing paid: the fee stays reserved for the note the creator makes next.
    assert made.status == "accepted" and made.note_id is None and not made.fee_paid_at
    assert kinds(brand.account) == ["adjustment", "partnership_reserve"]
    assert ads.sponsor_names([note.id]) == {}
    # The brand can still withdraw the brief, and gets the reserve back.
    ads.cancel_partnership(brand.owner, brand.org.id, made.id)
    db.session.commit()
    assert kinds(brand.account)[-1] == "partnership_release"


def published_partnership(brand, creator, quick_note):
    made = propose(brand, creator)
    ads.accept_partnership(creator, made.id)
    note = quick_note(creator, "My serum routine")
    db.session.commit()
    ads.publish_partnership_note(creator, made.id, note.id)
    db.session.commit()
    return made, note


def test_a_second_approval_and_the_sweep_after_it_pay_nothing_more(
        make_brand, make_user, quick_note, reviewer):
    brand = make_brand(balance=20_000)
    creator = make_user()
    made, note = published_partnership(brand, creator, quick_note)
    decide_note_review(reviewer, note.id)
    db.session.commit()
    # Reported afterwards and approved again: the note was already paid for.
    moderation.report_content(make_user(), "note", note.id, "spam")
    decide_note_review(make_user(roles=("moderator",)), note.id)
    db.session.commit()
    assert ads.settle_partnership_reviews() == []
    db.session.commit()
    db.session.refresh(brand.account)
    assert kinds(brand.account) == ["adjustment", "partnership_reserve",
                                    "partnership_release", "partnership_fee"]
    assert brand.account.balance_minor == 5_000 == ads.ledger_sum_minor(brand.account.id)


def test_the_sweep_still_pays_a_note_whose_verdict_was_missed(make_brand, make_user,
                                                              quick_note):
    brand = make_brand(balance=20_000)
    creator = make_user()
    made, note = published_partnership(brand, creator, quick_note)
    # Shown again without a decision (say, the case was closed by hand in the database).
    note.moderation_state = "visible"
    db.session.commit()
    assert ads.settle_partnership_reviews() == [f"partnership {made.id}: fee paid"]
    assert ads.settle_partnership_reviews() == []
    db.session.commit()
    assert kinds(brand.account)[-2:] == ["partnership_release", "partnership_fee"]


def test_an_age_gated_partnership_note_is_paid_for(make_brand, make_user, quick_note,
                                                   reviewer):
    brand = make_brand(balance=20_000)
    creator = make_user()
    made, note = published_partnership(brand, creator, quick_note)
    decide_note_review(reviewer, note.id, "age_gate", "nudity")
    db.session.commit()
    db.session.refresh(made)
    assert made.status == "paid"
    assert kinds(brand.account)[-2:] == ["partnership_release", "partnership_fee"]
    assert ads.settle_partnership_reviews() == []
