"""Ads review for moderators, and the creator's partnership and boost pages."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Partnership
from app.services import ads
from tests.ads_factories import campaign_input, fund

pytest_plugins = ["tests.ads_fixtures"]


def text(response) -> str:
    return response.get_data(as_text=True)


def in_review(brand, **overrides):
    campaign = ads.create_campaign(brand.owner, brand.org.id, campaign_input(brand, **overrides))
    ads.submit_campaign(brand.owner, brand.org.id, campaign.id)
    db.session.commit()
    return campaign


def test_a_moderator_approves_from_the_queue(client, login, make_brand, reviewer, post_form):
    brand = make_brand(balance=50_000)
    campaign = in_review(brand, name="Cures dry skin overnight")
    login(reviewer)
    queue = text(client.get("/admin/ads"))
    assert "Cures dry skin overnight" in queue and 'data-testid="flag-count"' in queue
    detail = text(client.get(f"/admin/ads/{campaign.id}"))
    assert "Medical or cure claim" in detail and "“cures”" in detail
    response = post_form(f"/admin/ads/{campaign.id}/approve", {},
                         page=f"/admin/ads/{campaign.id}")
    assert response.status_code == 302
    db.session.refresh(campaign)
    db.session.refresh(brand.account)
    assert campaign.status == "scheduled" and brand.account.balance_minor == 40_000


def test_a_rejection_needs_a_reason_the_brand_then_sees(app, client, login, make_brand,
                                                        reviewer, post_form):
    brand = make_brand(balance=50_000)
    campaign = in_review(brand)
    login(reviewer)
    page = f"/admin/ads/{campaign.id}"
    empty = post_form(f"/admin/ads/{campaign.id}/reject", {"reason": ""}, page=page)
    assert empty.status_code == 422
    post_form(f"/admin/ads/{campaign.id}/reject", {"reason": "Blurry creative"}, page=page)
    db.session.refresh(campaign)
    assert campaign.status == "rejected"
    brand_browser = app.test_client()
    login(brand.owner, target=brand_browser)
    detail = text(brand_browser.get(f"/brand/{brand.org.id}/campaigns/{campaign.id}"))
    assert "Blurry creative" in detail


def test_short_balance_shows_the_error_and_keeps_the_campaign_in_review(
        client, login, make_brand, reviewer, post_form):
    brand = make_brand(balance=100)
    campaign = in_review(brand)
    login(reviewer)
    post_form(f"/admin/ads/{campaign.id}/approve", {}, page=f"/admin/ads/{campaign.id}")
    page = text(client.get(f"/admin/ads/{campaign.id}"))
    assert "does not cover" in page
    db.session.refresh(campaign)
    assert campaign.status == "in_review"


def test_shoppers_and_brand_staff_cannot_review(app, client, login, make_brand, make_user):
    brand = make_brand()
    login(brand.owner)
    assert client.get("/admin/ads").status_code == 403
    shopper = app.test_client()
    login(make_user(), target=shopper)
    assert shopper.get("/admin/ads").status_code == 403


def test_the_creator_accepts_and_publishes_and_the_note_is_labelled(
        client, login, make_brand, make_user, quick_note, post_form):
    brand = make_brand(balance=50_000, name="Lumi Beauty")
    creator = make_user()
    ads.propose_partnership(brand.owner, brand.org.id, creator_id=creator.id,
                            title="Serum review", brief="Two weeks", fee="100")
    db.session.commit()
    partnership = db.session.scalar(select(Partnership))
    login(creator)
    assert "sent you a paid partnership brief" in text(client.get("/notifications"))
    page = text(client.get("/account/partnerships"))
    assert "Serum review" in page and "$100.00" in page
    post_form(f"/account/partnerships/{partnership.id}/accept", {},
              page="/account/partnerships")
    db.session.refresh(partnership)
    assert partnership.status == "accepted"
    note = quick_note(creator, "My two weeks with the serum")
    db.session.commit()
    post_form(f"/account/partnerships/{partnership.id}/publish", {"note_id": str(note.id)},
              page="/account/partnerships")
    db.session.refresh(partnership)
    assert partnership.status == "paid"
    shown = text(client.get(f"/notes/{note.id}"))
    assert "Sponsored · with Lumi Beauty" in shown
    profile = text(client.get(f"/u/{creator.id}"))
    assert "Sponsored · with Lumi Beauty" in profile


def test_another_creators_brief_is_404(client, login, make_brand, make_user, post_form):
    brand = make_brand(balance=50_000)
    creator = make_user()
    made = ads.propose_partnership(brand.owner, brand.org.id, creator_id=creator.id,
                                   title="Serum review", brief="Two weeks", fee="100")
    db.session.commit()
    login(make_user())
    response = post_form(f"/account/partnerships/{made.id}/accept", {},
                         page="/account/partnerships")
    assert response.status_code == 404


def test_a_creator_boosts_a_note_from_the_boost_balance(client, login, make_user,
                                                        quick_note, post_form):
    creator = make_user(home_country="US")
    note = quick_note(creator, "Tea ritual")
    db.session.commit()
    login(creator)
    assert "Open my boost balance" in text(client.get("/account/boosts"))
    post_form("/account/boosts/account", {"currency": "USD", "time_zone": "UTC"},
              page="/account/boosts")
    account = ads.creator_account(creator)
    fund(account, 1_000)
    response = post_form("/account/boosts", {"note_id": str(note.id)}, page="/account/boosts")
    assert response.status_code == 302
    page = text(client.get("/account/boosts"))
    assert "Boost: Tea ritual" in page and 'data-status="in_review"' in page
