"""Admin pages for moderation rules: moderators read, admins change, errors name the field."""

from __future__ import annotations

import html as htmllib
import io

import pytest

from app.services.moderation.matcher import MATCHERS
from tests.conftest import csrf_from


def text_of(response) -> str:
    return htmllib.unescape(response.get_data(as_text=True))


@pytest.fixture(autouse=True)
def _fresh_matchers():
    MATCHERS.clear()
    yield
    MATCHERS.clear()


@pytest.fixture
def admin_client(app, make_user, login):
    admin = make_user("rules@example.com", roles=("admin",), display_name="Rule Admin")
    browser = app.test_client()
    login(admin, target=browser)
    return browser


@pytest.fixture
def moderator_client(app, make_user, login):
    moderator = make_user("mod@example.com", roles=("moderator",))
    browser = app.test_client()
    login(moderator, target=browser)
    return browser


def submit(browser, url, data, page):
    token = csrf_from(browser.get(page).get_data(as_text=True))
    return browser.post(url, data={**data, "csrf_token": token})


RULE = {"market": "US", "kind": "keyword", "term": "qiaotestban", "language": "en",
        "severity": "medium", "reason_code": "test_term", "match_variants": "y"}


def test_admin_adds_edits_and_removes_a_rule_with_versions(admin_client):
    page = "/admin/moderation/rules/new?market=US"
    response = submit(admin_client, "/admin/moderation/rules/new", RULE, page)
    assert response.status_code == 303
    listing = text_of(admin_client.get("/admin/moderation/rules?market=US"))
    assert "qiaotestban" in listing and "Version 1 (current)." in listing
    rule_id = int(listing.split('data-rule="')[1].split('"')[0])
    edited = submit(admin_client, f"/admin/moderation/rules/{rule_id}",
                    {**RULE, "severity": "critical"}, f"/admin/moderation/rules/{rule_id}")
    assert edited.status_code == 303
    listing = text_of(admin_client.get("/admin/moderation/rules?market=US"))
    assert "Version 2 (current)." in listing and "Critical" in listing
    old = text_of(admin_client.get("/admin/moderation/rules?market=US&version=1"))
    assert "an old version, read only" in old and "Medium" in old and "Critical" not in old
    new_id = int(listing.split('data-rule="')[1].split('"')[0])
    removed = submit(admin_client, f"/admin/moderation/rules/{new_id}/remove", {},
                     "/admin/moderation/rules?market=US")
    assert removed.status_code == 303
    assert "qiaotestban" not in text_of(admin_client.get("/admin/moderation/rules?market=US")
                                        ).split("History")[0].split("rules</p>")[-1]


def test_an_invalid_pattern_is_refused_with_the_field_named(admin_client):
    response = submit(admin_client, "/admin/moderation/rules/new",
                      {**RULE, "kind": "pattern", "term": "(unclosed"},
                      "/admin/moderation/rules/new")
    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was saved" in page
    assert "This is not a usable regular expression" in page
    term_input = page.split('name="term"')[0].rsplit("<input", 1)[-1] + \
        page.split('name="term"')[1].split(">")[0]
    assert 'aria-invalid="true"' in term_input


def test_a_catastrophic_pattern_is_refused_with_the_reason(admin_client):
    response = submit(admin_client, "/admin/moderation/rules/new",
                      {**RULE, "kind": "pattern", "term": "(a+)+$"},
                      "/admin/moderation/rules/new")
    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was saved" in page
    assert "This pattern could take too long to match" in page


def test_csv_import_and_export(admin_client):
    csv_text = ("market,kind,term,language,severity,reason_code,match_pinyin\n"
                "CN,keyword,刷单,zh,high,spam,yes\nCN,keyword,假货,zh,high,counterfeit,yes\n")
    token = csrf_from(admin_client.get("/admin/moderation/rules").get_data(as_text=True))
    response = admin_client.post(
        "/admin/moderation/rules/import?market=CN",
        data={"csrf_token": token, "file": (io.BytesIO(csv_text.encode()), "rules.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    listing = text_of(admin_client.get("/admin/moderation/rules?market=CN"))
    assert "刷单" in listing and "假货" in listing and "2 rules" in listing
    exported = admin_client.get("/admin/moderation/rules/export?market=CN")
    assert exported.mimetype == "text/csv" and "刷单" in exported.get_data(as_text=True)


def test_a_bad_csv_line_imports_nothing_and_says_which(admin_client):
    csv_text = "market,kind,term,severity,reason_code\nUS,pattern,(bad,high,spam\n"
    token = csrf_from(admin_client.get("/admin/moderation/rules").get_data(as_text=True))
    response = admin_client.post(
        "/admin/moderation/rules/import?market=US", follow_redirects=True,
        data={"csrf_token": token, "file": (io.BytesIO(csv_text.encode()), "rules.csv")},
        content_type="multipart/form-data")
    page = text_of(response)
    assert "nothing was imported" in page and "line 2: term" in page
    assert "No rules yet." in page


def test_moderators_read_but_cannot_change(moderator_client, admin_client):
    submit(admin_client, "/admin/moderation/rules/new", RULE, "/admin/moderation/rules/new")
    page = moderator_client.get("/admin/moderation/rules?market=US")
    assert page.status_code == 200 and "qiaotestban" in text_of(page)
    assert "Add a rule" not in text_of(page)
    assert moderator_client.get("/admin/moderation/rules/new").status_code == 403
    assert moderator_client.get("/admin/moderation/rules/export?market=US").status_code == 200


def test_rules_page_in_chinese(app, make_user, login):
    admin = make_user("zh-admin@example.com", roles=("admin",), locale="zh")
    browser = app.test_client()
    login(admin, target=browser)
    submit(browser, "/admin/moderation/rules/new", RULE, "/admin/moderation/rules/new")
    page = text_of(browser.get("/admin/moderation/rules?market=US"))
    assert "审核规则" in page and "测试词（演示规则）" in page
    assert "Moderation rules" not in page and "Add a rule" not in page
