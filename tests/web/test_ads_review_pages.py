"""Ads review for moderators, and the creator's partnership and boost pages."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Partnership, utcnow
from app.services import ads, moderation
from tests.ads_factories import campaign_input, decide_in_queue, decide_note_review, fund
from tests.customs_factories import pdf_text

pytest_plugins = ["tests.ads_fixtures"]


def text(response) -> str:
    return response.get_data(as_text=True)


def in_review(brand, **overrides):
    campaign = ads.create_campaign(brand.owner, brand.org.id, campaign_input(brand, **overrides))
    ads.submit_campaign(brand.owner, brand.org.id, campaign.id)
    db.session.commit()
    return campaign


def case_of(campaign):
    return moderation.latest_case("campaign", campaign.id)


def test_a_moderator_approves_from_the_queue(app, client, login, make_brand, reviewer,
                                             post_form):
    brand = make_brand(balance=50_000)
    campaign = in_review(brand, name="Glow serum launch")
    login(reviewer)
    assert client.get("/admin/ads").headers["Location"].endswith(
        "/admin/moderation?target_type=campaign")
    queue = text(client.get("/admin/moderation?target_type=campaign"))
    assert "Glow serum launch" in queue and 'data-testid="campaign-preview"' in queue
    case = case_of(campaign)
    assert client.get(f"/admin/ads/{campaign.id}").headers["Location"].endswith(
        f"/admin/moderation/items/{case.id}")
    page = f"/admin/moderation/items/{case.id}"
    detail = text(client.get(page))
    assert 'data-testid="campaign-facts"' in detail and "Reject the ad" in detail
    assert 'value="age_gate"' not in detail
    response = post_form(f"{page}/decision", {"action": "approve", "reason_code": "no_violation"},
                         page=page)
    assert response.status_code == 303
    db.session.refresh(campaign)
    assert campaign.status == "scheduled"
    db.session.refresh(brand.account)
    assert brand.account.balance_minor == 50_000 - campaign.budget_minor


def test_a_rejection_reaches_the_brand_in_its_language_and_it_may_appeal(
        app, client, login, make_brand, reviewer, post_form):
    brand = make_brand(balance=20_000)
    campaign = in_review(brand)
    login(reviewer)
    page = f"/admin/moderation/items/{case_of(campaign).id}"
    post_form(f"{page}/decision", {"action": "remove", "reason_code": "medical_claim",
                                   "note": "Cure claim"}, page=page)
    db.session.refresh(campaign)
    assert campaign.status == "rejected" and campaign.rejection_code == "medical_claim"
    brand.owner.locale = "zh"
    db.session.commit()
    reader = app.test_client()
    login(brand.owner, target=reader)
    brand_page = f"/brand/{brand.org.id}/campaigns/{campaign.id}"
    zh = {"Accept-Language": "zh"}
    body = text(reader.get(brand_page, headers=zh))
    assert "未经证实的医疗或功效宣称" in body and 'data-testid="appeal-form"' in body
    notices = text(reader.get("/notifications", headers=zh))
    assert 'data-event="rejected"' in notices and "未获批准" in notices
    post_form(f"{brand_page}/appeals", {"statement": "Fixed"}, page=brand_page, target=reader)
    body = text(reader.get(brand_page))
    assert 'data-state="open"' in body and 'data-testid="appeal-form"' not in body


def test_short_balance_shows_the_error_and_keeps_the_campaign_in_review(
        client, login, make_brand, reviewer, post_form):
    brand = make_brand(balance=100)
    campaign = in_review(brand)
    login(reviewer)
    page = f"/admin/moderation/items/{case_of(campaign).id}"
    response = post_form(f"{page}/decision",
                         {"action": "approve", "reason_code": "no_violation"}, page=page)
    shown = text(response) if response.status_code != 303 else text(client.get(page))
    assert "does not cover" in shown
    db.session.refresh(campaign)
    assert campaign.status == "in_review" and case_of(campaign).status == "open"


def test_shoppers_and_brand_staff_cannot_review(app, client, login, make_brand, make_user):
    brand = make_brand()
    campaign = in_review(brand)
    login(brand.owner)
    assert client.get("/admin/ads").status_code == 403
    assert client.get(f"/admin/moderation/items/{case_of(campaign).id}").status_code == 403
    shopper = app.test_client()
    login(make_user(), target=shopper)
    assert shopper.get("/admin/ads").status_code == 403


def test_an_invoice_is_drawn_in_chinese_for_a_chinese_reader(app, client, login, make_brand):
    brand = make_brand(balance=20_000)
    login(brand.owner)
    now = utcnow()
    url = f"/brand/{brand.org.id}/invoices/{now.year}-{now.month}.pdf"
    chinese = client.get(url + "?lang=zh")
    english = client.get(url + "?lang=en")
    assert chinese.status_code == english.status_code == 200
    assert "发票编号" in pdf_text(chinese.data) and "费用合计" in pdf_text(chinese.data)
    assert "Total charged" in pdf_text(english.data)
    assert "费用合计" not in pdf_text(english.data)

def test_the_creator_accepts_and_publishes_and_the_note_is_labelled(
        client, login, make_brand, make_user, quick_note, post_form, reviewer):
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
    assert partnership.status == "published"  # held for ad review meanwhile
    decide_note_review(reviewer, note.id)  # the approval pays the creator
    db.session.commit()
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


def test_a_rejected_boost_is_explained_and_appealed_from_the_boosts_page(
        client, login, make_user, quick_note, post_form, reviewer):
    creator = make_user(home_country="US")
    note = quick_note(creator, "Tea ritual")
    account = ads.open_creator_account(creator, currency="USD", time_zone="UTC")
    db.session.commit()
    fund(account, 1_000)
    boost = ads.create_boost(creator, note.id)
    db.session.commit()
    decide_in_queue(reviewer, boost.id, "remove", "misleading")
    db.session.commit()
    login(creator)
    page = text(client.get("/account/boosts"))
    assert "Misleading claims" in page and 'data-testid="boost-appeal-form"' in page
    notices = text(client.get("/notifications"))
    assert 'data-event="rejected"' in notices and "/account/boosts" in notices
    post_form(f"/account/boosts/{boost.id}/appeals", {}, page="/account/boosts")
    page = text(client.get("/account/boosts"))
    assert 'data-state="open"' in page and 'data-testid="boost-appeal-form"' not in page
    assert moderation.latest_case("campaign", boost.id).status == "appealed"


def test_the_moderator_is_told_a_note_under_review_is_a_paid_partnership(
        client, login, make_brand, make_user, quick_note, reviewer):
    brand = make_brand(balance=50_000, name="Lumi Beauty")
    creator = make_user()
    made = ads.propose_partnership(brand.owner, brand.org.id, creator_id=creator.id,
                                   title="Serum review", brief="Two weeks", fee="100")
    ads.accept_partnership(creator, made.id)
    partnered = quick_note(creator, "My two weeks with the serum")
    ordinary = quick_note(creator, "My morning walk")
    db.session.commit()
    ads.publish_partnership_note(creator, made.id, partnered.id)
    moderation.open_case("note", ordinary.id, source="screening", hold=True,
                         reasons=[{"code": "spam", "severity": "medium", "spans": []}])
    db.session.commit()
    login(reviewer)
    page = text(client.get(
        f"/admin/moderation/items/{moderation.latest_case('note', partnered.id).id}"))
    assert 'data-testid="partnership-review"' in page and "Lumi Beauty" in page
    other = text(client.get(
        f"/admin/moderation/items/{moderation.latest_case('note', ordinary.id).id}"))
    assert 'data-testid="partnership-review"' not in other
