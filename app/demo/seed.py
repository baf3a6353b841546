"""Demo data: one user per role with known logins, a merchant store and a brand."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Membership, Organization, PlatformRole, Store, User, utcnow
from app.services.accounts.passwords import hash_password

DEMO_PASSWORD = "qiao-demo-pass"

DEMO_USERS = [
    # email, display name, home country, languages, locale, currency
    ("shopper@example.com", "Mia Shopper", "US", ["en"], "en", "USD"),
    ("shopper.jp@example.com", "Sato Haruka 佐藤遥", "JP", ["ja", "en", "zh"], "zh", "JPY"),
    ("creator@example.com", "小红 Xiaohong", "CN", ["zh", "en"], "zh", "CNY"),
    ("merchant@example.com", "Chen Wei (Hangzhou Tea House)", "CN", ["zh", "en"], "en", "CNY"),
    ("merchant2@example.com", "Sam Rivera (Brooklyn Goods)", "US", ["en"], "en", "USD"),
    ("brand@example.com", "Aiko Tanaka (Lumi Beauty)", "JP", ["ja", "en"], "en", "JPY"),
    ("moderator@example.com", "Mo Moderator", "GB", ["en", "zh"], "en", "GBP"),
    ("admin@example.com", "Ada Admin", "SG", ["en", "zh"], "en", "SGD"),
    ("community@example.com", "Kai Community 社区小凯", "HK", ["en", "zh"], "zh", "HKD"),
    ("staff@example.com", "Li Na (Tea House staff)", "CN", ["zh", "en"], "zh", "CNY"),
]


def _upsert_user(email: str, name: str, country: str, languages: list[str], locale: str,
                 currency: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, password_hash=hash_password(DEMO_PASSWORD), display_name=name,
                    home_country=country, languages=languages, locale=locale,
                    currency=currency, ship_to_country=country, email_verified_at=utcnow())
        db.session.add(user)
        db.session.flush()
    return user


def _upsert_org(kind: str, name: str, slug: str, owner: User) -> Organization:
    org = db.session.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        org = Organization(kind=kind, name=name, slug=slug)
        db.session.add(org)
        db.session.flush()
    membership = db.session.scalar(select(Membership).where(
        Membership.organization_id == org.id, Membership.user_id == owner.id))
    if membership is None:
        db.session.add(Membership(organization=org, user=owner, role="owner"))
    return org


def _upsert_store(org: Organization, name: str, slug: str, currency: str, country: str,
                  description: str) -> Store:
    store = db.session.scalar(select(Store).where(Store.organization_id == org.id))
    if store is None:
        store = Store(organization=org, name=name, slug=slug, base_currency=currency,
                      origin_country=country, description=description)
        db.session.add(store)
        db.session.flush()
    return store


def _grant(user: User, role: str, markets: list[str], languages: list[str]) -> None:
    if not any(r.role == role for r in user.platform_roles):
        user.platform_roles.append(PlatformRole(role=role, markets=markets, languages=languages))


def _seed_team(org: Organization, member: User, role: str, invite_email: str,
               invited_by: User) -> None:
    """A team member and a pending invitation, so the members page has something to show."""
    import hashlib
    import secrets
    from datetime import timedelta

    from app.models import Invitation

    if db.session.scalar(select(Membership).where(
            Membership.organization_id == org.id, Membership.user_id == member.id)) is None:
        db.session.add(Membership(organization=org, user=member, role=role))
    pending = db.session.scalar(select(Invitation).where(
        Invitation.organization_id == org.id, Invitation.email == invite_email,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)))
    if pending is None:
        # The secret is thrown away: the demo invitation is only there to be seen or revoked.
        db.session.add(Invitation(
            organization=org, email=invite_email, role="staff", invited_by=invited_by,
            token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
            expires_at=utcnow() + timedelta(days=14)))


def seed_demo() -> list[str]:
    """Create the demo accounts and organisations if missing; returns what exists now."""
    users = {email: _upsert_user(email, *rest) for email, *rest in DEMO_USERS}
    tea = _upsert_org("merchant", "Hangzhou Tea House", "hangzhou-tea-house",
                      users["merchant@example.com"])
    tea_store = _upsert_store(tea, "Hangzhou Tea House 杭州茶舍", "hangzhou-tea-house", "CNY",
                              "CN", "Longjing green tea, teaware and snacks shipped from "
                              "Hangzhou.")
    brooklyn = _upsert_org("merchant", "Brooklyn Goods", "brooklyn-goods",
                           users["merchant2@example.com"])
    brooklyn_store = _upsert_store(brooklyn, "Brooklyn Goods", "brooklyn-goods", "USD", "US",
                                   "Small-batch skincare and home goods from New York.")
    _upsert_org("brand", "Lumi Beauty", "lumi-beauty", users["brand@example.com"])
    _seed_team(tea, users["staff@example.com"], "staff", "new.hire@example.com",
               users["merchant@example.com"])
    _grant(users["moderator@example.com"], "moderator", ["US", "GB", "CN"], ["en", "zh"])
    _grant(users["admin@example.com"], "admin", [], [])
    _grant(users["community@example.com"], "community", [], [])
    db.session.flush()
    lines = [f"{email} / {DEMO_PASSWORD}" for email in users]
    lines.append("Organisations: Hangzhou Tea House, Brooklyn Goods (merchants), "
                 "Lumi Beauty (brand)")
    from app.demo.rates import seed_rates_and_rules

    lines += seed_rates_and_rules()  # first, so whatever is seeded next can be priced
    from app.demo.moderation_rules import seed_moderation_rules

    # Before any content, so every note, comment and listing seeded next is screened.
    lines += seed_moderation_rules(users["admin@example.com"])
    from app.demo.catalog import seed_catalog

    lines += seed_catalog(tea_store, users["merchant@example.com"], brooklyn_store,
                          users["merchant2@example.com"])
    from app.demo.shipping import seed_shipping_profiles

    lines += seed_shipping_profiles(tea_store, brooklyn_store)
    from app.demo.notes import seed_notes

    lines += seed_notes(DEMO_PASSWORD)
    from app.demo.coauthored_notes import seed_coauthored_notes

    lines += seed_coauthored_notes()
    from app.demo.topics import seed_topics

    lines += seed_topics()
    from app.demo.events import seed_events

    lines += seed_events()
    from app.demo.logistics import seed_logistics

    lines += seed_logistics()
    from app.demo.moderation import seed_moderation

    lines += seed_moderation(DEMO_PASSWORD)

    from app.demo.ads import seed_ads

    lines += seed_ads(DEMO_PASSWORD)
    # After the ads demo (app.demo.ads: brands, balances, campaigns), which it builds on.
    from app.demo.ad_reports import seed_ad_reports

    lines += seed_ad_reports()
    from app.demo.glossary import seed_glossary

    lines += seed_glossary(users["admin@example.com"])
    return lines
