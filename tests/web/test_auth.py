"""Sign-up, e-mail verification, log-in and -out, throttling and password reset in the browser."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from app.services.accounts.passwords import verify_password
from tests.conftest import PASSWORD, csrf_from

NEW_PASSWORD = "a-brand-new-passphrase"


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def field_errors(html: str, name: str) -> list[str]:
    """The error messages shown under the form field `name`."""
    match = re.search(
        rf'<div class="field[^"]*">(?:(?!<div class="field).)*?name="{name}".*?</div>',
        html, re.S)
    assert match, f"no field {name!r} on the page"
    return re.findall(r'<p class="error" role="alert">(.*?)</p>', match.group(0))


def is_logged_in(browser) -> bool:
    response = browser.get("/account/profile")
    return response.status_code == 200


# Sign-up --------------------------------------------------------------------------------------
SIGNUP_NOTICE = "We sent a message to {}. Open it to confirm your address, then log in."


def test_signup_creates_account_and_sends_verification(client, post_form, outbox, sent_mail):
    response = post_form("/auth/signup", {"display_name": "Lin", "email": "Lin@Example.com",
                                          "password": "a-long-unique-phrase"})
    assert response.status_code == 302
    # Logging in continues to the optional step of picking topics.
    assert response.headers["Location"] == "/auth/login?next=/welcome/topics"
    user = user_by_email("lin@example.com")
    assert user is not None and user.display_name == "Lin"
    assert not user.is_email_verified
    assert verify_password(user.password_hash, "a-long-unique-phrase")
    assert user.password_hash.startswith("$argon2id$")
    mails = outbox("verify_email")
    assert [m.to_address for m in mails] == ["lin@example.com"]
    assert mails[0].sent_at is not None  # delivered after the commit
    assert [m.to for m in sent_mail] == ["lin@example.com"]
    page = client.get("/auth/login").get_data(as_text=True)
    assert SIGNUP_NOTICE.format("Lin@Example.com") in page
    # Logging in straight away would tell a new address from a taken one.
    assert not is_logged_in(client)


def test_signup_page_renders(client):
    page = client.get("/auth/signup")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)


@pytest.mark.parametrize("email", ["taken@example.com", "TAKEN@Example.COM", " taken@example.com"])
def test_signup_with_a_taken_email_answers_like_a_new_one(app, client, post_form, make_user,
                                                          outbox, mail_link, email):
    owner = make_user("taken@example.com")
    before = user_count()
    new = post_form("/auth/signup", {"display_name": "Fresh", "email": "fresh@example.com",
                                     "password": "a-long-unique-phrase"}, follow=True)
    stranger = app.test_client()
    taken = post_form("/auth/signup", {"display_name": "Copy", "email": email,
                                       "password": "a-long-unique-phrase"},
                      follow=True, target=stranger)
    assert new.status_code == taken.status_code == 200
    assert SIGNUP_NOTICE.format("fresh@example.com") in new.get_data(as_text=True)
    assert SIGNUP_NOTICE.format(email.strip()) in taken.get_data(as_text=True)
    assert "already exists" not in taken.get_data(as_text=True)
    assert user_count() == before + 1
    assert not is_logged_in(stranger)
    # The owner hears about it, with a way back in if it was them.
    notices = outbox("signup_attempt")
    assert [m.to_address for m in notices] == [owner.email]
    assert "tried to create a new Qiao account" in notices[0].body_text
    assert outbox("verify_email", to=owner.email) == []
    reset = stranger.get(mail_link("signup_attempt"))
    assert reset.status_code == 200 and 'name="password"' in reset.get_data(as_text=True)


@pytest.mark.parametrize(("password", "message"), [
    ("short1", "Use at least 10 characters."),
    ("password123", "This password is too common or too easy to guess."),
    ("aaaaaaaaaaaaaa", "This password is too common or too easy to guess."),
    ("weakling-lin-2024", "Don&#39;t build the password from your e-mail address or name."),
])
def test_signup_with_a_weak_password_is_refused(client, post_form, outbox, password, message):
    before = user_count()
    response = post_form("/auth/signup", {"display_name": "Weakling",
                                          "email": "weakling@example.com",
                                          "password": password})
    assert response.status_code == 422
    assert message in field_errors(response.get_data(as_text=True), "password")
    assert user_count() == before
    assert outbox() == []


def test_signup_with_missing_fields_and_a_bad_address(post_form):
    response = post_form("/auth/signup", {"display_name": "", "email": "not-an-address",
                                          "password": "a-long-unique-phrase"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_errors(html, "display_name") == ["Enter the name other people will see."]
    assert field_errors(html, "email") == [
        "Enter a valid e-mail address, such as name@example.com."]
    assert user_by_email("not-an-address") is None


# E-mail verification --------------------------------------------------------------------------
def _sign_up(post_form, email="ver@example.com"):
    response = post_form("/auth/signup", {"display_name": "Verity", "email": email,
                                          "password": "a-long-unique-phrase"})
    assert response.status_code == 302


def test_the_verification_link_confirms_the_address(client, post_form, mail_link):
    _sign_up(post_form)
    response = client.get(mail_link("verify_email"))
    assert response.status_code == 302
    assert user_by_email("ver@example.com").is_email_verified
    assert "your e-mail address is confirmed" in client.get("/").get_data(as_text=True)


def test_the_verification_link_works_without_being_logged_in(app, post_form, mail_link):
    _sign_up(post_form)
    stranger = app.test_client()
    response = stranger.get(mail_link("verify_email"))
    assert response.status_code == 302
    # Never logged in yet: log in, then the optional topics step.
    assert response.headers["Location"] == "/auth/login?next=/welcome/topics"
    assert user_by_email("ver@example.com").is_email_verified


def test_a_tampered_verification_link_is_refused(client, post_form, mail_link):
    _sign_up(post_form)
    link = mail_link("verify_email")
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    response = client.get(tampered)
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)
    assert not user_by_email("ver@example.com").is_email_verified


def test_an_expired_verification_link_is_refused(app, client, post_form, mail_link,
                                                 monkeypatch):
    _sign_up(post_form)
    monkeypatch.setitem(app.config, "EMAIL_VERIFY_MAX_AGE", -1)
    response = client.get(mail_link("verify_email"))
    assert response.status_code == 400
    assert "This link has expired" in response.get_data(as_text=True)
    assert not user_by_email("ver@example.com").is_email_verified


def test_a_reset_link_cannot_be_used_as_a_verification_link(client, make_user, post_form,
                                                            mail_link):
    user = make_user("mixed@example.com", verified=False)
    post_form("/auth/forgot", {"email": user.email})
    token = mail_link("password_reset").rsplit("/", 1)[1]
    assert client.get(f"/auth/verify/{token}").status_code == 400
    assert not user_by_email("mixed@example.com").is_email_verified


def test_resend_verification(client, make_user, login, post_form, outbox):
    user = make_user("again@example.com", verified=False)
    login(user)
    token = csrf_from(client.get("/account/profile").get_data(as_text=True))
    response = client.post("/auth/verify/resend", data={"csrf_token": token})
    assert response.status_code == 302
    assert [m.to_address for m in outbox("verify_email")] == ["again@example.com"]


# Log-in and log-out ---------------------------------------------------------------------------
def test_login_and_logout(client, make_user, login):
    user = make_user("in@example.com")
    assert not is_logged_in(client)
    response = login(user)
    assert response.headers["Location"] == "/"
    assert "Welcome back, " + user.display_name in client.get("/").get_data(as_text=True)
    assert is_logged_in(client)
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert not is_logged_in(client)
    assert "You have logged out." in client.get("/").get_data(as_text=True)


def test_login_is_case_insensitive_on_the_email(client, make_user, login):
    user = make_user("mixed.case@example.com")
    user.email = "Mixed.Case@Example.com".lower()
    response = client.get("/auth/login")
    token = csrf_from(response.get_data(as_text=True))
    response = client.post("/auth/login", data={"email": "MIXED.Case@example.COM",
                                                "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_last_login_is_recorded(make_user, login):
    user = make_user()
    assert user.last_login_at is None
    login(user)
    assert user_by_email(user.email).last_login_at is not None


def test_login_redirects_to_a_local_next_page_only(client, make_user, post_form):
    user = make_user()
    response = post_form("/auth/login?next=/account/security",
                         {"email": user.email, "password": PASSWORD, "next": "/account/security"})
    assert response.headers["Location"] == "/account/security"
    client.post("/auth/logout", data={"csrf_token": csrf_from(
        client.get("/").get_data(as_text=True))})
    response = post_form("/auth/login", {"email": user.email, "password": PASSWORD,
                                         "next": "//evil.example/steal"})
    assert response.headers["Location"] == "/"


def test_a_protected_page_sends_guests_to_login(client):
    response = client.get("/account/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_wrong_password_answers_401_with_a_message(client, make_user, post_form):
    user = make_user()
    response = post_form("/auth/login", {"email": user.email, "password": "not-the-password"})
    assert response.status_code == 401
    assert "The e-mail address or password is wrong." in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_unknown_account_gets_the_same_answer_as_a_wrong_password(client, post_form):
    response = post_form("/auth/login", {"email": "nobody@example.com",
                                         "password": "whatever-it-is"})
    assert response.status_code == 401
    assert "The e-mail address or password is wrong." in response.get_data(as_text=True)


def test_empty_login_form_names_each_field(post_form):
    response = post_form("/auth/login", {"email": "", "password": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_errors(html, "email") == ["Enter your e-mail address."]
    assert field_errors(html, "password") == ["Enter your password."]


def test_a_disabled_account_cannot_log_in(client, make_user, post_form):
    user = make_user(is_active_account=False)
    response = post_form("/auth/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 401
    assert "This account has been disabled." in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_disabling_an_account_ends_its_open_sessions(client, make_user, login):
    user = make_user()
    login(user)
    assert is_logged_in(client)
    user.is_active_account = False
    db.session.commit()
    assert not is_logged_in(client)


# Session rotation and remember me -------------------------------------------------------------
def test_login_rotates_the_session(client, make_user, post_form):
    user = make_user()
    page = client.get("/auth/login").get_data(as_text=True)
    with client.session_transaction() as before:
        before["planted"] = "attacker-chosen value"
        before["preferences"] = {"locale": "zh"}
        old_csrf = before.get("csrf_token")
    assert old_csrf
    old_cookie = client.get_cookie("qiao_session").value
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD,
                                                "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert client.get_cookie("qiao_session").value != old_cookie
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after.get("csrf_token") != old_csrf
        assert after["_user_id"] == f"{user.id}:{user.session_version}"
    # The guest's language choice survived, now kept on the account.
    assert user_by_email(user.email).locale == "zh"


def test_remember_me_sets_a_remember_cookie_that_outlives_the_session(client, make_user,
                                                                       post_form):
    user = make_user()
    response = post_form("/auth/login", {"email": user.email, "password": PASSWORD,
                                         "remember": "y"})
    assert response.status_code == 302
    remember = client.get_cookie("qiao_remember")
    assert remember is not None and remember.http_only
    client.delete_cookie("qiao_session")  # the browser was closed
    assert is_logged_in(client)


def test_without_remember_me_there_is_no_remember_cookie(client, make_user, login):
    login(make_user())
    assert client.get_cookie("qiao_remember") is None
    client.delete_cookie("qiao_session")
    assert not is_logged_in(client)


def test_logout_ends_every_session_and_remember_cookie(app, client, make_user, post_form,
                                                       login):
    user = make_user()
    phone = app.test_client()
    laptop = app.test_client()
    login(user)
    login(user, target=phone)
    response = post_form("/auth/login", {"email": user.email, "password": PASSWORD,
                                         "remember": "y"}, target=laptop)
    assert response.status_code == 302
    laptop.delete_cookie("qiao_session")  # only the remember cookie is left
    assert is_logged_in(phone) and is_logged_in(laptop)

    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert not is_logged_in(client)
    assert not is_logged_in(phone)
    assert not is_logged_in(laptop)


def test_logout_deletes_the_remember_cookie(client, make_user, post_form):
    user = make_user()
    post_form("/auth/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("qiao_remember") is not None
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/auth/logout", data={"csrf_token": token})
    assert client.get_cookie("qiao_remember") is None


def test_logout_needs_post_with_csrf(client, make_user, login):
    login(make_user())
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400
    assert is_logged_in(client)


# Throttling -----------------------------------------------------------------------------------
def _attempt(browser, email, password, **environ):
    token = csrf_from(browser.get("/auth/login").get_data(as_text=True))
    return browser.post("/auth/login", data={"email": email, "password": password,
                                             "csrf_token": token}, environ_base=environ)


def _fail(browser, email, times, **environ):
    for _ in range(times):
        assert _attempt(browser, email, "wrong-password-x", **environ).status_code == 401


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved forward by hand."""
    from app.services.accounts import throttle

    now = [throttle.time.time()]
    monkeypatch.setattr(throttle, "_now", lambda: now[0])

    def advance(seconds: float) -> None:
        now[0] += seconds

    return advance


def test_five_failures_lock_the_pair_with_a_clear_429(client, make_user):
    user = make_user("target@example.com")
    _fail(client, user.email, 5)
    # While locked even the right password is refused from here, with a time to come back.
    response = _attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.get_data(as_text=True)
    assert 55 <= int(response.headers["Retry-After"]) <= 60
    assert not is_logged_in(client)


def test_locks_grow_and_end(client, make_user, clock):
    user = make_user()
    _fail(client, user.email, 5)
    assert _attempt(client, user.email, PASSWORD).status_code == 429
    clock(61)
    # The lock is over, and the next failure locks again, twice as long.
    _fail(client, user.email, 1)
    retry = int(_attempt(client, user.email, PASSWORD).headers["Retry-After"])
    assert 115 <= retry <= 120
    clock(121)
    _fail(client, user.email, 1)
    assert 235 <= int(_attempt(client, user.email, PASSWORD).headers["Retry-After"]) <= 240
    clock(241)
    assert _attempt(client, user.email, PASSWORD).status_code == 302


def test_locks_stop_growing_at_the_cap(app, client, make_user, clock, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LOCK_MAX_SECONDS", 150)
    user = make_user()
    _fail(client, user.email, 5)
    for _ in range(3):
        clock(200)
        _fail(client, user.email, 1)
    assert 145 <= int(_attempt(client, user.email, PASSWORD).headers["Retry-After"]) <= 150


def test_someone_elses_failures_do_not_lock_the_owner_out(app, client, make_user):
    user = make_user("admin@example.com")
    attacker = app.test_client()
    _fail(attacker, user.email, 5, REMOTE_ADDR="203.0.113.66")
    assert _attempt(attacker, user.email, PASSWORD,
                    REMOTE_ADDR="203.0.113.66").status_code == 429
    # The owner at another address still gets in.
    assert _attempt(client, user.email, PASSWORD).status_code == 302


def test_a_known_browser_is_not_locked_by_failures_from_its_own_address(app, make_user,
                                                                         login, post_form):
    user = make_user("merchant@example.com")
    known = app.test_client()
    login(user, target=known)
    device = known.get_cookie("qiao_device")
    assert device is not None and device.http_only and device.same_site == "Lax"
    assert device.expires is not None  # long-lived, not a session cookie
    post_form("/auth/logout", {}, page="/account/profile", target=known)
    # A guesser behind the same proxy address locks the pair (account, address)…
    stranger = app.test_client()
    _fail(stranger, user.email, 5)
    assert _attempt(stranger, user.email, PASSWORD).status_code == 429
    # …but the browser that logged in before is judged on its own failures.
    assert _attempt(known, user.email, PASSWORD).status_code == 302


def test_a_known_browser_locks_on_its_own_failures(app, make_user, login, post_form):
    user = make_user()
    known = app.test_client()
    login(user, target=known)
    post_form("/auth/logout", {}, page="/account/profile", target=known)
    _fail(known, user.email, 5)
    assert _attempt(known, user.email, PASSWORD).status_code == 429
    # Its failures did not lock the address for a new browser either.
    assert _attempt(app.test_client(), user.email, PASSWORD).status_code == 302


def test_a_forged_device_cookie_counts_as_the_address(app, client, make_user):
    user = make_user()
    _fail(client, user.email, 5)
    client.set_cookie("qiao_device", "forged.value.here")
    assert _attempt(client, user.email, PASSWORD).status_code == 429


def test_a_device_cookie_for_another_account_does_not_help(app, make_user, login, post_form):
    mine, theirs = make_user(), make_user()
    browser = app.test_client()
    login(mine, target=browser)
    post_form("/auth/logout", {}, page="/account/profile", target=browser)
    _fail(app.test_client(), theirs.email, 5)
    assert _attempt(browser, theirs.email, PASSWORD).status_code == 429


def test_a_correct_password_still_works_after_another_addresss_50_failures(app, client,
                                                                           make_user):
    victims = [make_user() for _ in range(10)]
    guesser = app.test_client()
    for n in range(50):
        assert _attempt(guesser, victims[n % 10].email, "wrong-password-x",
                        REMOTE_ADDR="198.51.100.9").status_code in (401, 429)
    for victim in victims:
        assert _attempt(app.test_client(), victim.email, PASSWORD).status_code == 302


def test_the_per_address_limit_slows_failures_not_correct_logins(app, client, make_user,
                                                                 monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_IP", "4 per 15 minutes")
    victims = [make_user() for _ in range(5)]
    for victim in victims[:4]:
        _fail(client, victim.email, 1, REMOTE_ADDR="198.51.100.9")
    # Over the limit, one failure is enough to lock its pair…
    _fail(client, victims[4].email, 1, REMOTE_ADDR="198.51.100.9")
    assert _attempt(client, victims[4].email, PASSWORD,
                    REMOTE_ADDR="198.51.100.9").status_code == 429
    # …while a correct password for an account not failed from here still gets in.
    fresh = make_user()
    assert _attempt(app.test_client(), fresh.email, PASSWORD,
                    REMOTE_ADDR="198.51.100.9").status_code == 302


def _spread_guess(app, email, times):
    """`times` failures against one account, each from a fresh browser and address."""
    for n in range(times):
        _fail(app.test_client(), email, 1, REMOTE_ADDR=f"198.51.100.{n + 1}")


def test_a_guess_spread_over_many_addresses_locks_the_account_for_strangers(
        app, make_user, login, post_form, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT", 6)
    user = make_user("merchant@example.com")
    known = app.test_client()
    login(user, target=known)
    post_form("/auth/logout", {}, page="/account/profile", target=known)
    _spread_guess(app, user.email, 6)
    # Any client the account does not know is refused, the right password included…
    response = _attempt(app.test_client(), user.email, PASSWORD, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.get_data(as_text=True)
    assert 55 <= int(response.headers["Retry-After"]) <= 60
    # …while the browser that logged in before still gets in.
    assert _attempt(known, user.email, PASSWORD).status_code == 302
    # Other accounts are not affected.
    assert _attempt(app.test_client(), make_user().email, PASSWORD,
                    REMOTE_ADDR="198.51.100.1").status_code == 302


def test_account_locks_grow_while_the_spread_guess_goes_on(app, make_user, clock,
                                                           monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT", 4)
    user = make_user()
    _spread_guess(app, user.email, 4)
    assert _attempt(app.test_client(), user.email, PASSWORD).status_code == 429
    clock(61)
    _spread_guess(app, user.email, 4)
    retry = _attempt(app.test_client(), user.email, PASSWORD).headers["Retry-After"]
    assert 115 <= int(retry) <= 120
    clock(121)
    assert _attempt(app.test_client(), user.email, PASSWORD).status_code == 302


def test_the_owners_typos_in_a_known_browser_do_not_count_for_the_account(
        app, make_user, login, post_form, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT", 4)
    user = make_user()
    known = app.test_client()
    login(user, target=known)
    post_form("/auth/logout", {}, page="/account/profile", target=known)
    _fail(known, user.email, 4)
    _spread_guess(app, user.email, 3)
    assert _attempt(app.test_client(), user.email, PASSWORD,
                    REMOTE_ADDR="192.0.2.7").status_code == 302


def test_a_successful_login_forgives_earlier_failures(app, client, make_user, login):
    user = make_user()
    _fail(client, user.email, 4)
    assert _attempt(client, user.email, PASSWORD).status_code == 302
    phone = app.test_client()
    _fail(phone, user.email, 4)
    assert _attempt(phone, user.email, PASSWORD).status_code == 302


# Password reset -------------------------------------------------------------------------------
def test_forgot_password_answers_the_same_for_unknown_addresses(client, make_user, post_form,
                                                                outbox, sent_mail):
    user = make_user("known@example.com")
    known = post_form("/auth/forgot", {"email": "Known@example.com"}, follow=True)
    known_mail = [m.to_address for m in outbox("password_reset")]
    unknown = post_form("/auth/forgot", {"email": "unknown@example.com"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    notice = "If an account uses that address, a reset link is on its way."
    assert notice in known.get_data(as_text=True)
    assert notice in unknown.get_data(as_text=True)
    assert known_mail == [user.email]
    assert [m.to_address for m in outbox("password_reset")] == [user.email]
    assert [m.to for m in sent_mail] == [user.email]


def test_forgot_password_sends_nothing_for_a_disabled_account(make_user, post_form, outbox):
    user = make_user(is_active_account=False)
    assert post_form("/auth/forgot", {"email": user.email}).status_code == 302
    assert outbox("password_reset") == []


def test_reset_password_through_the_link(app, client, make_user, post_form, mail_link, login):
    user = make_user("reset@example.com", verified=False)
    post_form("/auth/forgot", {"email": user.email})
    link = mail_link("password_reset")
    assert client.get(link).status_code == 200
    response = post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    stored = user_by_email("reset@example.com")
    assert verify_password(stored.password_hash, NEW_PASSWORD)
    assert stored.is_email_verified  # the link reached the inbox
    assert post_form("/auth/login", {"email": user.email,
                                     "password": PASSWORD}).status_code == 401
    login(stored, password=NEW_PASSWORD)


def test_a_reset_link_works_once(client, make_user, post_form, mail_link):
    user = make_user()
    post_form("/auth/forgot", {"email": user.email})
    link = mail_link("password_reset")
    assert post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    second = client.get(link)
    assert second.status_code == 400
    assert "already been used" in second.get_data(as_text=True)
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    again = client.post(link, data={"password": "yet-another-phrase-9",
                                    "confirm": "yet-another-phrase-9", "csrf_token": token})
    assert again.status_code == 400
    assert verify_password(user_by_email(user.email).password_hash, NEW_PASSWORD)


def test_an_expired_reset_link_is_refused(app, client, make_user, post_form, mail_link,
                                          monkeypatch):
    user = make_user()
    post_form("/auth/forgot", {"email": user.email})
    link = mail_link("password_reset")
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired" in response.get_data(as_text=True)
    assert verify_password(user_by_email(user.email).password_hash, PASSWORD)


def test_a_tampered_reset_link_is_refused(client, make_user, post_form, mail_link):
    user = make_user()
    post_form("/auth/forgot", {"email": user.email})
    link = mail_link("password_reset")
    response = client.get(link.replace("/auth/reset/", "/auth/reset/x"))
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)


def test_reset_with_a_weak_or_mismatched_password_changes_nothing(client, make_user, post_form,
                                                                  mail_link):
    user = make_user()
    post_form("/auth/forgot", {"email": user.email})
    link = mail_link("password_reset")
    weak = post_form(link, {"password": "short", "confirm": "short"})
    assert weak.status_code == 422
    assert field_errors(weak.get_data(as_text=True), "password") == [
        "Use at least 10 characters."]
    differ = post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert differ.status_code == 422
    assert field_errors(differ.get_data(as_text=True), "confirm") == ["The two passwords differ."]
    assert verify_password(user_by_email(user.email).password_hash, PASSWORD)
    assert client.get(link).status_code == 200  # still usable


def test_reset_ends_every_other_session(app, client, make_user, post_form, mail_link, login):
    user = make_user()
    thief = app.test_client()
    login(user, target=thief)
    assert is_logged_in(thief)
    post_form("/auth/forgot", {"email": user.email})
    post_form(mail_link("password_reset"), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not is_logged_in(thief)


def test_link_problem_pages_offer_the_right_next_step(client, make_user, post_form, mail_link):
    _sign_up(post_form)
    post_form("/auth/login", {"email": "ver@example.com", "password": "a-long-unique-phrase"})
    html = client.get(mail_link("verify_email")[:-2]).get_data(as_text=True)
    assert 'href="/account/profile"' in html and "Send a new confirmation link" in html
    user = make_user()
    post_form("/auth/forgot", {"email": user.email})
    html = client.get(mail_link("password_reset")[:-2]).get_data(as_text=True)
    assert 'href="/auth/forgot"' in html


def test_service_messages_follow_the_ui_language(client):
    zh = {"Accept-Language": "zh-CN"}
    token = csrf_from(client.get("/auth/signup", headers=zh).get_data(as_text=True))
    response = client.post("/auth/signup", headers=zh, data={
        "display_name": "Lin", "email": "lin@example.com", "password": "short",
        "csrf_token": token})
    assert response.status_code == 422
    with client.application.test_request_context(headers=zh):
        from flask_babel import gettext

        expected = gettext("Use at least %(n)d characters.", n=10)
    assert field_errors(response.get_data(as_text=True), "password") == [expected]
