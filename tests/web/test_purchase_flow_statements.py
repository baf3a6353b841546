"""What the signed-in purchase flow's pages cost (issue 17): the header, the log-in, the
personal Discover and the quote, counted cold (what the process keeps is read again).

Each count is the page's statements before this work less what was cut, so a statement
coming back fails here.
"""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup
from wtforms.widgets import Select

from app.checkout.forms import CheckoutForm
from app.core import database
from app.extensions import db
from app.services.accounts import users as accounts
from app.services.errors import RateLimited, Unauthorized
from app.services.social import notifications
from tests.conftest import PASSWORD, csrf_from
from tests.notes_factories import QueryCounter

pytest_plugins = ["tests.checkout_factories", "tests.notes_fixtures",
                  "tests.localstripe_server"]

UNREAD = re.compile(r'class="badge unread-count">(\d+)<')


def counted(client, method: str, url: str, **kwargs):
    with QueryCounter(cold=True) as queries:
        response = client.open(url, method=method, **kwargs)
    return response, queries.statements


def reading(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if re.search(rf"\bFROM {table}\b|\bJOIN {table}\b", s)]


def test_the_signed_in_header_costs_two_statements_and_is_never_stale(
        client, login, make_user, make_org):
    """The user comes with the cart badge and the platform roles (one statement), the
    organisations with the unread count (one more); a notice shows on the next page."""
    viewer = make_user(roles=("moderator",))
    for _ in range(4):
        make_org("brand", members={viewer: "staff"})
    login(viewer)
    response, statements = counted(client, "GET", "/cart")
    html = response.get_data(as_text=True)
    assert 'data-nav="moderation"' in html and "All organisations (4)" in html
    assert html.count('data-nav="org-') == 3 and UNREAD.search(html) is None
    header = reading(statements, "memberships")
    users = [s for s in reading(statements, "users") if s not in header]
    assert len(users) == 1 and "platform_roles" in users[0]
    assert len(header) == 1 and "notifications" in header[0]
    assert reading(statements, "platform_roles") == users
    assert len(statements) == 3  # 5 before: the roles and the unread count had their own

    notifications.notify(viewer, make_user(), "follow")
    db.session.commit()
    assert UNREAD.search(client.get("/cart").get_data(as_text=True)).group(1) == "1"
    notifications.mark_read(viewer)
    db.session.commit()
    assert UNREAD.search(client.get("/cart").get_data(as_text=True)) is None


def test_a_fragment_reads_no_header(client, login, make_user, quick_note):
    """Infinite scroll's cards carry no header: its parts are not read for them."""
    quick_note(make_user(), "A note")
    login(make_user())
    response, statements = counted(client, "GET", "/feed/more?tab=discover")
    assert response.status_code == 200
    assert not reading(statements, "memberships") and not reading(statements, "notifications")


def test_logging_in_checks_the_password_outside_the_write_lock(
        client, make_user, monkeypatch):
    """The argon2 check (~0.3 s) runs in a read transaction of its own: on SQLite, writers
    no longer queue behind it. The user is read again for the writes, and not after."""
    user = make_user()
    checked_in_write_lock = []
    verify = accounts.verify_password

    def watched(stored: str, password: str) -> bool:
        checked_in_write_lock.append(database._immediate())
        return verify(stored, password)

    monkeypatch.setattr(accounts, "verify_password", watched)
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    response, statements = counted(client, "POST", "/auth/login", data={
        "email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert checked_in_write_lock == [False]
    # The roles come with the user (joined), twice: checked apart, then again to write.
    assert reading(statements, "platform_roles") == reading(statements, "users")
    assert len(reading(statements, "users")) == 2
    assert len(statements) == 3  # 5 before: the roles apart, the user and roles after commit


def test_a_password_check_counts_only_for_the_same_password_and_hash(make_user):
    user = make_user()
    right, wrong = (accounts.check_password(user.email, PASSWORD, "1.2.3.4"),
                    accounts.check_password(user.email, "not the password", "1.2.3.4"))
    assert right.matches and not wrong.matches
    # Another password's answer is not taken for this one, either way.
    assert accounts.authenticate(user.email, PASSWORD, "1.2.3.4", checked=wrong) is user
    with pytest.raises(Unauthorized):
        accounts.authenticate(user.email, "not the password", "1.2.3.4", checked=right)
    # The password changed since the check: the old one no longer logs in.
    user.password_hash = accounts.hash_password("a brand new passphrase")
    db.session.flush()
    with pytest.raises(Unauthorized):
        accounts.authenticate(user.email, PASSWORD, "1.2.3.4", checked=right)


def test_the_personal_discover_loads_what_its_cards_show(client, login, make_user,
                                                         quick_note):
    """No topics and no authors' roles: no card shows them (the API's items still carry
    topics, see tests/api/test_notes_api.py)."""
    for n in range(5):
        quick_note(make_user(roles=("moderator",)), f"Note {n}")
    login(make_user())
    response, statements = counted(client, "GET", "/")
    assert response.get_data(as_text=True).count('<article class="note-card') == 5
    assert not reading(statements, "topics")
    assert len(reading(statements, "platform_roles")) == 1  # the viewer's, joined to them
    assert len(statements) == 10  # 14 before: topics, roles twice, the header's count


@pytest.fixture
def shop(make_checkout_shop, fx_snapshot, market_rules):
    return make_checkout_shop("USD", "US", price="25", stock=5)


def test_quoting_reads_no_prefill_and_nothing_after_its_commit(
        client, login, make_user, shop, checkout_address):
    login(make_user(ship_to_country="US", currency="USD"))
    page = client.get(f"/products/{shop.products[0].id}").get_data(as_text=True)
    client.post("/cart/items", data={"csrf_token": csrf_from(page), "quantity": 1,
                                     "variant_id": shop.variants[0].id, "add": "1"})
    form = client.get("/checkout").get_data(as_text=True)
    response, statements = counted(client, "POST", "/checkout", data={
        **checkout_address("US"), "currency": "USD", "csrf_token": csrf_from(form)})
    assert response.status_code == 303
    quotes_read = [s for s in reading(statements, "quotes") if s.lstrip().startswith("SELECT")]
    assert len(quotes_read) == 1  # the open quote to replace; no prefill, no reload
    assert len(statements) == 17  # 20 before: the prefill, the roles, the quote reloaded


def test_the_pay_page_renders_without_the_write_lock(client, app, login, make_user, shop,
                                                     make_quote, stripe_sandbox, monkeypatch):
    """Its payment and intent are committed first; rendering only reads, so on SQLite the
    other writers need not wait for it."""
    from app.checkout import payment_routes

    shopper = make_user()
    login(shopper)
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    rendered_in_write_lock = []
    render = payment_routes.render_template

    def watched(*args, **kwargs):
        rendered_in_write_lock.append(database._immediate())
        return render(*args, **kwargs)

    monkeypatch.setattr(payment_routes, "render_template", watched)
    assert client.get(f"/checkout/quotes/{quote.id}/pay").status_code == 200
    assert rendered_in_write_lock == [False]


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_the_country_select_is_the_markup_wtforms_renders(app, locale):
    from flask_babel import refresh

    from app.services.regions import country_names
    from app.web.forms import select_choices

    with app.test_request_context(headers={"Accept-Language": locale}):
        refresh()
        form = CheckoutForm(data={"country": "JP"}, meta={"csrf": False})
        kept = form.country(autocomplete="country", data_layouts=Markup("{&#34;a&#34;: 1}"))
        form.country.choices = select_choices(country_names(locale).items())
        form.country.widget = Select()
        built = form.country(autocomplete="country", data_layouts=Markup("{&#34;a&#34;: 1}"))
    assert kept == built and '<option selected value="JP">' in kept


def test_a_locked_out_client_costs_no_password_hash(make_user, monkeypatch):
    """The check ahead of the write transaction respects the lock-out, as the log-in always
    did: a guesser who is locked out makes the server run no argon2."""
    user = make_user()
    for _ in range(5):
        with pytest.raises(Unauthorized):
            accounts.authenticate(user.email, "a wrong guess", "5.6.7.8")
    hashes = []
    monkeypatch.setattr(accounts, "verify_password",
                        lambda stored, password: hashes.append(stored) or False)
    assert accounts.check_password(user.email, PASSWORD, "5.6.7.8") is None
    with pytest.raises(RateLimited):
        accounts.authenticate(user.email, PASSWORD, "5.6.7.8", checked=None)
    assert hashes == []
    # Another client is not locked: its check runs.
    assert accounts.check_password(user.email, PASSWORD, "9.9.9.9") is not None
    assert hashes == [user.password_hash]
