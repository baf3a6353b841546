"""On a 390 px phone every merchant, brand and admin page fits the screen: tables become cards.

A Hangzhou store with a paid order from Japan opens each page of its portal, a brand with a
funded campaign opens its ads pages, and an admin opens the admin pages, in English and
Chinese. No page scrolls sideways
(document.scrollingElement.scrollWidth <= 390), no table is wider than the screen or scrolls
inside a box, and every card names each value with its column (data-label). Screenshots go
to test-artifacts/.
"""

from __future__ import annotations

import uuid

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import (
    Membership,
    Organization,
    PlatformRole,
    Product,
    User,
    Warehouse,
    utcnow,
)
from app.services.accounts.passwords import hash_password
from app.services.checkout import cart, quotes
from tests.ad_placement_factories import fund_brand
from tests.checkout_factories import address_for
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.session import PASSWORD, log_in
from tests.e2e.shops import open_for_business, open_store, pay_with_sandbox_card, stocked_product

PHONE = {"width": 390, "height": 844}

# The innermost elements reaching past the screen, to name in a failure.
TOO_WIDE = """(screen) => Array.from(document.querySelectorAll('main *'))
  .filter(e => e.getBoundingClientRect().right > screen + 1
          && !Array.from(e.children).some(c => c.getBoundingClientRect().right > screen + 1))
  .slice(0, 3).map(e => `${e.tagName.toLowerCase()}.${e.className}`)"""

# For each table on the page: how far it reaches past the screen, whether some box around it
# scrolls sideways, and its body cells that carry no column name although the header has one.
MEASURE_TABLES = """() => {
  const screen = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll('main table')).map((table) => {
    let scrolls = false;
    for (let box = table.parentElement; box && box !== document.body;
         box = box.parentElement) {
      if (box.scrollWidth > box.clientWidth + 1
          && getComputedStyle(box).overflowX !== 'visible') scrolls = true;
    }
    const headed = table.tHead
      ? Array.from(table.tHead.rows[0].cells).map(c => c.textContent.trim()) : [];
    const unlabelled = table.tHead ? Array.from(table.tBodies).flatMap(b => Array.from(b.rows))
      .flatMap(r => Array.from(r.cells).filter((c, i) => headed[i] && !c.dataset.label)).length : 0;
    return {past: Math.ceil(table.getBoundingClientRect().right - screen), scrolls, unlabelled};
  });
}"""


@pytest.fixture(scope="module")
def portal_pages(live_server, live_stripe_sandbox):
    """A store with a paid order and its pages; an admin and theirs."""
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        open_for_business()
        hashed = hash_password(PASSWORD)
        people = {}
        for name, country, fields in (("Lin", "CN", {}),
                                      ("Aiko", "JP", {"currency": "JPY",
                                                      "ship_to_country": "JP"}),
                                      ("Ada", "GB", {}), ("Mei", "JP", {})):
            people[name] = User(email=f"{name.lower()}-{tag}@example.com",
                                password_hash=hashed, display_name=f"{name} {tag}",
                                home_country=country, email_verified_at=utcnow(), **fields)
            db.session.add(people[name])
        db.session.flush()
        db.session.add(PlatformRole(user_id=people["Ada"].id, role="admin"))
        brand = Organization(kind="brand", name=f"Lumi {tag}", slug=f"lumi-tables-{tag}")
        db.session.add_all([brand, Membership(organization=brand, user=people["Mei"],
                                              role="owner")])
        db.session.flush()
        _account, campaign = fund_brand(brand, balance_minor=10_000,
                                        campaign_name=f"Glow {tag}")
        owner = people["Lin"]
        store = open_store(owner, f"Hangzhou Tea {tag}", f"hz-tables-{tag}", "CNY", "CN")
        tea_id = stocked_product(owner, store, title=f"Longjing green tea, spring pick {tag}",
                                 sku=f"TEA-LONGJING-SPRING-{tag}", price="89.00",
                                 hs_code="090210", weight_grams=200, stock=10)
        variant_id = db.session.get(Product, tea_id).variants[0].id
        warehouse_id = db.session.query(Warehouse).filter_by(store_id=store.id).one().id
        cart.add_item(cart.open_cart(user=people["Aiko"]), variant_id, 2, ship_to="JP")
        quote = quotes.create_quote(people["Aiko"], "JPY", address_for("JP"))
        commit()
        order = pay_with_sandbox_card(people["Aiko"], quote, live_stripe_sandbox)
        base = f"/merchant/stores/{store.id}"
        pages = {
            owner.email: [f"{base}/", f"{base}/orders", f"{base}/orders/{order.id}",
                          f"{base}/sales", f"{base}/shipments", f"{base}/returns",
                          f"{base}/products", f"{base}/products/{tea_id}",
                          f"{base}/inventory", f"{base}/inventory/{warehouse_id}",
                          f"{base}/stock/{variant_id}", f"{base}/low-stock", f"{base}/csv/",
                          f"{base}/warehouses", f"{base}/shipping", f"{base}/settings"],
            people["Mei"].email: [f"/brand/{brand.id}", f"/brand/{brand.id}/campaigns",
                                  f"/brand/{brand.id}/campaigns/{campaign.id}",
                                  f"/brand/{brand.id}/balance",
                                  f"/brand/{brand.id}/partnerships",
                                  f"/orgs/{brand.id}/placements", f"/orgs/{brand.id}/reports",
                                  f"/orgs/{brand.id}/campaigns/{campaign.id}/report"],
            people["Ada"].email: ["/admin/", "/admin/users", "/admin/organizations",
                                  "/admin/fx", "/admin/markets", "/admin/audit-log",
                                  "/admin/moderation", "/admin/ads"],
        }
        db.session.remove()
    return pages


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_portal_tables_are_cards_on_a_phone(browser, live_server, portal_pages, locale):
    ARTIFACTS.mkdir(exist_ok=True)
    found: dict[str, list[str]] = {}
    measured_tables = 0
    for email, paths in portal_pages.items():
        context = browser.new_context(viewport=PHONE, base_url=live_server.url,
                                      is_mobile=True, has_touch=True,
                                      locale="zh-CN" if locale == "zh" else "en-US")
        context.set_default_timeout(15_000)
        tab = context.new_page()
        try:
            log_in(tab, email)
            token = tab.locator("form.prefs input[name=csrf_token]").first.get_attribute("value")
            tab.request.post(f"{live_server.url}/preferences",
                             form={"csrf_token": token, "locale": locale, "next": "/"})
            for path in paths:
                response = tab.goto(path)
                tab.wait_for_load_state("load")
                problems = [f"HTTP {response.status}"] if response.status >= 400 else []
                width = tab.evaluate("document.scrollingElement.scrollWidth")
                if width > PHONE["width"]:
                    culprits = tab.evaluate(TOO_WIDE, PHONE["width"])
                    problems.append(f"page is {width} px wide: {culprits}")
                for n, table in enumerate(tab.evaluate(MEASURE_TABLES)):
                    measured_tables += 1
                    if table["past"] > 0:
                        problems.append(f"table {n} reaches {table['past']} px past the screen")
                    if table["scrolls"]:
                        problems.append(f"table {n} scrolls sideways in its box")
                    if table["unlabelled"]:
                        problems.append(f"table {n}: {table['unlabelled']} cells lack a label")
                name = path.strip("/").replace("/", "_") or "home"
                tab.screenshot(path=str(ARTIFACTS / f"tables-phone-{locale}-{name}.png"),
                               full_page=True)
                if problems:
                    found[path] = problems
        finally:
            context.close()
    assert found == {}
    assert measured_tables >= 20  # the pages really had tables to fit
