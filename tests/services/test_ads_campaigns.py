"""Campaigns: validation with field paths, review, budget reserve and release, the job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AdLedgerEntry,
    Campaign,
    Membership,
    Notification,
    Partnership,
    Topic,
    utcnow,
)
from app.services import ads, moderation
from app.services.errors import DomainError
from tests.ads_factories import campaign_input, decide_in_queue, fund
from tests.moderation_factories import add_rule

pytest_plugins = ["tests.ads_fixtures"]


def error_of(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    db.session.rollback()
    return caught.value


def create(brand, **overrides) -> Campaign:
    campaign = ads.create_campaign(brand.owner, brand.org.id, campaign_input(brand, **overrides))
    db.session.commit()
    return campaign


def submitted(brand, **overrides) -> Campaign:
    campaign = create(brand, **overrides)
    ads.submit_campaign(brand.owner, brand.org.id, campaign.id)
    db.session.commit()
    return campaign


def test_a_draft_is_created_with_pricing_from_its_objective(make_brand):
    brand = make_brand()
    campaign = create(brand)
    assert (campaign.status, campaign.pricing, campaign.bid_minor) == ("draft", "cpc", 50)
    assert campaign.currency == "USD" and campaign.note_ids == [brand.note.id]
    assert campaign.countries == ["JP"] and campaign.languages == ["en", "ja"]
    awareness = create(brand, objective="awareness", bid={"amount": "2.00",
                                                          "currency": "USD"})
    assert awareness.pricing == "cpm"


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"budget": {"amount": "0.40", "currency": "USD"}, "daily_cap": None}, "budget",
     "budget_below_bid"),
    ({"daily_cap": {"amount": "0.10", "currency": "USD"}}, "daily_cap", "daily_cap_below_bid"),
    ({"bid": {"amount": "0.01", "currency": "USD"}}, "bid", "bid_below_minimum"),
    ({"bid": {"amount": "0.50", "currency": "EUR"}}, "bid", "currency_mismatch"),
    ({"targeting": {"countries": ["XX"]}}, "targeting.countries", "invalid_country"),
    ({"targeting": {"languages": ["klingon"]}}, "targeting.languages", "unknown_language"),
    ({"targeting": {"topics": ["nosuchtopic"]}}, "targeting.topics", "unknown_topic"),
    ({"objective": "fame"}, "objective", "invalid_objective"),
])
def test_bad_input_names_the_field_and_its_code(make_brand, overrides, field, code):
    brand = make_brand()
    error = error_of(ads.create_campaign, brand.owner, brand.org.id,
                     campaign_input(brand, **overrides))
    assert error.code == code and field in error.fields
    assert db.session.scalar(select(Campaign.id)) is None


def test_flights_in_the_past_or_reversed_are_refused(make_brand):
    brand = make_brand()
    now = utcnow()
    past = error_of(ads.create_campaign, brand.owner, brand.org.id, campaign_input(
        brand, starts_at=(now - timedelta(days=2)).isoformat()))
    assert past.code == "flight_in_past" and "starts_at" in past.fields
    reversed_ = error_of(ads.create_campaign, brand.owner, brand.org.id, campaign_input(
        brand, starts_at=(now + timedelta(days=3)).isoformat(),
        ends_at=(now + timedelta(days=2)).isoformat()))
    assert reversed_.code == "flight_reversed" and "ends_at" in reversed_.fields


def test_naive_flight_times_are_read_in_the_brands_time_zone(make_brand):
    brand = make_brand(time_zone="Asia/Tokyo")
    campaign = create(brand, starts_at="2099-03-01T09:00", ends_at="2099-03-08T09:00")
    assert campaign.starts_at.isoformat() == "2099-03-01T00:00:00+00:00"


def test_topics_must_exist_and_are_case_folded(make_brand):
    brand = make_brand()
    db.session.add(Topic(name="skincare", note_count=1))
    db.session.commit()
    campaign = create(brand, targeting={"topics": ["#SkinCare"]})
    assert campaign.topics == ["skincare"]


def test_another_brands_note_or_an_unpublished_partnership_note_is_not_promotable(
        make_brand, make_user, quick_note):
    brand, other = make_brand(), make_brand()
    error = error_of(ads.create_campaign, brand.owner, brand.org.id,
                     campaign_input(brand, note_ids=[other.note.id]))
    assert error.code == "note_not_promotable" and "note_ids.0" in error.fields
    creator = make_user()
    note = quick_note(creator, "Creator note")
    db.session.add(Partnership(organization_id=brand.org.id, account_id=brand.account.id,
                               creator_id=creator.id, title="t", brief="b", fee_minor=100,
                               currency="USD", status="accepted"))
    db.session.commit()
    assert error_of(ads.create_campaign, brand.owner, brand.org.id,
                    campaign_input(brand, note_ids=[note.id])).code == "note_not_promotable"


def test_another_brands_campaign_is_not_found(make_brand):
    brand, other = make_brand(), make_brand()
    campaign = create(brand)
    assert error_of(ads.get_brand_campaign, other.owner, other.org.id,
                    campaign.id).status == 404
    assert error_of(ads.get_brand_campaign, other.owner, brand.org.id,
                    campaign.id).status == 404
    assert error_of(ads.submit_campaign, other.owner, other.org.id, campaign.id).status == 404


def test_only_drafts_are_edited_and_submitted_once(make_brand):
    brand = make_brand()
    campaign = submitted(brand)
    assert campaign.status == "in_review" and campaign.submitted_at is not None
    assert error_of(ads.update_campaign, brand.owner, brand.org.id, campaign.id,
                    {"name": "x"}).code == "campaign_not_editable"
    assert error_of(ads.submit_campaign, brand.owner, brand.org.id,
                    campaign.id).code == "invalid_campaign_transition"
    ads.withdraw_campaign(brand.owner, brand.org.id, campaign.id)
    ads.update_campaign(brand.owner, brand.org.id, campaign.id, {"name": "Renamed"})
    db.session.commit()
    assert campaign.name == "Renamed" and campaign.status == "draft"


def test_approval_in_the_queue_reserves_the_budget_and_refuses_when_the_balance_is_short(
        make_brand, reviewer):
    brand = make_brand(balance=5000)
    campaign = submitted(brand)
    error = error_of(decide_in_queue, reviewer, campaign.id)
    assert error.code == "insufficient_balance" and error.status == 422
    db.session.refresh(campaign)
    assert campaign.status == "in_review" and brand.account.balance_minor == 5000
    assert moderation.latest_case("campaign", campaign.id).status == "open"
    fund(brand.account, 10_000)
    decide_in_queue(reviewer, campaign.id)
    db.session.commit()
    assert campaign.status == "scheduled" and campaign.reviewed_by_id == reviewer.id
    db.session.refresh(brand.account)
    assert brand.account.balance_minor == 5000
    assert ads.ledger_sum_minor(brand.account.id) == 5000
    assert error_of(decide_in_queue, reviewer, campaign.id).code == "case_already_decided"
    notices = db.session.scalars(select(Notification).where(
        Notification.campaign_id == campaign.id)).all()
    assert [(n.recipient_id, n.kind, n.campaign_event) for n in notices] == \
        [(brand.owner.id, "partner", "approved")]


def test_brand_staff_cannot_decide_their_own_campaign(make_brand):
    brand = make_brand(balance=20_000)
    campaign = submitted(brand)
    assert error_of(decide_in_queue, brand.owner, campaign.id).status == 403


def test_only_approve_or_reject_apply_to_a_campaign(make_brand, reviewer):
    brand = make_brand(balance=20_000)
    campaign = submitted(brand)
    error = error_of(decide_in_queue, reviewer, campaign.id, "age_gate", "other")
    assert error.code == "action_not_for_campaign" and "action" in error.fields


def test_rejection_keeps_the_reason_code_reserves_nothing_and_can_be_appealed_once(
        make_brand, reviewer, make_user):
    brand = make_brand(balance=20_000)
    campaign = submitted(brand)
    decide_in_queue(reviewer, campaign.id, "remove", "medical_claim", "Cure claim in title")
    db.session.commit()
    assert campaign.status == "rejected" and campaign.rejection_code == "medical_claim"
    assert campaign.rejection_reason == "Cure claim in title"
    db.session.refresh(brand.account)
    assert brand.account.balance_minor == 20_000
    assert error_of(ads.appeal_rejection, make_user(), brand.org.id, campaign.id).status \
        in (403, 404)
    ads.appeal_rejection(brand.owner, brand.org.id, campaign.id, "We removed the claim")
    db.session.commit()
    assert error_of(ads.appeal_rejection, brand.owner, brand.org.id,
                    campaign.id).code == "already_appealed"
    assert error_of(decide_in_queue, reviewer, campaign.id).code == \
        "appeal_needs_other_moderator"
    second = make_user(roles=("moderator",))
    decide_in_queue(second, campaign.id)
    db.session.commit()
    db.session.refresh(campaign)
    assert campaign.status == "scheduled" and campaign.rejection_code is None
    db.session.refresh(brand.account)
    assert brand.account.balance_minor == 20_000 - campaign.budget_minor
    events = db.session.scalars(select(Notification.campaign_event).where(
        Notification.campaign_id == campaign.id).order_by(Notification.id)).all()
    assert events == ["rejected", "reinstated"]


def test_withdrawing_closes_the_case_and_resubmitting_opens_a_new_one(make_brand, reviewer):
    brand = make_brand(balance=20_000)
    campaign = submitted(brand)
    first = moderation.latest_case("campaign", campaign.id)
    ads.withdraw_campaign(brand.owner, brand.org.id, campaign.id)
    db.session.commit()
    assert first.status == "closed"
    assert error_of(decide_in_queue, reviewer, campaign.id).code == "case_already_decided"
    ads.submit_campaign(brand.owner, brand.org.id, campaign.id)
    db.session.commit()
    assert moderation.latest_case("campaign", campaign.id).id != first.id


def test_completion_releases_the_unspent_budget(make_brand, reviewer):
    brand = make_brand(balance=20_000)
    campaign = submitted(brand, starts_at=utcnow().isoformat())
    decide_in_queue(reviewer, campaign.id)
    db.session.commit()
    assert campaign.status == "active"
    campaign.spent_minor = 2_550
    db.session.commit()
    ads.pause_campaign(brand.owner, brand.org.id, campaign.id)
    ads.resume_campaign(brand.owner, brand.org.id, campaign.id)
    ads.complete_campaign(brand.owner, brand.org.id, campaign.id)
    db.session.commit()
    assert campaign.status == "completed" and campaign.released_minor == 7_450
    db.session.refresh(brand.account)
    assert brand.account.balance_minor == 20_000 - 2_550
    assert ads.ledger_sum_minor(brand.account.id) == brand.account.balance_minor
    kinds = db.session.scalars(select(AdLedgerEntry.kind).where(
        AdLedgerEntry.account_id == brand.account.id).order_by(AdLedgerEntry.id)).all()
    assert kinds == ["adjustment", "campaign_reserve", "campaign_release"]
    assert error_of(ads.resume_campaign, brand.owner, brand.org.id, campaign.id).code == \
        "invalid_campaign_transition"


def test_the_job_moves_campaigns_by_their_flight_dates(make_brand, reviewer):
    brand = make_brand(balance=50_000)
    campaign = submitted(brand)
    decide_in_queue(reviewer, campaign.id)
    db.session.commit()
    assert ads.advance_campaigns(now=campaign.starts_at - timedelta(minutes=1)) == 0
    assert ads.advance_campaigns(now=campaign.starts_at + timedelta(minutes=1)) == 1
    db.session.commit()
    db.session.refresh(campaign)
    assert campaign.status == "active"
    assert ads.advance_campaigns(now=campaign.ends_at) == 1
    db.session.commit()
    db.session.refresh(campaign)
    assert campaign.status == "completed" and campaign.released_minor == 10_000
    db.session.refresh(brand.account)
    assert brand.account.balance_minor == 50_000
    assert db.session.scalars(select(Notification.campaign_event).where(
        Notification.campaign_id == campaign.id).order_by(Notification.id)).all() == \
        ["approved", "flight_ended"]


def test_the_brand_and_the_partnered_creator_hear_when_the_budget_is_spent(
        make_brand, make_user, quick_note, reviewer):
    brand = make_brand(balance=50_000)
    teammate = make_user()
    db.session.add(Membership(organization_id=brand.org.id, user_id=teammate.id,
                              role="staff"))
    creator = make_user()
    note = quick_note(creator, "Two weeks with the serum")
    db.session.add(Partnership(organization_id=brand.org.id, account_id=brand.account.id,
                               creator_id=creator.id, title="Serum review", brief="Try it",
                               fee_minor=100, currency="USD", status="paid",
                               note_id=note.id))
    db.session.commit()
    campaign = submitted(brand, note_ids=[note.id], starts_at=utcnow().isoformat())
    decide_in_queue(reviewer, campaign.id)
    campaign.spent_minor = campaign.budget_minor
    db.session.commit()
    assert ads.advance_campaigns() == 1
    db.session.commit()
    spent = db.session.scalars(select(Notification).where(
        Notification.campaign_id == campaign.id,
        Notification.campaign_event == "budget_spent")).all()
    assert sorted((n.recipient_id, n.note_id) for n in spent) == sorted(
        [(brand.owner.id, None), (teammate.id, None), (creator.id, note.id)])


def test_the_balance_never_goes_negative(make_brand):
    brand = make_brand(balance=100)
    error = error_of(ads.post_entry, brand.account, "campaign_reserve", -101)
    assert error.code == "insufficient_balance"
    db.session.refresh(brand.account)
    assert brand.account.balance_minor == 100
    ads.post_entry(brand.account, "campaign_reserve", -100)
    db.session.commit()
    assert brand.account.balance_minor == 0


def test_submission_screens_against_each_target_markets_ad_rules(
        make_brand, quick_note, make_user):
    admin_user = make_user(roles=("admin",))
    add_rule(admin_user, "根治", market="CN", kind="ad_rule", reason_code="medical_claim",
             severity="high")
    add_rule(admin_user, "fda approved", market="US", kind="ad_rule",
             reason_code="medical_claim", severity="medium")
    db.session.commit()
    brand = make_brand(balance=20_000)
    note = quick_note(brand.owner, "这款精华根治痘痘", "FDA approved serum")
    db.session.commit()
    campaign = submitted(brand, note_ids=[note.id], targeting={"countries": ["CN", "JP"]})
    assert [(f["code"], f["market"], f["text"]) for f in campaign.review_findings] == \
        [("medical_claim", "CN", "根治")]  # the US rule is not for a CN/JP campaign
    case = moderation.latest_case("campaign", campaign.id)
    assert case.market_codes == ["CN", "JP"] and case.status == "open"
    assert moderation.item_text("campaign", campaign)[slice(*case.reasons[0]["spans"][0])] \
        == "根治"
    us_only = make_user(roles=("moderator",))
    us_only.platform_roles[0].markets = ["US"]
    assert error_of(moderation.case_in_scope, us_only, case.id).code == \
        "outside_moderator_scope"
    clean = submitted(brand, name="Clean one")
    assert clean.review_findings == []


def test_a_creator_boosts_their_own_published_note(make_user, quick_note, reviewer):
    creator = make_user()
    note = quick_note(creator, "My tea ritual")
    others = quick_note(make_user(), "Someone else's")
    account = ads.open_creator_account(creator, currency="USD", time_zone="UTC")
    db.session.commit()
    assert error_of(ads.create_boost, creator, note.id).code == "insufficient_balance"
    fund(account, 1_000)
    boost = ads.create_boost(creator, note.id)
    db.session.commit()
    assert boost.is_boost and boost.organization_id is None and boost.status == "in_review"
    assert boost.budget_minor == 500 and boost.pricing == "cpm"
    assert error_of(ads.create_boost, creator, others.id).code == "note_not_promotable"
    decide_in_queue(reviewer, boost.id)
    db.session.commit()
    db.session.refresh(account)
    assert account.balance_minor == 500
    assert [c.id for c in ads.list_own_boosts(creator)][0] == boost.id
    assert error_of(ads.get_own_boost, make_user(), boost.id).status == 404


def test_a_bulk_decision_refuses_a_campaign_it_cannot_apply_to_and_decides_the_rest(
        make_brand, reviewer):
    funded, short = make_brand(balance=20_000), make_brand(balance=100)
    good, unfunded = submitted(funded), submitted(short)
    cases = [moderation.latest_case("campaign", c.id).id for c in (good, unfunded)]
    refused = moderation.decide_cases(reviewer, cases, moderation.DecisionInput(
        "warn", "other", []))
    assert refused.decided == [] and set(refused.refused.values()) == \
        {"action_not_for_campaign"}
    outcome = moderation.decide_cases(reviewer, cases, moderation.DecisionInput(
        "approve", "no_violation", []))
    db.session.commit()
    assert outcome.decided == [cases[0]]
    assert outcome.refused == {cases[1]: "insufficient_balance"}
    db.session.refresh(good)
    db.session.refresh(unfunded)
    assert (good.status, unfunded.status) == ("scheduled", "in_review")


def test_the_brand_is_emailed_decisions_and_the_end_in_its_own_language(
        make_brand, reviewer, make_user, outbox):
    brand = make_brand(balance=20_000)
    chinese = make_user(locale="zh")
    db.session.add(Membership(organization_id=brand.org.id, user_id=chinese.id, role="staff"))
    db.session.commit()
    rejected = submitted(brand, name="Cure serum")
    decide_in_queue(reviewer, rejected.id, "remove", "medical_claim", "No cure claims")
    approved = submitted(brand, name="Glow serum", starts_at=utcnow().isoformat())
    decide_in_queue(reviewer, approved.id)
    approved.spent_minor = approved.budget_minor
    db.session.commit()
    ads.advance_campaigns()
    db.session.commit()
    mails = {(m.to_address, m.subject) for m in outbox("campaign_notice")}
    assert mails == {
        (brand.owner.email, "Your ad campaign “Cure serum” was not approved"),
        (brand.owner.email, "Your ad campaign “Glow serum” is approved"),
        (brand.owner.email, "Your ad campaign “Glow serum” has spent its budget"),
        (chinese.email, "你的广告活动“Cure serum”未获批准"),
        (chinese.email, "你的广告活动“Glow serum”已获批准"),
        (chinese.email, "你的广告活动“Glow serum”预算已用完"),
    }
    [rejection] = outbox("campaign_notice", to=brand.owner.email)[:1]
    assert "No cure claims" in rejection.body_text
    assert f"/brand/{brand.org.id}/campaigns/{rejected.id}" in rejection.body_text
