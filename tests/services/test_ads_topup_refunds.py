"""A top-up refunded at Stripe (the dashboard, a dispute) reaches the balance through the
webhook: debited once per refund, the part already spent owed, serving stopped until a
top-up pays it."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AdLedgerEntry, AdTopUpRefund
from app.services import ads
from app.services.ads.snapshot import build_snapshot
from app.services.errors import DomainError
from tests.ad_delivery_factories import live_campaign
from tests.localstripe_server import Sandbox

pytest_plugins = ["tests.ads_fixtures", "tests.localstripe_server"]


def paid_topup(sandbox: Sandbox, brand, amount: str):
    topup = ads.start_topup(brand.owner, brand.account, amount)
    db.session.commit()
    ads.open_topup_intent(topup)
    db.session.commit()
    ads.confirm_sandbox_topup(topup, sandbox.card_token())
    db.session.commit()
    return topup


def refund_in_dashboard(sandbox: Sandbox, intent_id: str, amount_minor: int) -> dict:
    """What a refund from Stripe's dashboard is: no metadata of ours."""
    return sandbox._call("POST", "/v1/refunds", {"payment_intent": intent_id,
                                                 "amount": str(amount_minor)})


def event(kind: str, obj: dict) -> dict:
    """A Stripe event (localstripe sends none for refunds), signed when delivered."""
    return {"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": kind,
            "created": int(time.time()), "data": {"object": obj}}


def error_of(call, *args) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args)
    db.session.rollback()
    return caught.value


def ledger(account) -> list[tuple[str, int]]:
    return [(e.kind, e.amount_minor) for e in db.session.scalars(
        select(AdLedgerEntry).where(AdLedgerEntry.account_id == account.id)
        .order_by(AdLedgerEntry.id))]


def test_a_dashboard_refund_debits_what_is_left_and_the_rest_is_owed(
        client, stripe_sandbox, make_brand, login):
    brand = make_brand()
    topup = paid_topup(stripe_sandbox, brand, "100")
    campaign = live_campaign(brand.org, brand.note)
    ads.post_entry(brand.account, "campaign_reserve", -7000, reference_type="campaign",
                   reference_id=campaign.id)
    db.session.commit()
    assert campaign.id in build_snapshot(campaign.starts_at).campaigns

    refund = refund_in_dashboard(stripe_sandbox, topup.intent_id, 5000)
    charge = {"id": refund["charge"], "object": "charge", "amount_refunded": 5000,
              "payment_intent": topup.intent_id}
    answer = stripe_sandbox.deliver(client, event("charge.refunded", charge))
    assert answer.status_code == 200
    assert answer.get_json()["outcome"] == f"{refund['id']}: debited 3000, owed 2000"
    db.session.refresh(brand.account)
    assert (brand.account.balance_minor, brand.account.debt_minor) == (0, 2000)
    assert ledger(brand.account)[-1] == ("topup_refund", -3000)
    assert ads.ledger_sum_minor(brand.account.id) == 0
    db.session.refresh(topup)
    assert topup.state == "succeeded"  # half of it is still paid
    # Owing, the account's campaigns stop serving, and the portal says why.
    assert campaign.id not in build_snapshot(campaign.starts_at).campaigns
    login(brand.owner)
    page = client.get(f"/brand/{brand.org.id}/balance").get_data(as_text=True)
    assert 'data-testid="account-debt"' in page and "$20.00 is owed" in page

    # Stripe's refund.created for the same refund, and redeliveries, change nothing.
    again = stripe_sandbox.deliver(client, event("refund.created", refund))
    assert again.get_json()["outcome"] == f"{refund['id']}: already recorded"
    assert db.session.scalar(select(AdTopUpRefund.debt_minor).where(
        AdTopUpRefund.provider_refund_id == refund["id"])) == 2000
    db.session.refresh(brand.account)
    assert (brand.account.balance_minor, brand.account.debt_minor) == (0, 2000)

    # The next top-up pays the debt first; serving resumes.
    paid_topup(stripe_sandbox, brand, "50")
    db.session.refresh(brand.account)
    assert (brand.account.balance_minor, brand.account.debt_minor) == (3000, 0)
    assert ledger(brand.account)[-2:] == [("topup", 5000), ("debt_repayment", -2000)]
    assert ads.ledger_sum_minor(brand.account.id) == brand.account.balance_minor
    assert campaign.id in build_snapshot(campaign.starts_at).campaigns


def test_a_full_refund_covered_by_the_balance_closes_the_top_up(client, stripe_sandbox,
                                                                 make_brand):
    brand = make_brand()
    topup = paid_topup(stripe_sandbox, brand, "80")
    refund = refund_in_dashboard(stripe_sandbox, topup.intent_id, 8000)
    answer = stripe_sandbox.deliver(client, event("refund.created", refund))
    assert answer.get_json()["outcome"] == f"{refund['id']}: debited 8000"
    db.session.refresh(brand.account)
    db.session.refresh(topup)
    assert (brand.account.balance_minor, brand.account.debt_minor) == (0, 0)
    assert topup.state == "refunded"
    # Nothing is left to refund from the portal.
    assert error_of(ads.refund_topup, brand.owner, topup.id).code == "topup_not_refundable"


def test_a_refund_made_in_qiao_is_not_debited_again_by_its_webhook(
        client, stripe_sandbox, make_brand):
    brand = make_brand()
    topup = paid_topup(stripe_sandbox, brand, "60")
    stripe_sandbox.proxy.answers.clear()  # refund keys of earlier tests' top-up ids
    ads.refund_topup(brand.owner, topup.id)
    db.session.commit()
    [refund] = stripe_sandbox._call(
        "GET", f"/v1/refunds?payment_intent={topup.intent_id}&limit=100")["data"]
    answer = stripe_sandbox.deliver(client, event("refund.updated", refund))
    assert answer.get_json()["outcome"] == "no refund made at the provider"
    db.session.refresh(brand.account)
    assert (brand.account.balance_minor, brand.account.debt_minor) == (0, 0)
    assert ledger(brand.account) == [("topup", 6000), ("topup_refund", -6000)]


def test_a_partial_dashboard_refund_leaves_the_rest_to_refund_in_qiao(
        client, stripe_sandbox, make_brand):
    brand = make_brand()
    topup = paid_topup(stripe_sandbox, brand, "100")
    refund = refund_in_dashboard(stripe_sandbox, topup.intent_id, 4000)
    stripe_sandbox.deliver(client, event("refund.created", refund))
    # The proxy replays answers per key for the whole session, and rolled-back tests reuse
    # top-up ids (so refund keys): forget them, as a fresh database would not repeat one.
    stripe_sandbox.proxy.answers.clear()
    ads.refund_topup(brand.owner, topup.id)
    db.session.commit()
    db.session.refresh(brand.account)
    assert brand.account.balance_minor == 0
    assert ledger(brand.account) == [("topup", 10000), ("topup_refund", -4000),
                                     ("topup_refund", -6000)]
    amounts = [r["amount"] for r in stripe_sandbox._call(
        "GET", f"/v1/refunds?payment_intent={topup.intent_id}&limit=100")["data"]]
    assert sorted(amounts) == [4000, 6000]
