"""Demo data: one user per role with known logins, a merchant store and a brand."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Membership, Organization, PlatformRole, Store, User, utcnow
from app.services.passwords import hash_password

DEMO_PASSWORD = "qiao-demo-pass"

DEMO_USERS = [
    # email, display name, home country, languages, locale, currency
    ("shopper@example.com", "Mia Shopper", "US", ["en"], "en", "USD"),
    ("creator@example.com", "小红 Xiaohong", "CN", ["zh", "en"], "zh", "CNY"),
    ("merchant@example.com", "Chen Wei (Hangzhou Tea House)", "CN", ["zh", "en"], "en", "CNY"),
    ("merchant2@example.com", "Sam Rivera (Brooklyn Goods)", "US", ["en"], "en", "USD"),
    ("brand@example.com", "Aiko Tanaka (Lumi Beauty)", "JP", ["ja", "en"], "en", "JPY"),
    ("moderator@example.com", "Mo Moderator", "GB", ["en", "zh"], "en", "GBP"),
    ("admin@example.com", "Ada Admin", "SG", ["en", "zh"], "en", "SGD"),
]


def _upsert_user(email: str, name: str, country: str, languages: list[str], locale: str,
                 currency: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, password_hash=hash_password(DEMO_PASSWORD), display_name=name,
                    home_country=country, languages=languages, locale=locale,
                    currency=currency, email_verified_at=utcnow())
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


def seed_demo() -> list[str]:
    """Create the demo accounts and organisations if missing; returns what exists now."""
    users = {email: _upsert_user(email, *rest) for email, *rest in DEMO_USERS}
    tea = _upsert_org("merchant", "Hangzhou Tea House", "hangzhou-tea-house",
                      users["merchant@example.com"])
    _upsert_store(tea, "Hangzhou Tea House 杭州茶舍", "hangzhou-tea-house", "CNY", "CN",
                  "Longjing green tea, teaware and snacks shipped from Hangzhou.")
    brooklyn = _upsert_org("merchant", "Brooklyn Goods", "brooklyn-goods",
                           users["merchant2@example.com"])
    _upsert_store(brooklyn, "Brooklyn Goods", "brooklyn-goods", "USD", "US",
                  "Small-batch skincare and home goods from New York.")
    _upsert_org("brand", "Lumi Beauty", "lumi-beauty", users["brand@example.com"])
    _grant(users["moderator@example.com"], "moderator", ["US", "GB", "CN"], ["en", "zh"])
    _grant(users["admin@example.com"], "admin", [], [])
    db.session.flush()
    lines = [f"{email} / {DEMO_PASSWORD}" for email in users]
    lines.append("Organisations: Hangzhou Tea House, Brooklyn Goods (merchants), "
                 "Lumi Beauty (brand)")
    return lines
