"""Moderation pages: the scoped queue and its filters, the item page, decisions, bulk,
the author's notice and appeal, legal requests and the transparency page."""

from __future__ import annotations

import html as htmllib
import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLogEntry, ModerationCase
from app.services import moderation
from tests.conftest import csrf_from

pytest_plugins = ["tests.notes_fixtures", "tests.moderation_fixtures"]


def text_of(response) -> str:
    return htmllib.unescape(response.get_data(as_text=True))


def browser_for(app, login, user):
    browser = app.test_client()
    login(user, target=browser)
    return browser


def post(browser, url: str, data: dict, page: str):
    token = csrf_from(browser.get(page).get_data(as_text=True))
    return browser.post(url, data={**data, "csrf_token": token})


def held_case(quick_note, author, *, region="US", language="en", title="Cheap pills here",
              spans=((6, 11),)):
    note = quick_note(author, title=title, body="", region=region, language=language)
    case = moderation.open_case("note", note.id, source="rules", reasons=[
        {"code": "scam", "severity": "high", "spans": [list(s) for s in spans],
         "text": "pills"}], markets=[], language=language, hold=True)
    db.session.commit()
    return note, case


def test_queue_is_scoped_and_filtered(app, login, make_user, make_moderator, quick_note):
    author = make_user()
    us_note, us_case = held_case(quick_note, author, region="US", title="US pills")
    cn_note, cn_case = held_case(quick_note, author, region="CN", language="zh",
                                 title="中国药片")
    us_mod = make_moderator(markets=["US"], languages=["en"])
    browser = browser_for(app, login, us_mod)
    page = text_of(browser.get("/admin/moderation"))
    assert f'data-case="{us_case.id}"' in page and f'data-case="{cn_case.id}"' not in page
    everyone = browser_for(app, login, make_moderator())
    page = text_of(everyone.get("/admin/moderation?market=CN"))
    assert f'data-case="{cn_case.id}"' in page and f'data-case="{us_case.id}"' not in page
    page = text_of(everyone.get("/admin/moderation?kind=reported"))
    assert 'data-testid="queue-empty"' in page
    # The item page of an item outside one's scope: 403, and the attempt is logged.
    assert browser.get(f"/admin/moderation/items/{cn_case.id}").status_code == 403
    assert db.session.scalar(select(AuditLogEntry.action).where(
        AuditLogEntry.case_id == cn_case.id)) in ("case_opened", "out_of_scope")


def test_queue_is_for_moderators(app, client, login, make_user):
    login(make_user())
    assert client.get("/admin/moderation").status_code == 403
    assert client.get("/admin/moderation/items/1").status_code == 403


def test_item_page_highlights_what_screening_saw(app, login, make_user, make_moderator,
                                                 quick_note):
    _note, case = held_case(quick_note, make_user())
    browser = browser_for(app, login, make_moderator())
    page = text_of(browser.get(f"/admin/moderation/items/{case.id}"))
    assert "Cheap <mark>pills</mark> here" in page


def test_claim_remove_and_author_sees_the_reason_in_chinese(app, login, make_user,
                                                             make_moderator, quick_note):
    author = make_user(locale="zh")
    note, case = held_case(quick_note, author)
    mod = make_moderator()
    browser = browser_for(app, login, mod)
    item = f"/admin/moderation/items/{case.id}"
    assert post(browser, f"{item}/claim", {}, item).status_code == 303
    other = browser_for(app, login, make_moderator())
    response = post(other, f"{item}/decision", {"action": "remove", "reason_code": "scam"},
                    item)
    assert response.status_code == 303
    assert db.session.get(ModerationCase, case.id).status == "claimed"
    response = post(browser, f"{item}/decision", {"action": "remove", "reason_code": "scam"},
                    item)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(ModerationCase, case.id).status == "decided"
    # Everyone else: 404. The author: the note, with the reason in their language.
    assert app.test_client().get(f"/notes/{note.id}").status_code == 404
    author_browser = browser_for(app, login, author)
    page = text_of(author_browser.get(f"/notes/{note.id}"))
    assert 'data-testid="moderation-notice"' in page and "诈骗或欺诈" in page
    notices = text_of(author_browser.get("/notifications"))
    assert 'data-event="removed"' in notices
    decision_page = f"/moderation/decisions/{case.id}"
    response = post(author_browser, f"{decision_page}/appeal", {"statement": "误判"},
                    decision_page)
    assert response.status_code == 303
    assert db.session.get(ModerationCase, case.id).status == "appealed"
    # A second appeal: refused with the specific message.
    response = post(author_browser, f"{decision_page}/appeal", {"statement": "again"},
                    decision_page)
    assert response.status_code == 409
    # The first moderator may not decide the appeal; another reinstates.
    post(browser, f"{item}/decision", {"action": "approve", "reason_code": "no_violation"},
         item)
    assert db.session.get(ModerationCase, case.id).status == "appealed"
    post(other, f"{item}/decision", {"action": "approve", "reason_code": "no_violation"},
         item)
    db.session.expire_all()
    assert db.session.get(ModerationCase, case.id).status == "closed"
    assert app.test_client().get(f"/notes/{note.id}").status_code == 200


def test_restrict_needs_markets_on_the_form(app, login, make_user, make_moderator,
                                            quick_note):
    _note, case = held_case(quick_note, make_user())
    browser = browser_for(app, login, make_moderator())
    item = f"/admin/moderation/items/{case.id}"
    response = post(browser, f"{item}/decision", {"action": "restrict",
                                                 "reason_code": "other"}, item)
    assert response.status_code == 422
    assert "Name the markets" in text_of(response)


def test_bulk_decision(app, login, make_user, make_moderator, quick_note):
    author = make_user()
    cases = [held_case(quick_note, author, title=f"Pills {i}")[1] for i in range(3)]
    browser = browser_for(app, login, make_moderator())
    token = csrf_from(browser.get("/admin/moderation").get_data(as_text=True))
    response = browser.post("/admin/moderation/bulk", data={
        "csrf_token": token, "case_id": [str(c.id) for c in cases[:2]],
        "bulk-action": "approve", "bulk-reason_code": "no_violation"})
    assert response.status_code == 303
    db.session.expire_all()
    assert [db.session.get(ModerationCase, c.id).status for c in cases] == [
        "decided", "decided", "open"]


def test_reporting_from_the_note_page_joins_the_queue(app, login, make_user, quick_note):
    note = quick_note(make_user(), title="Fake bags")
    db.session.commit()
    browser = browser_for(app, login, make_user())
    response = post(browser, f"/report/note/{note.id}", {"reason": "counterfeit"},
                    f"/notes/{note.id}")
    assert response.status_code == 303
    case = moderation.active_case("note", note.id)
    assert case.report_count == 1 and case.report_reasons == {"counterfeit": 1}


def test_legal_request_and_transparency_pages(app, login, make_user, quick_note):
    admin = make_user(roles=("admin",))
    note = quick_note(make_user(), title="Banned book review")
    db.session.commit()
    browser = browser_for(app, login, admin)
    response = post(browser, "/admin/legal-requests", {
        "target_type": "note", "target_id": str(note.id), "country": "de",
        "legal_basis": "NetzDG §3", "authority": "BfJ"}, "/admin/legal-requests")
    assert response.status_code == 303
    assert note.hidden_markets == ",DE,"
    page = text_of(browser.get("/admin/transparency"))
    assert re.search(r'data-metric="legal_orders">.*?data-market="DE">1<', page, re.S)
    csv_response = browser.get("/admin/transparency?format=csv")
    assert csv_response.mimetype == "text/csv"
    assert ",DE,orders_from_authorities,legal_orders," in csv_response.get_data(as_text=True)
    assert 'data-action="legal_request"' in text_of(browser.get("/admin/audit-log"))
    mod = browser_for(app, login, make_user(roles=("moderator",)))
    assert mod.get("/admin/transparency").status_code == 403
    assert mod.get("/admin/legal-requests").status_code == 403


def test_a_product_is_reported_from_its_page(app, login, make_user, make_org):
    from tests.catalog_factories import make_shop

    shop = make_shop(make_org, make_user)
    product = shop.add_product(title="Replica watch")
    browser = browser_for(app, login, make_user())
    page = text_of(browser.get(f"/products/{product.id}"))
    assert 'data-testid="report-product"' in page
    response = post(browser, f"/report/product/{product.id}", {
        "reason": "counterfeit", "next": f"/products/{product.id}"}, f"/products/{product.id}")
    assert response.status_code == 303 and response.location.endswith(f"/products/{product.id}")
    case = moderation.active_case("product", product.id)
    assert case.report_count == 1 and case.report_reasons == {"counterfeit": 1}
