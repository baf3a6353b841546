"""Shared fixtures: one app and database per xdist worker, one rolled-back transaction per test.

Set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/qiao_test) to run
the suite on PostgreSQL; each worker then gets its own database `<name>_<worker>`.
Without it the suite runs on a SQLite file per worker.
"""

from __future__ import annotations

import re
import socket

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.extensions import db, limiter
from app.models import OutboxEmail
from tests.databases import scratch_database

# Helper modules whose asserts should read well and which some tests also import.
pytest.register_assert_rewrite("tests.localstripe_server", "tests.checkout_factories",
                               "tests.checkout_race", "tests.logistics_factories")

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with scratch_database("suite", tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    application = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
    )
    with application.app_context():
        upgrade()
    return application


@pytest.fixture(autouse=True)
def _transaction(app):
    """Each test runs in a transaction that is rolled back; app commits become savepoints."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        original = db.session
        db.session = scoped_session(factory)
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _fresh_limits_and_mail(app):
    limiter.reset()
    app.extensions["qiao_mail"].sent.clear()
    yield


@pytest.fixture(autouse=True)
def _no_outside_network(monkeypatch):
    """Fail any test that tries to reach a host other than this machine."""
    real_connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in {"localhost", "::1"} or host.startswith("/")
        ):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def sent_mail(app):
    """Messages the memory transport delivered in this test."""
    return app.extensions["qiao_mail"].sent


# Factories ------------------------------------------------------------------------------
PASSWORD = "correct-horse-battery"


@pytest.fixture
def make_user(app):
    from app.models import PlatformRole, User, utcnow
    from app.services.accounts.passwords import hash_password

    counter = {"n": 0}
    fast_hash = hash_password(PASSWORD)  # hashing once keeps the suite fast

    def factory(email: str | None = None, *, verified: bool = True, roles: tuple = (),
                display_name: str | None = None, **fields) -> User:
        counter["n"] += 1
        user = User(
            email=email or f"user{counter['n']}@example.test",
            password_hash=fast_hash,
            display_name=display_name or f"User {counter['n']}",
            email_verified_at=utcnow() if verified else None,
            **fields,
        )
        user.platform_roles = [PlatformRole(role=r, markets=[], languages=[]) for r in roles]
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_org(app, make_user):
    from app.models import Membership, Organization, Store

    counter = {"n": 0}

    def factory(kind: str = "merchant", *, owner=None, members: dict | None = None,
                name: str | None = None) -> Organization:
        counter["n"] += 1
        owner = owner or make_user()
        org = Organization(kind=kind, name=name or f"Org {counter['n']}",
                           slug=f"org-{counter['n']}-{kind}")
        db.session.add(org)
        db.session.add(Membership(organization=org, user=owner, role="owner"))
        for user, role in (members or {}).items():
            db.session.add(Membership(organization=org, user=user, role=role))
        if kind == "merchant":
            db.session.add(Store(organization=org, name=org.name, slug=org.slug,
                                 base_currency="USD", origin_country="US"))
        db.session.commit()
        return org

    return factory


# Web and API helpers ------------------------------------------------------------------------
def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def post_form(client):
    """POST a form the way a browser does: load `page` first, send its CSRF token."""

    def submit(url: str, data: dict, *, page: str | None = None, follow: bool = False,
               target=None, **kwargs):
        browser = target or client
        token = csrf_from(browser.get(page or url).get_data(as_text=True))
        return browser.post(url, data={**data, "csrf_token": token},
                            follow_redirects=follow, **kwargs)

    return submit


@pytest.fixture
def login(post_form):
    def log_in(user, password: str = PASSWORD, target=None):
        response = post_form("/auth/login", {"email": user.email, "password": password},
                             target=target)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return log_in


@pytest.fixture
def api_token(app):
    from app.services.accounts.api_tokens import issue_login_token

    def issue(user) -> dict[str, str]:
        _token, secret = issue_login_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return issue


@pytest.fixture
def outbox():
    """E-mails written to the outbox in this test, oldest first."""
    from sqlalchemy import select

    def emails(purpose: str | None = None, to: str | None = None) -> list[OutboxEmail]:
        stmt = select(OutboxEmail).order_by(OutboxEmail.id)
        if purpose:
            stmt = stmt.where(OutboxEmail.purpose == purpose)
        if to:
            stmt = stmt.where(OutboxEmail.to_address == to)
        return list(db.session.scalars(stmt))

    return emails


# Links in e-mails -------------------------------------------------------------------------
MAIL_LINK = re.compile(r"https?://[^/\s]+(/\S+)")


@pytest.fixture
def mail_link(outbox):
    """The path of the link in the newest outbox e-mail with `purpose` (optionally to `to`)."""

    def find(purpose: str, to: str | None = None) -> str:
        emails = outbox(purpose, to)
        assert emails, f"no {purpose!r} e-mail in the outbox"
        match = MAIL_LINK.search(emails[-1].body_text)
        assert match, f"the {purpose!r} e-mail carries no link"
        return match.group(1)

    return find


# A fresh `g` per request -------------------------------------------------------------------
class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as in production.

    `_transaction` keeps one app context pushed for the whole test, and Flask reuses a pushed
    app context for requests; without this, `g` (Flask-Login's user, Flask-Babel's locale,
    the CSRF token, cached preferences, the API user) would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            vars(g._get_current_object()).clear()
        return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def _fresh_globals_per_request(app, monkeypatch):
    monkeypatch.setattr(app, "test_client_class", FreshGlobalsClient)
