"""The moderation queue: reports, scope, claims, decisions, appeals, legal orders,
escalation, the transparency report and abuse controls."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import scoped_session, sessionmaker

from app.core.transaction import rollback_and_keep
from app.extensions import db
from app.models import (
    AuditLogEntry,
    ModerationCase,
    ModerationDecision,
    Note,
    Notification,
    Report,
    utcnow,
)
from app.services import moderation
from app.services.errors import Conflict, DomainError, Forbidden, NotFound, RateLimited
from app.services.moderation import DecisionInput, QueueFilters
from app.services.social import engagement, feed, notes, search
from tests.notes_factories import QueryCounter

pytest_plugins = ["tests.notes_fixtures", "tests.moderation_fixtures"]


def remove(reason="spam"):
    return DecisionInput("remove", reason, [])


def audit_actions(case_id=None) -> list[str]:
    stmt = select(AuditLogEntry.action).order_by(AuditLogEntry.id)
    if case_id is not None:
        stmt = stmt.where(AuditLogEntry.case_id == case_id)
    return list(db.session.scalars(stmt))


def refused(work) -> DomainError:
    """Run `work` as a request would: a refusal rolls back, keeping its audit line."""
    try:
        work()
    except DomainError as exc:
        rollback_and_keep(exc)
        return exc
    raise AssertionError("expected a refusal")


# Reports ------------------------------------------------------------------------------------
def test_reports_join_one_case_counted_per_reason_and_a_second_report_is_409(
        make_user, quick_note):
    author = make_user(home_country="US")
    note = quick_note(author, region="US")
    first, second = make_user(), make_user()
    moderation.report_content(first, "note", note.id, "spam")
    moderation.report_content(second, "note", note.id, "offensive")
    db.session.commit()
    with pytest.raises(Conflict) as exc:
        moderation.report_content(first, "note", note.id, "spam")
    assert exc.value.code == "already_reported"
    db.session.rollback()
    case = moderation.active_case("note", note.id)
    assert case.report_count == 2
    assert case.report_reasons == {"spam": 1, "offensive": 1}
    assert case.reported and case.market_codes == ["US"]
    assert db.session.scalar(select(func.count(ModerationCase.id))) == 1


def test_a_product_can_be_reported(make_user, make_org):
    from tests.catalog_factories import make_shop

    shop = make_shop(make_org, make_user)
    product = shop.add_product()
    moderation.report_content(make_user(), "product", product.id, "counterfeit")
    case = moderation.active_case("product", product.id)
    assert case is not None and case.report_count == 1
    assert case.owner_id == shop.owner.id and case.market_codes == ["US"]


# Scope and the queue ------------------------------------------------------------------------
def test_queue_shows_only_the_moderators_markets_and_languages(make_user, make_moderator,
                                                               quick_note):
    us_note = quick_note(make_user(), language="en", region="US")
    cn_note = quick_note(make_user(), language="zh", region="CN")
    for note in (us_note, cn_note):
        moderation.open_case("note", note.id, source="rules", reasons=[
            {"code": "spam", "severity": "low"}], markets=[], language=None, hold=False)
    us_mod = make_moderator(markets=["US"], languages=["en"])
    cn_mod = make_moderator(markets=["CN"], languages=["zh"])
    everyone = make_moderator()
    def targets(mod, **filters):
        page = moderation.list_queue(mod, QueueFilters(**filters))
        return {c.target_id for c in page.cases}
    assert targets(us_mod) == {us_note.id}
    assert targets(cn_mod) == {cn_note.id}
    assert targets(everyone) == {us_note.id, cn_note.id}
    assert targets(everyone, market="CN") == {cn_note.id}
    assert targets(everyone, language="en") == {us_note.id}
    assert targets(everyone, kind="reported") == set()


def test_queue_filters_by_reason_severity_and_age(make_user, make_moderator, quick_note):
    old = quick_note(make_user())
    new = quick_note(make_user())
    old_case = moderation.open_case("note", old.id, source="rules", reasons=[
        {"code": "hate", "severity": "critical"}], markets=[], language=None, hold=False)
    moderation.open_case("note", new.id, source="rules", reasons=[
        {"code": "spam", "severity": "low"}], markets=[], language=None, hold=False)
    old_case.created_at = utcnow() - timedelta(hours=30)
    db.session.commit()
    mod = make_moderator()
    ids = lambda **f: [c.target_id for c in moderation.list_queue(mod, QueueFilters(**f)).cases]  # noqa: E731
    assert ids(reason="hate") == [old.id]
    assert ids(min_severity=4) == [old.id]
    assert ids(older_than_hours=24) == [old.id]
    assert ids() == [old.id, new.id]


def test_queue_costs_the_same_queries_for_ten_items_or_many(make_user, make_moderator,
                                                            quick_note):
    mod = make_moderator(markets=["US"])
    author = make_user(home_country="US")

    def fill(n):
        for _ in range(n):
            note = quick_note(author, region="US")
            moderation.open_case("note", note.id, source="rules", reasons=[
                {"code": "spam", "severity": "low"}], markets=[], language=None, hold=False)
        db.session.commit()

    def count() -> int:
        db.session.expire_all()
        with QueryCounter() as counter:
            page = moderation.list_queue(mod, QueueFilters(), per_page=25)
            [page.item(c) for c in page.cases]
            [c.claimed_by for c in page.cases]
        return counter.count

    fill(10)
    small = count()
    fill(140)
    assert count() == small


# Claims and decisions -----------------------------------------------------------------------
def test_a_claimed_item_cannot_be_claimed_or_decided_by_another_moderator(
        make_user, make_moderator, quick_note):
    note = quick_note(make_user())
    case = moderation.open_case("note", note.id, source="rules", reasons=[
        {"code": "spam", "severity": "low"}], markets=[], language=None, hold=True)
    first, second = make_moderator(), make_moderator()
    db.session.commit()
    moderation.claim_case(first, case.id)
    moderation.claim_case(first, case.id)  # one's own claim again: fine
    db.session.commit()
    exc = refused(lambda: moderation.claim_case(second, case.id))
    assert exc.code == "case_claimed_by_other" and exc.status == 409
    exc = refused(lambda: moderation.decide_case(second, case.id, remove()))
    assert exc.code == "case_claimed_by_other"
    assert audit_actions(case.id).count("claim_conflict") == 2
    moderation.decide_case(first, case.id, remove())
    db.session.commit()
    assert db.session.get(ModerationCase, case.id).status == "decided"
    exc = refused(lambda: moderation.decide_case(second, case.id, remove()))
    assert exc.code == "case_already_decided"


def test_deciding_outside_ones_markets_is_403_and_audited(make_user, make_moderator,
                                                         quick_note):
    note = quick_note(make_user(), region="CN", language="zh")
    case = moderation.open_case("note", note.id, source="rules", reasons=[
        {"code": "spam", "severity": "low"}], markets=[], language=None, hold=False)
    us_mod = make_moderator(markets=["US"])
    db.session.commit()
    exc = refused(lambda: moderation.decide_case(us_mod, case.id, remove()))
    assert isinstance(exc, Forbidden) and exc.code == "outside_moderator_scope"
    assert db.session.get(ModerationCase, case.id).status == "open"
    entry = db.session.scalar(select(AuditLogEntry).where(
        AuditLogEntry.action == "out_of_scope"))
    assert entry.actor_id == us_mod.id and entry.details["attempted"] == "decide"


def test_remove_hides_the_note_tells_author_and_reporters(make_user, make_moderator,
                                                          quick_note):
    author = make_user()
    note = quick_note(author, title="fake bags")
    reporter = make_user()
    moderation.report_content(reporter, "note", note.id, "counterfeit")
    mod = make_moderator()
    db.session.commit()
    case = moderation.active_case("note", note.id)
    moderation.decide_case(mod, case.id, remove("counterfeit"))
    db.session.commit()
    assert note.moderation_state == "removed" and note.moderation_reason == "counterfeit"
    with pytest.raises(NotFound):
        notes.get_note(reporter, note.id)
    assert notes.get_note(author, note.id).id == note.id  # the author still sees it
    events = dict(db.session.execute(select(Notification.recipient_id,
                                            Notification.moderation_event)
                                     .where(Notification.kind == "moderation")).all())
    assert events == {author.id: "removed", reporter.id: "report_actioned"}
    assert db.session.scalar(select(Report.status)) == "resolved"
    assert feed.author_feed(author, reporter, None, 10).notes == []


def test_each_reporter_gets_the_outcome_by_email_in_their_language(make_user, make_moderator,
                                                                   quick_note, outbox):
    note = quick_note(make_user(), title="fake bags")
    english = make_user("reporter-en@example.test")
    chinese = make_user("reporter-zh@example.test", locale="zh")
    for reporter in (english, chinese):
        moderation.report_content(reporter, "note", note.id, "counterfeit")
    db.session.commit()
    case = moderation.active_case("note", note.id)

    moderation.decide_case(make_moderator(), case.id, remove("counterfeit"))
    db.session.commit()

    (to_english,) = outbox("report_outcome", english.email)
    assert to_english.subject == "The outcome of your report"
    assert "Thanks for your report: we took action. It has been removed." in \
        to_english.body_text
    assert "Reason: Counterfeit goods" in to_english.body_text
    (to_chinese,) = outbox("report_outcome", chinese.email)
    assert to_chinese.subject == "你的举报处理结果"
    assert "该内容已被删除。" in to_chinese.body_text


def test_a_reporter_is_told_by_email_when_nothing_was_wrong(make_user, make_moderator,
                                                            quick_note, outbox):
    note = quick_note(make_user(), title="Tea ceremony")
    reporter = make_user()
    moderation.report_content(reporter, "note", note.id, "spam")
    db.session.commit()
    case = moderation.active_case("note", note.id)

    moderation.decide_case(make_moderator(), case.id,
                           DecisionInput("approve", "no_violation", []))
    db.session.commit()

    (email,) = outbox("report_outcome", reporter.email)
    assert "we found no violation" in email.body_text
    assert "Reason:" not in email.body_text


def test_restrict_hides_the_note_in_listed_markets_only(make_user, make_moderator,
                                                        quick_note):
    author = make_user()
    note = quick_note(author, title="Tea ceremony", language="en")
    case = moderation.open_case("note", note.id, source="rules", reasons=[
        {"code": "other", "severity": "low"}], markets=[], language=None, hold=False)
    mod = make_moderator()
    moderation.decide_case(mod, case.id, DecisionInput("restrict", "other", ["cn", "GB"]))
    db.session.commit()
    assert note.hidden_markets == ",CN,GB,"
    viewer = make_user()
    assert notes.get_note(viewer, note.id, market="US")
    with pytest.raises(NotFound):
        notes.get_note(viewer, note.id, market="CN")
    audience = lambda m: feed.Audience(viewer, "en", None, m)  # noqa: E731
    assert [n.id for n in feed.discover(audience("US"), None, 10, 0.3).notes] == [note.id]
    assert feed.discover(audience("GB"), None, 10, 0.3).notes == []
    assert [n.id for n in search.search("ceremony", "notes", None, 10,
                                        market="US").items] == [note.id]
    assert search.search("ceremony", "notes", None, 10, market="CN").items == []


def test_a_restricted_listing_and_note_leave_catalogue_store_and_profile_lists_there_only(
        make_user, make_org, make_moderator, quick_note):
    from app.models import NoteProductTag
    from app.services.catalog import reads as catalog_reads
    from tests.catalog_factories import make_shop

    shop = make_shop(make_org, make_user)
    product = shop.add_product(title="Pepper spray")
    author = make_user()
    note = quick_note(author, title="Trail kit")
    db.session.add(NoteProductTag(note_id=note.id, product_id=product.id, image_position=0,
                                  x=50, y=50))
    mod = make_moderator()
    for target_type, target_id in (("product", product.id), ("note", note.id)):
        case = moderation.open_case(target_type, target_id, source="rules", reasons=[
            {"code": "prohibited_goods", "severity": "low"}], markets=[], hold=False)
        moderation.decide_case(mod, case.id,
                               DecisionInput("restrict", "prohibited_goods", ["GB"]))
    db.session.commit()

    def catalogue(market):
        return [p.id for p in catalog_reads.list_catalog(store_id=shop.store.id,
                                                         market=market).items]

    assert catalogue("US") == [product.id] and catalogue("GB") == []
    assert [n.id for n in feed.store_feed(shop.store.id, None, 10, market="US").notes] == \
        [note.id]
    assert feed.store_feed(shop.store.id, None, 10, market="GB").notes == []
    reader = make_user()
    assert [n.id for n in feed.author_feed(author, reader, None, 10, market="US").notes] == \
        [note.id]
    assert feed.author_feed(author, reader, None, 10, market="GB").notes == []
    assert [n.id for n in feed.author_feed(author, author, None, 10, market="GB").notes] == \
        [note.id]  # the author still sees their own note


def test_restrict_needs_markets_and_reason_codes_are_checked(make_user, make_moderator,
                                                             quick_note):
    note = quick_note(make_user())
    case = moderation.open_case("note", note.id, source="rules", reasons=[
        {"code": "spam", "severity": "low"}], markets=[], language=None, hold=False)
    mod = make_moderator()
    with pytest.raises(DomainError) as exc:
        moderation.decide_case(mod, case.id, DecisionInput("restrict", "spam", []))
    assert "markets" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        moderation.decide_case(mod, case.id, DecisionInput("remove", "made_up", []))
    assert "reason_code" in exc.value.fields


def test_bulk_decisions_decide_each_and_report_refusals(make_user, make_moderator,
                                                        quick_note):
    mod, other = make_moderator(), make_moderator()
    cases = []
    for _ in range(3):
        note = quick_note(make_user())
        cases.append(moderation.open_case("note", note.id, source="rules", reasons=[
            {"code": "spam", "severity": "low"}], markets=[], language=None, hold=True))
    db.session.commit()
    moderation.claim_case(other, cases[2].id)
    db.session.commit()
    outcome = moderation.decide_cases(mod, [c.id for c in cases], DecisionInput(
        "approve", "no_violation", []))
    db.session.commit()
    assert outcome.decided == [cases[0].id, cases[1].id]
    assert outcome.refused == {cases[2].id: "case_claimed_by_other"}
    assert "claim_conflict" in audit_actions(cases[2].id)


# Appeals ------------------------------------------------------------------------------------
def test_author_appeals_once_another_moderator_reinstates_and_it_is_final(
        make_user, make_moderator, quick_note):
    author = make_user()
    note = quick_note(author)
    case = moderation.open_case("note", note.id, source="rules", reasons=[
        {"code": "hate", "severity": "high"}], markets=[], language=None, hold=True)
    first, second = make_moderator(), make_moderator()
    moderation.decide_case(first, case.id, remove("hate"))
    db.session.commit()
    with pytest.raises(NotFound):
        moderation.appeal_decision(make_user(), case.id, "not mine")
    moderation.appeal_decision(author, case.id, "It was a quote from a news article.")
    db.session.commit()
    exc = refused(lambda: moderation.appeal_decision(author, case.id, "again"))
    assert exc.code == "already_appealed"
    exc = refused(lambda: moderation.decide_case(first, case.id, DecisionInput(
        "approve", "no_violation", [])))
    assert exc.code == "appeal_needs_other_moderator"
    moderation.decide_case(second, case.id, DecisionInput("approve", "no_violation", []))
    db.session.commit()
    case = db.session.get(ModerationCase, case.id)
    assert case.status == "closed" and case.appeal.status == "reinstated"
    assert note.moderation_state == "visible"
    assert notes.get_note(make_user(), note.id).id == note.id
    exc = refused(lambda: moderation.appeal_decision(author, case.id, "once more"))
    assert exc.code == "appeal_final"
    exc = refused(lambda: moderation.decide_case(second, case.id, remove()))
    assert exc.code == "case_already_decided"
    assert [a for a in audit_actions(case.id) if a in ("decision", "appeal",
                                                       "appeal_decision")] == [
        "decision", "appeal", "appeal_decision"]


def test_an_approval_cannot_be_appealed(make_user, make_moderator, quick_note):
    author = make_user()
    note = quick_note(author)
    case = moderation.open_case("note", note.id, source="rules", reasons=[
        {"code": "spam", "severity": "low"}], markets=[], language=None, hold=False)
    moderation.decide_case(make_moderator(), case.id, DecisionInput("approve",
                                                                    "no_violation", []))
    with pytest.raises(DomainError) as exc:
        moderation.appeal_decision(author, case.id)
    assert exc.value.code == "nothing_to_appeal"


# Legal requests -----------------------------------------------------------------------------
def test_legal_request_hides_the_note_in_that_country_only_and_tells_the_author(
        make_user, quick_note):
    admin = make_user(roles=("admin",))
    author = make_user()
    note = quick_note(author)
    with pytest.raises(Forbidden):
        moderation.record_legal_request(make_user(roles=("moderator",)), "note", note.id,
                                        country="DE", legal_basis="NetzDG §3")
    request = moderation.record_legal_request(admin, "note", note.id, country="de",
                                              legal_basis="NetzDG §3",
                                              authority="Landgericht Berlin")
    db.session.commit()
    viewer = make_user()
    assert request.country == "DE" and note.hidden_markets == ",DE,"
    with pytest.raises(NotFound):
        notes.get_note(viewer, note.id, market="DE")
    assert notes.get_note(viewer, note.id, market="FR").id == note.id
    assert notes.get_note(author, note.id, market="DE").id == note.id
    notice = db.session.scalar(select(Notification).where(Notification.kind == "moderation"))
    assert notice.recipient_id == author.id and notice.moderation_event == "legal_blocked"
    assert "legal_request" in audit_actions()
    assert moderation.legal_requests_for("note", note.id)[0].legal_basis == "NetzDG §3"


def test_reinstating_keeps_a_legal_block(make_user, make_moderator, quick_note):
    admin = make_user(roles=("admin",))
    author = make_user()
    note = quick_note(author)
    moderation.record_legal_request(admin, "note", note.id, country="DE", legal_basis="§")
    case = moderation.open_case("note", note.id, source="rules", reasons=[
        {"code": "spam", "severity": "low"}], markets=[], language=None, hold=False)
    moderation.decide_case(make_moderator(), case.id, DecisionInput("restrict", "spam",
                                                                    ["US"]))
    assert note.hidden_markets == ",DE,US,"
    moderation.appeal_decision(author, case.id)
    moderation.decide_case(make_moderator(), case.id, DecisionInput("approve",
                                                                    "no_violation", []))
    assert note.hidden_markets == ",DE,"


# Escalation ---------------------------------------------------------------------------------
def test_repeated_removals_restrict_posting_then_suspend(app, make_user, make_moderator,
                                                        quick_note, monkeypatch):
    monkeypatch.setitem(app.config, "MODERATION_RESTRICT_AFTER_REMOVALS", 2)
    monkeypatch.setitem(app.config, "MODERATION_SUSPEND_AFTER_REMOVALS", 3)
    author = make_user()
    mod = make_moderator()

    def removal():
        note = quick_note(author)
        case = moderation.open_case("note", note.id, source="rules", reasons=[
            {"code": "spam", "severity": "low"}], markets=[], language=None, hold=False)
        moderation.decide_case(mod, case.id, remove())

    removal()
    assert author.posting_restricted_until is None
    removal()
    assert author.posting_restricted_until > utcnow() + timedelta(days=6)
    with pytest.raises(Forbidden) as exc:
        engagement.add_comment(author, quick_note(make_user()).id, "hello")
    assert exc.value.code == "posting_restricted"
    removal()
    assert author.suspended_until > utcnow() + timedelta(days=20)
    assert audit_actions().count("escalation") == 2


def test_new_accounts_links_and_mentions_are_rate_limited(app, make_user, quick_note,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "MODERATION_NEW_ACCOUNT_LINKS_PER_DAY", 2)
    newcomer = make_user()
    note = quick_note(make_user())
    engagement.add_comment(newcomer, note.id, "see https://a.example and www.b.example")
    with pytest.raises(RateLimited) as exc:
        engagement.add_comment(newcomer, note.id, "and https://c.example")
    assert exc.value.code == "new_account_link_limit" and exc.value.status == 429
    engagement.add_comment(newcomer, note.id, "no links here")
    veteran = make_user()
    veteran.created_at = utcnow() - timedelta(days=30)
    for _ in range(3):
        engagement.add_comment(veteran, note.id, "https://a.example https://b.example")


# Transparency -------------------------------------------------------------------------------
def test_transparency_report_counts_per_market_and_month(make_user, make_moderator,
                                                         quick_note):
    admin = make_user(roles=("admin",))
    author = make_user()
    mod, second = make_moderator(), make_moderator()
    held = quick_note(author, region="US")
    reported = quick_note(author, region="CN")
    case = moderation.open_case("note", held.id, source="rules", reasons=[
        {"code": "hate", "severity": "high"}], markets=["GB"], language=None, hold=True)
    moderation.report_content(make_user(), "note", reported.id, "spam")
    moderation.decide_case(mod, case.id, remove("hate"))
    moderation.appeal_decision(author, case.id)
    moderation.decide_case(second, case.id, DecisionInput("approve", "no_violation", []))
    moderation.record_legal_request(admin, "note", reported.id, country="CN",
                                    legal_basis="Cybersecurity Law art. 47")
    db.session.commit()
    report = moderation.transparency_report(admin, utcnow().date())
    by_market = {f.market: f.counts for f in report.markets}
    assert by_market["US"]["screened"] == 1 and by_market["GB"]["held"] == 1
    assert by_market["US"]["removed"] == 1
    assert by_market["US"]["appealed"] == 1 and by_market["US"]["reinstated"] == 1
    assert by_market["CN"]["reported"] == 1 and by_market["CN"]["legal_orders"] == 1
    assert report.total.counts["removed"] == 1 and report.total.median_hours is not None
    csv_text = moderation.report_csv(report)
    assert "orders_from_authorities,legal_orders" in csv_text
    assert ",ALL,complaints,reinstated," in csv_text
    with pytest.raises(Forbidden):
        moderation.transparency_report(mod, utcnow().date())
    assert db.session.scalar(select(func.count(ModerationDecision.id))) >= 3


def test_a_removed_product_leaves_the_catalog(make_user, make_org, make_moderator):
    from app.services.catalog import reads
    from tests.catalog_factories import make_shop

    shop = make_shop(make_org, make_user)
    product = shop.add_product()
    case = moderation.open_case("product", product.id, source="rules", reasons=[
        {"code": "prohibited_goods", "severity": "high"}], markets=[], language=None,
        hold=True)
    with pytest.raises(NotFound):
        reads.get_public_product(product.id)
    moderation.decide_case(make_moderator(), case.id, DecisionInput("approve",
                                                                    "no_violation", []))
    assert reads.get_public_product(product.id).id == product.id
    assert product.id in [p.id for p in reads.list_catalog(store_id=shop.store.id).items]
    moderation.record_legal_request(make_user(roles=("admin",)), "product", product.id,
                                    country="GB", legal_basis="Trade Marks Act 1994")
    assert reads.get_public_product(product.id, market="US").id == product.id
    with pytest.raises(NotFound):
        reads.get_public_product(product.id, market="GB")


# A real race: PostgreSQL only ---------------------------------------------------------------
on_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="real concurrent transactions need PostgreSQL")


@pytest.mark.postgres_only
@on_postgresql
def test_concurrent_claims_leave_one_claimer(app, database_url):
    """Eight moderators claim one item at the same moment: one wins, seven get 409."""
    from app.models import PlatformRole, User

    engine = create_engine(database_url, pool_size=10, max_overflow=0)
    sessions = scoped_session(sessionmaker(bind=engine))
    suite_session, db.session = db.session, sessions
    workers = 8
    try:
        author = User(email="claim-author@example.test", password_hash="x",
                      display_name="Author")
        mods = [User(email=f"claim-mod{i}@example.test", password_hash="x",
                     display_name=f"Mod {i}",
                     platform_roles=[PlatformRole(role="moderator", markets=[],
                                                  languages=[])]) for i in range(workers)]
        sessions.add_all([author, *mods])
        sessions.flush()
        note = Note(author_id=author.id, title="Race", body="", status="published",
                    published_at=utcnow())
        sessions.add(note)
        sessions.flush()
        case = moderation.open_case("note", note.id, source="rules", reasons=[
            {"code": "spam", "severity": "low"}], markets=[], language=None, hold=False)
        sessions.commit()
        case_id, mod_ids = case.id, [m.id for m in mods]
        sessions.remove()
        barrier = threading.Barrier(workers)
        outcomes: list[str] = []

        def claim(mod_id: int) -> None:
            try:
                with app.app_context():
                    mod = sessions.get(User, mod_id)
                    barrier.wait()
                    try:
                        moderation.claim_case(mod, case_id)
                        sessions.commit()
                        outcomes.append("won")
                    except Conflict as exc:
                        sessions.rollback()
                        outcomes.append(exc.code)
            except BaseException as exc:  # noqa: BLE001 - reported below
                outcomes.append(repr(exc))
            finally:
                sessions.remove()

        threads = [threading.Thread(target=claim, args=(m,)) for m in mod_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == sorted(["won"] + ["case_claimed_by_other"] * (workers - 1))
        stored = sessions.get(ModerationCase, case_id)
        assert stored.status == "claimed" and stored.claimed_by_id in mod_ids
    finally:
        db.session = suite_session
        sessions.remove()
        with engine.begin() as conn:
            conn.execute(delete(ModerationCase).where(ModerationCase.id == case_id))
            conn.execute(delete(AuditLogEntry).where(AuditLogEntry.case_id == case_id))
            conn.execute(delete(User).where(User.email.like("claim-%@example.test")))
        engine.dispose()


def test_a_removed_comment_disappears_and_a_restricted_one_only_in_its_market(
        make_user, make_moderator, quick_note):
    note = quick_note(make_user())
    commenter = make_user()
    kept = engagement.add_comment(commenter, note.id, "Lovely colour")
    gone = engagement.add_comment(commenter, note.id, "Buy followers cheap")
    local = engagement.add_comment(commenter, note.id, "Only for some")
    mod = make_moderator()
    for comment, decision in ((gone, remove()),
                              (local, DecisionInput("restrict", "other", ["CN"]))):
        case = moderation.open_case("comment", comment.id, source="rules", reasons=[
            {"code": "spam", "severity": "low"}], markets=[], language=None, hold=False)
        moderation.decide_case(mod, case.id, decision)

    def bodies(market=None):
        threads, _more = engagement.comment_threads(note, market=market)
        return [t.comment.body for t in threads]

    assert bodies("US") == [kept.body, local.body]
    assert bodies("CN") == [kept.body]
