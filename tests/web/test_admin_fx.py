"""The admin exchange-rate page: access, snapshots, the rate table, ECB import, manual rates."""

from __future__ import annotations

import html as htmllib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import FxSnapshot
from app.services.fx import conversion as fx
from tests.conftest import csrf_from

pytest_plugins = ["tests.ecb_server"]

SAMPLE = (Path(__file__).resolve().parent.parent / "data" / "ecb-eurofxref-sample.xml"
          ).read_bytes()


def text_of(response) -> str:
    return htmllib.unescape(response.get_data(as_text=True))


def row_of(page: str, attribute: str, value: str) -> str:
    match = re.search(rf'<tr {attribute}="{value}".*?</tr>', page, re.S)
    assert match, f"no row with {attribute}={value}"
    return re.sub(r"\s+", " ", match.group(0))


def snapshot_count() -> int:
    return db.session.scalar(select(func.count()).select_from(FxSnapshot))


@pytest.fixture
def admin_client(app, make_user, login):
    admin = make_user("fx-admin@example.com", roles=("admin",))
    browser = app.test_client()
    login(admin, target=browser)
    browser.admin = admin
    return browser


@pytest.fixture
def max_age(app):
    saved = app.config["FX_MAX_AGE_HOURS"]

    def set_hours(hours: int) -> None:
        app.config["FX_MAX_AGE_HOURS"] = hours

    yield set_hours
    app.config["FX_MAX_AGE_HOURS"] = saved


def post(browser, url: str, data: dict | None = None):
    token = csrf_from(browser.get("/admin/fx").get_data(as_text=True))
    return browser.post(url, data={**(data or {}), "csrf_token": token})


# Access -----------------------------------------------------------------------------------------
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/admin/fx")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("roles", [(), ("moderator",)])
def test_non_admins_get_403_and_change_nothing(app, make_user, login, roles, ecb_server):
    browser = app.test_client()
    login(make_user(roles=roles), target=browser)
    assert browser.get("/admin/fx").status_code == 403
    token = csrf_from(browser.get("/orgs/").get_data(as_text=True))
    assert browser.post("/admin/fx/import", data={"csrf_token": token}).status_code == 403
    assert browser.post("/admin/fx/rates", data={
        "csrf_token": token, "from_currency": "USD", "to_currency": "JPY",
        "rate": "1"}).status_code == 403
    assert snapshot_count() == 0 and ecb_server.requests == []


# The page ---------------------------------------------------------------------------------------
def test_without_rates_the_page_says_how_to_get_them(admin_client):
    page = text_of(admin_client.get("/admin/fx"))
    assert "No exchange rates yet" in page
    assert 'data-status="missing"' in page
    assert "1.5 % on top of the mid-market rate" in page
    assert "KRW to 10 minor units" in page


def test_snapshots_and_the_rate_checkout_uses(admin_client, max_age):
    max_age(24 * 365 * 10)
    snapshot = fx.import_ecb_rates(SAMPLE)
    db.session.commit()
    page = text_of(admin_client.get("/admin/fx?base=USD"))
    listed = row_of(page, "data-snapshot", str(snapshot.id))
    assert "Nov 27, 2026, 3:00 PM GMT+00:00" in listed and "ECB reference rates" in listed
    assert "9 currencies against EUR" in listed and "Fresh" in listed
    jpy = row_of(page, "data-currency", "JPY")
    mid = Decimal("162.43") / Decimal("1.0850")
    assert str(mid) in jpy and "In use" in jpy
    assert str(fx.lock_rate("USD", "JPY").rate) in jpy  # the fee-inclusive rate


def test_stale_rates_are_marked_and_shown_with_their_age(admin_client, max_age):
    max_age(1)
    snapshot = fx.import_ecb_rates(SAMPLE)
    db.session.commit()
    page = text_of(admin_client.get("/admin/fx"))
    assert 'data-status="stale"' in row_of(page, "data-snapshot", str(snapshot.id))
    usd = row_of(page, "data-currency", "USD")
    assert "Stale: checkout refuses it" in usd and "1.0850" in usd


def test_a_bad_base_falls_back_to_eur(admin_client):
    page = text_of(admin_client.get("/admin/fx?base=<script>"))
    assert '<option value="EUR" selected>' in page


# Import from the ECB ---------------------------------------------------------------------------
def test_import_now_records_the_snapshot_with_who_asked(admin_client, ecb_server):
    response = post(admin_client, "/admin/fx/import")
    assert response.status_code == 303
    page = text_of(admin_client.get(response.headers["Location"]))
    assert "Imported the ECB rates of 2026-11-27: 9 currencies against EUR." in page
    snapshot = db.session.scalar(select(FxSnapshot))
    assert snapshot.created_by_id == admin_client.admin.id
    assert "fx-admin@example.com" in row_of(page, "data-snapshot", str(snapshot.id))
    again = post(admin_client, "/admin/fx/import")
    assert "already recorded" in text_of(admin_client.get(again.headers["Location"]))
    assert snapshot_count() == 1


def test_an_unreachable_source_shows_why_and_writes_nothing(admin_client, app,
                                                            closed_port_url):
    saved = app.config["ECB_RATES_URL"]
    app.config["ECB_RATES_URL"] = closed_port_url
    try:
        response = post(admin_client, "/admin/fx/import")
    finally:
        app.config["ECB_RATES_URL"] = saved
    assert response.status_code == 502
    assert "Nothing was imported: Could not reach the rate source" in text_of(response)
    assert snapshot_count() == 0


def test_a_bad_document_shows_why_and_writes_nothing(admin_client, ecb_server):
    ecb_server.body = b"<html>maintenance</html>"
    response = post(admin_client, "/admin/fx/import")
    assert response.status_code == 422
    assert "no dated <Cube time=...> element" in text_of(response)
    assert snapshot_count() == 0


def test_import_without_the_csrf_token_is_refused(admin_client, ecb_server):
    response = admin_client.post("/admin/fx/import")
    assert response.status_code == 400
    assert "The form expired" in text_of(response)
    assert ecb_server.requests == []


# Manual rates -----------------------------------------------------------------------------------
def test_a_manual_rate_is_in_force_at_once(admin_client):
    response = post(admin_client, "/admin/fx/rates", {
        "from_currency": "usd", "to_currency": "JPY", "rate": "150.25", "note": "desk"})
    assert response.status_code == 303
    page = text_of(admin_client.get("/admin/fx?base=USD"))
    assert "From now on 1 USD = 150.25 JPY" in page
    jpy = row_of(page, "data-currency", "JPY")
    assert "150.25" in jpy and "Set by hand" in jpy
    snapshot = db.session.scalar(select(FxSnapshot))
    assert (snapshot.source, snapshot.note, snapshot.created_by_id) == \
        ("manual", "desk", admin_client.admin.id)
    assert "1 USD = 150.25 JPY" in row_of(page, "data-snapshot", str(snapshot.id))


@pytest.mark.parametrize(("data", "message"), [
    ({"from_currency": "", "to_currency": "JPY", "rate": "1"},
     "Enter the currency you convert from, such as USD."),
    ({"from_currency": "XXY", "to_currency": "JPY", "rate": "1"}, "Unknown currency 'XXY'"),
    ({"from_currency": "USD", "to_currency": "usd", "rate": "1"},
     "Choose two different currencies."),
    ({"from_currency": "USD", "to_currency": "JPY", "rate": "-2"},
     "Enter a positive decimal number"),
    ({"from_currency": "USD", "to_currency": "JPY", "rate": "1,5"},
     "Enter a positive decimal number"),
    ({"from_currency": "USD", "to_currency": "JPY", "rate": "1" * 31},
     "Enter at most 30 characters."),
    ({"from_currency": "USD", "to_currency": "JPY", "rate": ""}, "Enter the rate"),
])
def test_bad_manual_rates_say_what_to_fix_and_write_nothing(admin_client, data, message):
    response = post(admin_client, "/admin/fx/rates", data)
    assert response.status_code == 422
    page = text_of(response)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert snapshot_count() == 0
