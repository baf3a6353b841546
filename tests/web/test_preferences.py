"""Display preferences: language, display currency and ship-to country, for guests and users."""

from __future__ import annotations

import re
from html import unescape

import pytest
from babel.messages.mofile import read_mo

from app import ROOT
from tests.conftest import PASSWORD, csrf_from
from tests.web.test_auth import user_by_email


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def selected(html: str, name: str) -> str:
    block = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]+)" selected>', block).group(1)


def choose(client, **values):
    token = csrf_from(client.get("/").get_data(as_text=True))
    return client.post("/preferences", data={**values, "next": "/", "csrf_token": token})


def test_defaults_for_a_new_visitor(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert html_lang(response) == "en"
    assert selected(html, "locale") == "en"
    assert selected(html, "currency") == "USD"
    assert selected(html, "ship_to_country") == "US"


def test_a_zh_cn_browser_gets_chinese(client):
    response = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6"})
    assert html_lang(response) == "zh-Hans"
    html = response.get_data(as_text=True)
    assert selected(html, "locale") == "zh"
    assert selected(html, "currency") == "CNY"  # the default currency follows the language
    assert ">美国</option>" in html  # country names in Chinese


def test_the_ship_to_list_follows_the_choice_and_the_language(client):
    """The header's country list is rendered once per language and choice, then reused:
    each page still marks exactly its viewer's country, in its viewer's language."""
    from app.services.regions import country_names

    def ship_to(html: str) -> list[tuple[str, str, str]]:
        block = re.search(r'<select name="ship_to_country".*?</select>', html, re.S).group(0)
        return [(code, mark, unescape(name)) for code, mark, name in
                re.findall(r'<option value="([A-Z]{2})" (selected)?>([^<]+)</option>', block)]

    first = ship_to(client.get("/").get_data(as_text=True))
    assert [(code, name) for code, _mark, name in first] == list(country_names("en").items())
    assert [code for code, mark, _name in first if mark] == ["US"]
    choose(client, ship_to_country="JP")
    again = ship_to(client.get("/").get_data(as_text=True))
    assert [code for code, mark, _name in again if mark] == ["JP"]
    choose(client, locale="zh")
    chinese = ship_to(client.get("/").get_data(as_text=True))
    assert [(code, name) for code, _mark, name in chinese] == list(country_names("zh").items())
    assert [code for code, mark, _name in chinese if mark] == ["JP"]


def test_an_english_browser_gets_english(client):
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert html_lang(response) == "en"


def test_a_guest_choice_is_kept_in_the_session(client):
    response = choose(client, locale="zh", currency="jpy", ship_to_country="jp")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert session["preferences"] == {"locale": "zh", "currency": "JPY",
                                          "ship_to_country": "JP"}
    page = client.get("/", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert html_lang(page) == "zh-Hans"  # the explicit choice beats the browser
    assert selected(html, "currency") == "JPY"
    assert selected(html, "ship_to_country") == "JP"


def test_the_saved_message_is_in_the_new_language(client):
    choose(client, locale="zh")
    page = client.get("/")
    assert html_lang(page) == "zh-Hans"
    with client.application.test_request_context(headers={"Accept-Language": "zh"}):
        from flask_babel import gettext

        expected = gettext("Preferences saved.")
    assert expected in page.get_data(as_text=True)


def test_one_choice_at_a_time_keeps_the_others(client):
    choose(client, currency="EUR")
    choose(client, ship_to_country="DE")
    with client.session_transaction() as session:
        assert session["preferences"] == {"currency": "EUR", "ship_to_country": "DE"}


def test_a_signed_in_choice_is_stored_on_the_user(app, client, make_user, login):
    user = make_user()
    login(user)
    assert choose(client, locale="zh", currency="KRW", ship_to_country="KR").status_code == 303
    stored = user_by_email(user.email)
    assert (stored.locale, stored.currency, stored.ship_to_country) == ("zh", "KRW", "KR")
    with client.session_transaction() as session:
        assert "preferences" not in session
    # Another device of the same user sees the same choices once logged in.
    other = app.test_client()
    login(user, target=other)
    page = other.get("/")
    assert html_lang(page) == "zh-Hans"
    assert selected(page.get_data(as_text=True), "currency") == "KRW"


def test_guest_choices_are_adopted_on_login(client, make_user, login):
    user = make_user(locale="en", currency="USD")
    choose(client, locale="zh", currency="JPY")
    login(user)
    stored = user_by_email(user.email)
    assert (stored.locale, stored.currency) == ("zh", "JPY")
    assert stored.ship_to_country is None  # not chosen, not invented
    assert html_lang(client.get("/")) == "zh-Hans"


def test_guest_choices_are_adopted_on_signup(client, post_form):
    choose(client, currency="GBP")
    post_form("/auth/signup", {"display_name": "New", "email": "new@example.com",
                               "password": "a-long-unique-phrase"})
    assert user_by_email("new@example.com").currency == "GBP"


def test_the_language_survives_logout(client, make_user, login):
    user = make_user(locale="zh")
    login(user)
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/auth/logout", data={"csrf_token": token})
    assert html_lang(client.get("/", headers={"Accept-Language": "en"})) == "zh-Hans"


def _log_out(client):
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/auth/logout", data={"csrf_token": token})


def test_the_next_account_keeps_its_own_language(client, make_user, login):
    reader_of_chinese = make_user(locale="zh", currency="CNY")
    reader_of_english = make_user(locale="en", currency="USD")
    login(reader_of_chinese)
    _log_out(client)
    login(reader_of_english)  # the same browser, without choosing anything in between
    stored = user_by_email(reader_of_english.email)
    assert (stored.locale, stored.currency) == ("en", "USD")
    assert html_lang(client.get("/")) == "en"


def test_a_choice_made_after_logging_out_is_adopted(client, make_user, login):
    first = make_user(locale="zh", currency="CNY")
    second = make_user(locale="zh", currency="CNY")
    login(first)
    _log_out(client)
    choose(client, currency="JPY")
    page = client.get("/").get_data(as_text=True)
    assert selected(page, "locale") == "zh"  # still what the last account read
    assert selected(page, "currency") == "JPY"
    login(second)
    assert user_by_email(second.email).currency == "JPY"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("locale", "fr", "Choose one of: en, zh."),
    ("currency", "BTC", "Choose one of: USD, EUR"),
    ("ship_to_country", "XX", "Choose a country by its two-letter ISO code."),
    ("ship_to_country", "EU", "Choose a country by its two-letter ISO code."),
])
def test_invalid_values_are_rejected_with_a_message(client, make_user, login, field, value,
                                                    message):
    user = make_user()
    login(user)
    response = choose(client, **{field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    stored = user_by_email(user.email)
    assert (stored.locale, stored.currency, stored.ship_to_country) == (None, None, None)


def test_invalid_guest_values_are_not_kept(client):
    response = choose(client, locale="en", currency="XYZ")
    assert response.status_code == 422
    with client.session_transaction() as session:
        assert "preferences" not in session


def test_preferences_need_the_csrf_token(client):
    response = client.post("/preferences", data={"locale": "zh"})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "preferences" not in session


def test_preferences_redirect_only_to_local_pages(client):
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/preferences", data={"locale": "zh", "csrf_token": token,
                                                 "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def _compiled_zh() -> dict[str, str]:
    mo = ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.mo"
    if not mo.exists():
        return {}
    with mo.open("rb") as handle:
        catalog = read_mo(handle)
    return {m.id: m.string for m in catalog
            if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string}


def test_the_ui_renders_in_chinese(client, make_user, login):
    user = make_user(locale="zh")
    login(user, password=PASSWORD)
    page = client.get("/account/profile")
    assert html_lang(page) == "zh-Hans"
    html = page.get_data(as_text=True)
    translations = _compiled_zh()
    for english in ("Log out", "Your profile", "Save profile"):
        if english in translations:  # filled in by the translators, compiled by `make`
            assert translations[english] in html
            assert f">{english}<" not in html
