"""Demo advertising: two brands with balances from card top-ups, campaigns in every state,
a creator partnership whose note carries the paid-partnership label, and a creator boost.

Money moves only through the ledger writer, so every demo balance equals the sum of its
ledger. Top-ups are recorded as succeeded card payments (demo intent ids: the sandbox is
not running while seeding). Campaigns whose flights are already over are written directly
(the services refuse flights in the past), with the reserve and release a real one gets.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import (
    PRICING_BY_OBJECTIVE,
    AdAccount,
    AdTopUp,
    Campaign,
    CampaignNote,
    Membership,
    Note,
    Organization,
    Topic,
    User,
    utcnow,
)
from app.services import ads, moderation
from app.services.accounts.passwords import hash_password
from app.services.social import notes as note_service
from app.services.social.notes import ImageUpload

SECOND_BRAND = ("brand2@example.com", "Claire Martin (Maison Verte)", "FR", ["fr", "en"],
                "en", "EUR")
BRAND_NOTES = {
    "brand@example.com": [
        ("Lumi Glow Serum — 14 days, real skin", "Vitamin C + niacinamide, made in Osaka. "
         "Our bestseller is back in stock. #skincare #serum", ["#f8c291", "#fad390"]),
        ("日焼け止めの新習慣 · Sun gel SPF50+", "Light as water, no white cast. "
         "#sunscreen #skincare", ["#82ccdd", "#60a3bc"]),
    ],
    "brand2@example.com": [
        ("Maison Verte: le baume à la lavande", "Cold-pressed oils from Provence, "
         "hand-poured in Grasse. #skincare", ["#b8e994", "#78e08f"]),
    ],
}
PARTNER_NOTE = ("Lumi 精华两周真实体验",
                "和 Lumi Beauty 合作的测评：早晚各一次，两周后肤色明显亮了。#护肤 #skincare",
                ["#f6b93b", "#fad390"])


def _picture(colour: str, seed: int) -> bytes:
    from app.demo.notes import _picture as poster

    return poster(colour, seed)


def _note(author: User, title: str, body: str, colours: list[str], seed: int) -> Note:
    existing = db.session.scalar(select(Note).where(Note.author_id == author.id,
                                                    Note.title == title))
    if existing is not None:
        return existing
    images = [ImageUpload(_picture(c, seed * 10 + i), f"ad-{seed}-{i}.jpg")
              for i, c in enumerate(colours)]
    return note_service.create_note(author, title=title, body=body, images=images)


def _second_brand(password: str) -> tuple[User, Organization]:
    email, name, country, languages, locale, currency = SECOND_BRAND
    owner = db.session.scalar(select(User).where(User.email == email))
    if owner is None:
        owner = User(email=email, password_hash=hash_password(password), display_name=name,
                     home_country=country, languages=languages, locale=locale,
                     currency=currency, email_verified_at=utcnow())
        db.session.add(owner)
        db.session.flush()
    org = db.session.scalar(select(Organization).where(Organization.slug == "maison-verte"))
    if org is None:
        org = Organization(kind="brand", name="Maison Verte", slug="maison-verte")
        db.session.add(org)
        db.session.flush()
        db.session.add(Membership(organization=org, user=owner, role="owner"))
        db.session.flush()
    return owner, org


def _top_up(account: AdAccount, actor: User, minor: int, when: datetime, tag: str) -> None:
    topup = AdTopUp(account_id=account.id, idempotency_key=f"demo-topup-{tag}",
                    intent_id=f"pi_demo_{tag}", state="succeeded", currency=account.currency,
                    amount_minor=minor, provider="stripe-sandbox", created_by_id=actor.id,
                    succeeded_at=when, created_at=when, updated_at=when)
    db.session.add(topup)
    db.session.flush()
    entry = ads.post_entry(account, "topup", minor, reference_type="topup",
                           reference_id=topup.id, memo=topup.intent_id, actor=actor)
    entry.created_at = when


def _campaign(account: AdAccount, actor: User, reviewer: User, *, name: str, objective: str,
              bid: int, budget: int, start: datetime, days: int, status: str,
              notes: list[Note], countries: list[str], languages: list[str],
              topics: list[str] | None = None, spent: int = 0, daily_cap: int | None = None,
              reason: str = "", organization_id: int | None = None) -> Campaign:
    campaign = Campaign(
        organization_id=organization_id, account_id=account.id, name=name,
        objective=objective, pricing=PRICING_BY_OBJECTIVE[objective], bid_minor=bid,
        budget_minor=budget, daily_cap_minor=daily_cap, currency=account.currency,
        starts_at=start, ends_at=start + timedelta(days=days), pacing="even",
        frequency_cap_per_day=3, countries=countries, languages=languages,
        topics=topics or [], audience="all",
        status="draft" if status == "in_review" else status, is_boost=organization_id is None,
        created_by_id=actor.id, rejection_reason=reason,
        rejection_code="medical_claim" if status == "rejected" else None,
        campaign_notes=[CampaignNote(note_id=n.id, position=i) for i, n in enumerate(notes)])
    campaign.account = account
    db.session.add(campaign)
    db.session.flush()
    if status == "in_review":  # the real way, so the moderation queue has its case
        ads.submit_campaign(actor, organization_id, campaign.id)
    elif status != "draft":
        campaign.submitted_at = start - timedelta(days=2)
    if status not in ("draft", "in_review"):
        campaign.reviewed_by_id, campaign.reviewed_at = reviewer.id, start - timedelta(days=1)
    if status in ("scheduled", "active", "paused", "completed"):
        ads.post_entry(account, "campaign_reserve", -budget, reference_type="campaign",
                       reference_id=campaign.id, memo=name, actor=reviewer)
        campaign.spent_minor = spent
    if status == "completed":
        campaign.completed_at = campaign.ends_at
        campaign.released_minor = budget - spent
        if budget - spent:
            ads.post_entry(account, "campaign_release", budget - spent,
                           reference_type="campaign", reference_id=campaign.id, memo=name)
    return campaign


def seed_ads(password: str) -> list[str]:
    """Both brands' accounts, top-ups, campaigns and a partnership (once)."""
    users = {u.email: u for u in db.session.scalars(select(User))}
    lumi_owner = users.get("brand@example.com")
    lumi = db.session.scalar(select(Organization).where(Organization.slug == "lumi-beauty"))
    creator = users.get("creator@example.com")
    reviewer = users.get("admin@example.com")
    if not (lumi_owner and lumi and creator and reviewer):
        return ["Demo ads: skipped (the demo users are missing)"]
    if db.session.scalar(select(AdAccount.id).where(AdAccount.organization_id == lumi.id)):
        return ["Demo ads: already there"]
    verte_owner, verte = _second_brand(password)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    for name in ("skincare", "serum", "sunscreen"):
        if db.session.scalar(select(Topic.id).where(Topic.name == name)) is None:
            db.session.add(Topic(name=name, note_count=0))
    lumi_notes = [_note(lumi_owner, t, b, c, 900 + i)
                  for i, (t, b, c) in enumerate(BRAND_NOTES["brand@example.com"])]
    verte_notes = [_note(verte_owner, t, b, c, 950 + i)
                   for i, (t, b, c) in enumerate(BRAND_NOTES["brand2@example.com"])]

    lumi_account = ads.open_brand_account(lumi_owner, lumi.id, currency="JPY",
                                          time_zone="Asia/Tokyo", country="JP")
    verte_account = ads.open_brand_account(verte_owner, verte.id, currency="EUR",
                                           time_zone="Europe/Paris", country="FR")
    _top_up(lumi_account, lumi_owner, 800_000, now - timedelta(days=40), "lumi-1")
    _top_up(lumi_account, lumi_owner, 500_000, now - timedelta(days=10), "lumi-2")
    _top_up(verte_account, verte_owner, 250_000, now - timedelta(days=20), "verte-1")

    # A creator partnership: briefed, accepted (fee reserved), published and paid.
    partnership = ads.propose_partnership(
        lumi_owner, lumi.id, creator_id=creator.id, title="Lumi Glow Serum — two-week review",
        brief="Use the serum morning and evening for two weeks and tell your followers how "
              "your skin changed. Tag the serum in your note. Honest opinions welcome.",
        fee={"amount": "60000", "currency": "JPY"})
    ads.accept_partnership(creator, partnership.id)
    partner_note = _note(creator, *PARTNER_NOTE, 980)
    ads.publish_partnership_note(creator, partnership.id, partner_note.id)
    review = moderation.latest_case("note", partner_note.id)
    moderation.decide_case(reviewer, review.id,  # the approval pays the creator
                           moderation.DecisionInput("approve", "no_violation", []))
    ads.propose_partnership(
        lumi_owner, lumi.id, creator_id=creator.id, title="Sun gel launch in Shanghai",
        brief="A summer outdoor look with the SPF50+ sun gel, before 15 June.",
        fee={"amount": "45000", "currency": "JPY"})

    lumi_id = lumi.id
    everything = [*lumi_notes, partner_note]
    common = {"organization_id": lumi_id, "countries": ["JP", "US", "CN"],
              "languages": ["ja", "en", "zh"]}
    _campaign(lumi_account, lumi_owner, reviewer, name="Glow Serum — Japan launch",
              objective="traffic", bid=40, budget=150_000, daily_cap=10_000,
              start=now - timedelta(days=6), days=21, status="active", notes=everything,
              spent=38_460, topics=["skincare"], **{**common, "countries": ["JP"]})
    _campaign(lumi_account, lumi_owner, reviewer, name="Sun gel awareness — summer",
              objective="awareness", bid=700, budget=120_000,
              start=now + timedelta(days=5), days=30, status="scheduled",
              notes=[lumi_notes[1]], **common)
    _campaign(lumi_account, lumi_owner, reviewer, name="Creator review boost (US)",
              objective="sales", bid=55, budget=60_000, start=now - timedelta(days=3),
              days=14, status="paused", notes=[partner_note], spent=9_350,
              **{**common, "countries": ["US"], "languages": ["en"]})
    _campaign(lumi_account, lumi_owner, reviewer, name="Spring sale 2026",
              objective="sales", bid=45, budget=90_000, start=now - timedelta(days=35),
              days=14, status="completed", notes=lumi_notes, spent=81_225, **common)
    _campaign(lumi_account, lumi_owner, reviewer, name="Serum — clinically proven to cure acne",
              objective="traffic", bid=40, budget=50_000, start=now + timedelta(days=2),
              days=10, status="rejected", notes=[lumi_notes[0]],
              reason="Medical claim: cosmetics may not promise to cure acne. Remove “cure” "
                     "from the name and notes, then submit again.", **common)
    _campaign(lumi_account, lumi_owner, reviewer, name="Autumn set — teaser",
              objective="awareness", bid=800, budget=80_000, start=now + timedelta(days=12),
              days=20, status="in_review", notes=lumi_notes, **common)
    _campaign(lumi_account, lumi_owner, reviewer, name="Holiday gift guide (draft)",
              objective="traffic", bid=42, budget=100_000, start=now + timedelta(days=40),
              days=25, status="draft", notes=everything, **common)
    # Maison Verte: a running campaign in Europe and one waiting for review.
    verte_common = {"organization_id": verte.id, "countries": ["FR", "DE", "GB"],
                    "languages": ["fr", "en"], "notes": verte_notes}
    _campaign(verte_account, verte_owner, reviewer, name="Baume lavande — Europe",
              objective="traffic", bid=35, budget=80_000, start=now - timedelta(days=4),
              days=20, status="active", spent=12_980, **verte_common)
    _campaign(verte_account, verte_owner, reviewer, name="Gift box with rosé wine",
              objective="awareness", bid=90, budget=50_000, start=now + timedelta(days=8),
              days=14, status="in_review", **verte_common)

    # The creator boosts their own note (薯条) from a small boost balance.
    boost_account = ads.open_creator_account(creator, currency="CNY",
                                             time_zone="Asia/Shanghai")
    _top_up(boost_account, creator, 10_000, now - timedelta(days=2), "creator-boost")
    own = db.session.scalar(select(Note).where(Note.author_id == creator.id,
                                               Note.status == "published",
                                               Note.id != partner_note.id).limit(1))
    if own is not None:
        _campaign(boost_account, creator, reviewer, name=f"Boost: {own.title}"[:120],
                  objective="awareness", bid=3_000, budget=3_000,
                  start=now - timedelta(days=1), days=3, status="active", notes=[own],
                  countries=[], languages=[], spent=1_260)
    db.session.flush()
    return [f"Demo ads: Lumi Beauty (balance ¥{lumi_account.balance_minor:,}) and Maison "
            f"Verte (brand2@example.com / {password}), campaigns in every state, a paid "
            "partnership note by creator@example.com"]
