"""Every role's pages, on a phone and a desktop, in English and Chinese: accessible and whole.

A visitor, a shopper in Japan, a merchant and an admin open the pages they use. On each:
Deque's axe-core (vendored in tests/e2e/vendor, run inside the page) finds no WCAG 2.1 A/AA
violation, nothing makes the page scroll sideways, and no script fails. A screenshot of
each page is kept in test-artifacts/ for people to look at.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import PlatformRole, Product, User, utcnow
from app.services.accounts.passwords import hash_password
from app.services.checkout import cart, quotes
from app.services.social import notes
from app.services.social.product_tags import TagInput
from tests.checkout_factories import address_for
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.session import PASSWORD
from tests.e2e.shops import (
    open_for_business,
    open_store,
    pay_with_sandbox_card,
    stocked_product,
)
from tests.notes_factories import image_bytes

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture(scope="module")
def site(live_server, live_stripe_sandbox):
    """A store with a tagged note and a paid order from Japan; its people and their pages."""
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        open_for_business()
        hashed = hash_password(PASSWORD)

        def person(name: str, country: str, **fields) -> User:
            user = User(email=f"{name.lower()}-{tag}@example.com", password_hash=hashed,
                        display_name=f"{name} {tag}", home_country=country,
                        email_verified_at=utcnow(), **fields)
            db.session.add(user)
            return user

        owner = person("Lin", "CN")
        shopper = person("Aiko", "JP", currency="JPY", ship_to_country="JP")
        admin = person("Ada", "GB")
        db.session.flush()
        db.session.add(PlatformRole(user_id=admin.id, role="admin"))
        store = open_store(owner, f"Hangzhou Tea {tag}", f"hz-{tag}", "CNY", "CN")
        tea_id = stocked_product(owner, store, title=f"Longjing green tea {tag}",
                                 sku=f"TEA-{tag}", price="89.00", hs_code="090210",
                                 weight_grams=200, stock=10)
        note = notes.create_note(
            owner, title=f"Spring tea {tag}", body="First flush #longjing 龙井",
            images=[notes.ImageUpload(image_bytes(size=(600, 800)), "tea.jpg")],
            product_tags=[TagInput(0, 40, 50, tea_id)])
        cart.add_item(cart.open_cart(user=shopper),
                      db.session.get(Product, tea_id).variants[0].id, 2, ship_to="JP")
        quote = quotes.create_quote(shopper, "JPY", address_for("JP"))
        commit()
        order = pay_with_sandbox_card(shopper, quote, live_stripe_sandbox)
        merchant = f"/merchant/stores/{store.id}"
        pages = {
            None: ["/", "/shop", f"/notes/{note.id}", f"/products/{tea_id}",
                   "/search?q=tea", "/auth/login", "/auth/signup"],
            shopper.email: ["/", "/cart", "/orders", f"/orders/{order.id}",
                            "/notifications", "/account/profile", f"/notes/{note.id}"],
            owner.email: [f"{merchant}/", f"{merchant}/orders", f"{merchant}/orders/{order.id}",
                          f"{merchant}/sales", f"{merchant}/products", f"{merchant}/shipping",
                          f"/notes/{note.id}/edit"],
            admin.email: ["/admin/", "/admin/users", "/admin/fx", "/admin/markets"],
        }
        db.session.remove()
    return pages


def open_as(browser, live_server, email: str | None, size: str, locale: str):
    """A logged-in (or anonymous) tab at `size`, reading Qiao in `locale`."""
    context = browser.new_context(viewport=SIZES[size], base_url=live_server.url,
                                  locale="zh-CN" if locale == "zh" else "en-US",
                                  is_mobile=size == "phone", has_touch=size == "phone",
                                  bypass_csp=True)  # lets the audit inject axe-core
    context.set_default_timeout(15_000)
    tab = context.new_page()
    if email:
        tab.goto("/auth/login")
        tab.locator("main input[name=email]").fill(email)
        tab.locator("main input[name=password]").fill(PASSWORD)
        with tab.expect_navigation():
            tab.locator("main form button[type=submit]").click()
    else:
        tab.goto("/")
    token = tab.locator("form.prefs input[name=csrf_token]").first.get_attribute("value")
    tab.request.post(f"{live_server.url}/preferences",
                     form={"csrf_token": token, "locale": locale, "next": "/"})
    return context, tab


def audit(tab, path: str) -> list[str]:
    """What is wrong with the page at `path`: axe violations, sideways scroll, script errors."""
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(f"script error: {exc}"))
    response = tab.goto(path)
    problems = [f"HTTP {response.status}"] if response.status >= 400 else []
    tab.wait_for_load_state("load")
    tab.evaluate(AXE.read_text(encoding="utf-8"))
    violations = tab.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => `${v.id} (${v.impact}): ` + "
        "v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))", WCAG)
    problems += violations
    wide = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if wide > 0:
        problems.append(f"scrolls {wide} px sideways")
    return problems + errors


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_roles_pages_pass_axe_and_fit_the_screen(browser, live_server, site, size,
                                                        locale):
    ARTIFACTS.mkdir(exist_ok=True)
    found: dict[str, list[str]] = {}
    for role, paths in site.items():
        context, tab = open_as(browser, live_server, role, size, locale)
        try:
            for path in paths:
                problems = audit(tab, path)
                name = f"a11y-{size}-{locale}-{(role or 'visitor').split('-')[0]}-" \
                       f"{path.strip('/').replace('/', '_').replace('?', '_') or 'home'}"
                tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
                if problems:
                    found[f"{role or 'visitor'} {path}"] = problems
        finally:
            context.close()
    assert found == {}


def test_the_first_tab_offers_to_skip_the_header(browser, live_server, site):
    context, tab = open_as(browser, live_server, None, "desktop", "zh")
    try:
        tab.goto("/")
        tab.keyboard.press("Tab")
        focused = tab.evaluate(
            "[document.activeElement.className, document.activeElement.textContent]")
        assert focused == ["skip-link", "跳到正文"]
        tab.keyboard.press("Enter")
        assert tab.evaluate("document.activeElement.id") == "main"
    finally:
        context.close()
