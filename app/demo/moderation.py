"""Demo moderation: open reports in English and Chinese, an item screening held, a removal
under appeal, and one legal request; plus a second moderator to decide the appeal.

Everything goes through the moderation services (report_content, open_case, decide_case,
appeal_decision, record_legal_request), as the pages would. Seeded once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.demo.photo_library import close_up
from app.extensions import db
from app.models import AuditLogEntry, ModerationCase, Note, PlatformRole, User, utcnow
from app.services import moderation
from app.services.accounts.passwords import hash_password
from app.services.social import notes
from app.services.social.notes import ImageUpload

SECOND_MODERATOR = ("moderator2@example.com", "Mina Park (moderator)", "GB", ["en", "zh"],
                    "zh", "GBP")

# author, title, body, and the photograph a scammer would lift (cropped closer than any
# honest note crops it, so a removal's image blocklist never catches the products' own)
FLAGGED_NOTES = [
    ("ana@example.com", "Make $500 a day from home",
     "No experience needed. Message me on WhatsApp and I'll send you the starter kit.",
     "scene-studio"),
    ("lin.wei@example.com", "这款减肥茶一周瘦十斤",
     "不用节食不用运动，喝了就瘦，私信我拿内部价 #减肥", "jasmine-pearls"),
    ("yuki@example.com", "Miracle serum cures acne overnight",
     "Clinically proven to cure acne in one night, doctors hate it.", "vitamin-c-serum"),
    ("ana@example.com", "Designer trainers at 90% off",
     "Same factory as the real ones, nobody can tell the difference.", "scene-outfit"),
    ("creator@example.com", "高仿包包到货啦", "和专柜一模一样，懂的来 #包包", "brocade-clutch"),
]
LIFTED_PHOTO_ZOOM = 1.8


def _second_moderator(password: str) -> User:
    email, name, country, languages, locale, currency = SECOND_MODERATOR
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, password_hash=hash_password(password), display_name=name,
                    home_country=country, languages=languages, locale=locale,
                    currency=currency, email_verified_at=utcnow())
        db.session.add(user)
        db.session.flush()
    if not any(r.role == "moderator" for r in user.platform_roles):
        user.platform_roles.append(PlatformRole(role="moderator", markets=["US", "GB", "CN"],
                                                languages=["en", "zh"]))
    return user


def _backdate(case: ModerationCase, hours: float) -> None:
    case.created_at = utcnow() - timedelta(hours=hours)


def seed_moderation(password: str) -> list[str]:
    """Seed the queue (once); returns lines for the seed summary."""
    second = _second_moderator(password)
    if db.session.scalar(select(ModerationCase.id).limit(1)) is not None:
        return ["Demo moderation: already there"]
    users = {u.email: u for u in db.session.scalars(select(User))}
    first = users.get("moderator@example.com")
    admin = users.get("admin@example.com")
    if first is None or admin is None:
        return ["Demo moderation: skipped (no moderator or admin)"]
    flagged: list[Note] = []
    for author_email, title, body, photo_name in FLAGGED_NOTES:
        author = users.get(author_email)
        if author is None:
            continue
        flagged.append(notes.create_note(
            author, title=title, body=body,
            images=[ImageUpload(close_up(photo_name, LIFTED_PHOTO_ZOOM), "flagged.jpg")]))
    db.session.flush()
    if len(flagged) < len(FLAGGED_NOTES):
        return ["Demo moderation: skipped (demo creators missing)"]
    scam, slimming, serum, trainers, replica = flagged

    # Open reports, in English and in Chinese, counted per reason.
    for email, reason, details in [
            ("shopper@example.com", "spam", "Looks like a pyramid scheme."),
            ("sophie@example.com", "spam", ""),
            ("yuki@example.com", "misleading", "")]:
        if email in users:
            moderation.report_content(users[email], "note", scam.id, reason, details)
    for email, reason, details in [
            ("creator@example.com", "counterfeit", "明显是假货，还说和专柜一样"),
            ("shopper.jp@example.com", "counterfeit", "")]:
        if email in users:
            moderation.report_content(users[email], "note", replica.id, reason, details)
    for case in (moderation.active_case("note", scam.id),
                 moderation.active_case("note", replica.id)):
        if case is not None:
            _backdate(case, 5)

    # Screening held a Chinese note; what it matched is highlighted on the item page.
    text = f"{slimming.title}\n{slimming.body}"
    start = text.index("一周瘦十斤")
    held = moderation.open_case(
        "note", slimming.id, source="rules",
        reasons=[{"code": "misleading", "severity": "high", "source": "rules",
                  "spans": [[start, start + 5]], "text": "一周瘦十斤"}],
        markets=["CN"], language="zh", hold=True)
    _backdate(held, 2)

    # A removal under appeal: the author says the claim is from a study; moderator2 decides.
    removed = moderation.open_case(
        "note", serum.id, source="rules",
        reasons=[{"code": "misleading", "severity": "medium", "source": "rules",
                  "spans": [[serum.title.index("cures"), serum.title.index("cures") + 5]],
                  "text": "cures"}], markets=["US", "GB"], language="en", hold=True)
    _backdate(removed, 30)
    moderation.claim_case(first, removed.id)
    moderation.decide_case(first, removed.id, moderation.DecisionInput(
        "remove", "misleading", [], "Medical claim without evidence."))
    moderation.appeal_decision(
        users["yuki@example.com"], removed.id,
        "The claim is from the brand's own clinical study; I can change the wording.")

    # A legal request: Trading Standards orders the counterfeit trainers note down in GB.
    moderation.record_legal_request(
        admin, "note", trainers.id, country="GB", legal_basis="Trade Marks Act 1994, s. 92",
        authority="Trading Standards (London)", reference="TS-2026-0412")
    db.session.flush()
    logged = db.session.scalar(select(db.func.count(AuditLogEntry.id)))
    return [f"Demo moderation: {len(flagged)} flagged notes, 2 with open reports, 1 held by "
            f"screening, 1 removal under appeal, 1 legal request (GB); {logged} audit lines; "
            f"second moderator {second.email}"]
