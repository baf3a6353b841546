"""Every page of every demo role, on a 390×844 phone and a 1366×900 desktop, in English and 中文.

The demo (`flask demo seed`) is loaded into a live server of its own, so its catalogue
neither depends on nor disturbs the other journeys' data, with the Stripe sandbox beside it.
For each demo role the pages it can reach are found by following same-origin links from
Discover and its portals (GET only, never logging out, one page per route: one product, one
note, one order...; a route is walked again by a role that sees it in another currency or
for another store). Pages no link leads to are added: the shoppers' quotes, and for the
shopper in Japan a quote's card form and the page after paying. Each page is then opened at
both sizes in both languages and must:

- answer without a server error and raise no script or console error;
- pass Deque's axe-core WCAG 2.1 A/AA rules (vendored in tests/e2e/vendor);
- not scroll sideways;
- in 中文, show no English outside what people wrote (see `untranslated`).

A screenshot of every page is kept in test-artifacts/every-page/.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from werkzeug.exceptions import HTTPException
from werkzeug.serving import make_server

from app import create_app, sandbox
from app.core.transaction import commit, rollback
from app.demo.seed import DEMO_PASSWORD, seed_demo
from app.extensions import db
from app.models import Note, Product, ProductVariant, Quote, User
from app.providers.payments import reset_payment_provider
from app.services.checkout import cart, quotes
from app.services.errors import DomainError
from tests.checkout_factories import address_for
from tests.databases import scratch_database
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.shops import pay_with_sandbox_card
from tests.localstripe_server import WEBHOOK_SECRET, _free_port

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
SHOTS = ARTIFACTS / "every-page"

# The roles of README's demo logins, and for some the currency they are walked in: a route
# another role walked in another currency, or in none, is walked again for them. The shopper
# in Japan sees the storefront in JPY; the second merchant's portal is its US store's, in
# USD (the first merchant's portal, walked first, counts as walked in no currency, and its
# storefront would only repeat the shoppers'). A role without one (None) takes what the
# others walked as walked.
ROLES: dict[str, tuple[str | None, str | None]] = {
    "visitor": (None, "USD"),
    "shopper": ("shopper@example.com", "USD"),
    "shopper-jp": ("shopper.jp@example.com", "JPY"),
    "merchant": ("merchant@example.com", None),
    "merchant2": ("merchant2@example.com", "USD"),
    "creator": ("creator@example.com", None),
    "brand": ("brand@example.com", None),
    "moderator": ("moderator@example.com", None),
    "community": ("community@example.com", None),
    "admin": ("admin@example.com", None),
}
START = ["/", "/orgs/", "/admin/", "/account/profile"]
ROUTES_PER_ROLE = 60  # followed

# Links never followed: they leave the page's role (log out, log in as someone else), are
# files rather than pages, or are the JSON API.
SKIPPED = re.compile(r"^/(static|media|api|auth/logout|preferences)\b|\.(csv|json|xml|png|jpe?g|"
                     r"webp|svg|pdf|txt)$|/(export|download|unsubscribe|delete|remove)\b")

# Text people wrote (or a carrier or a merchant typed): English there is not the UI's.
USER_CONTENT = {
    "users": ["display_name", "bio"], "organizations": ["name"], "boards": ["name"],
    "topics": ["name"], "notes": ["title", "body"], "note_coauthors": ["title", "body"],
    "comments": ["body"], "stores": ["name", "description", "return_policy"],
    "products": ["title", "title_en", "description", "description_en", "brand_name"],
    "product_options": ["name"], "product_option_values": ["value"],
    "product_images": ["alt_text"], "order_lines": ["title", "title_en"],
    "quote_lines": ["title", "title_en"], "order_messages": ["body"],
    "shipping_profiles": ["name"], "shipping_zones": ["name"],
    "warehouses": ["name", "address_line1", "address_line2", "city", "region"],
    "campaigns": ["name", "rejection_reason"], "partnerships": ["title", "brief"],
    "return_requests": ["reason", "comment", "refusal_reason"], "refunds": ["reason"],
    "reports": ["details"], "moderation_decisions": ["note"],
    "moderation_appeals": ["statement"], "events": ["title_en", "prompt_en", "rules", "prizes"],
    "tracking_events": ["location", "description"], "glossary_terms": ["term"],
    "moderation_rules": ["term"], "api_tokens": ["name"], "placement_slots": ["name"],
    "catalog_imports": ["filename"], "stock_movements": ["reason"],
    # Admins keep the market rules (app/data/market_rules.json ships them) and cite the
    # official publications by their titles: records, like a product's title.
    "market_rules": ["name", "source", "source_title", "notes"], "region_taxes": ["name"],
}
ADDRESSES = ["orders", "quotes"]  # their shipping_address JSON

# English words that may stand in a Chinese page, each for a reason:
ALLOWED_ENGLISH = {
    "qiao",  # the brand, written 桥 Qiao
    "stripe", "visa", "mastercard", "wechat", "alipay",  # payment brands
    "ecb", "sku", "hs", "ioss", "vat", "gst", "ddp", "dap", "utc", "gmt", "iso",  # codes
    "dhl", "ups", "usps", "ems", "fedex", "sf", "yamato", "express",  # carrier names
    "localstripe", "openai", "libretranslate", "redis", "postgresql", "sqlite",  # software
    "english",  # the language list names each language in itself
}

# A run of two or more English words (each with a lower-case letter, so SKUs and codes like
# "HS 090210" or "CN ¥" are not words).
ENGLISH_RUN = re.compile(r"[A-Za-z][a-z'’]+(?:[ \t\u00a0]+[A-Za-z][a-z'’]+)+")
# Single English words of the UI, and status codes shown as they are stored ("succeeded",
# "in_transit"), that mean nothing in 中文 on their own. (Lower-case words that are not
# codes, such as a CSV file's column names a help text quotes, are left alone.)
ENGLISH_WORDS = re.compile(
    r"\b(Save|Cancel|Edit|Delete|Back|Next|Previous|Search|Submit|Send|Apply|Close|Open|"
    r"Remove|Add|Update|Total|Subtotal|Status|Date|Price|Quantity|Paid|Pending|Shipped|"
    r"Delivered|Refunded|Failed|Cancell?ed|Active|Paused|Draft|Approved|Rejected|Yes|No|None|"
    r"Loading|More|Home|Orders?|Products?|Notes?|Reports?|Settings|Profile|Help|succeeded|"
    r"failed|pending|partially_refunded|in_transit|low|medium|high|report|screening)\b")
# Addresses, file names and the commands an operator types, which are not translated.
MACHINE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|https?://\S+|\b[\w-]+\.(?:jpg|png|csv)\b|"
                     r"\bflask(?: [a-z][a-z-]*){1,3}")

# Every visible text of the page with the language it is marked in, and what else a
# reader sees: placeholders, labels read aloud, image descriptions and button values.
VISIBLE_TEXT = """() => {
  const out = [];
  const shown = (el) => el && el.checkVisibility && el.checkVisibility();
  const marked = (el) => {
    const owner = el.closest('[lang]');
    return el.closest('[data-user-content], code, kbd, samp, pre, script, style, noscript, '
                      + 'textarea')
      ? 'user' : (owner ? owner.getAttribute('lang') : '');
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (text && shown(el)) out.push([text, marked(el), el.tagName.toLowerCase()]);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], img[alt], '
                                            + 'input[type=submit][value], [title]')) {
    for (const attr of ['placeholder', 'aria-label', 'alt', 'value', 'title']) {
      const text = (el.getAttribute(attr) || '').trim();
      if (text && (attr !== 'value' || el.type === 'submit'))
        out.push([text, marked(el), `${el.tagName.toLowerCase()}@${attr}`]);
    }
  }
  return out;
}"""


class LinkParser(HTMLParser):
    """The href of every <a> of a page, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and not href.startswith(("#", "mailto:", "tel:", "javascript:")):
            self.links.append(href)


def person(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def open_quote(email: str, currency: str, country: str) -> Quote:
    """A quote of the shopper's for the first product that ships to them: no link leads
    to a quote (it is made by a form), yet every shopper sees one."""
    shopper = person(email)
    variants = db.session.scalars(sa.select(ProductVariant).join(Product).where(
        Product.status == "active", ProductVariant.is_active).order_by(ProductVariant.id))
    for variant in variants:
        try:
            cart.add_item(cart.open_cart(user=shopper), variant.id, 1, ship_to=country)
            quote = quotes.create_quote(shopper, currency, address_for(country))
        except DomainError:
            rollback()
            continue
        commit()
        return quote
    raise AssertionError(f"no demo product ships to {country}")


def pages_behind_forms(sandbox_url: str) -> dict[str, list[str]]:
    """Pages a role reaches through a form or its own content rather than a shared link:
    the shoppers' quotes, and for the shopper in Japan the card form of a quote (its
    PaymentIntent opened at the sandbox) and the page after paying another one there."""
    creator = person(ROLES["creator"][0])
    note_id = db.session.scalar(sa.select(Note.id).where(Note.author_id == creator.id)
                                .order_by(Note.id))
    japan = ROLES["shopper-jp"][0]
    paid = open_quote(japan, "JPY", "JP")
    pay_with_sandbox_card(person(japan), paid, sandbox_url)  # commits
    to_pay = open_quote(japan, "JPY", "JP").id  # a new quote cancels the open ones: last
    return {"shopper-jp": [f"/checkout/quotes/{to_pay}", f"/checkout/quotes/{to_pay}/pay",
                           f"/checkout/quotes/{paid.id}/complete"],
            "shopper": [f"/checkout/quotes/{open_quote(ROLES['shopper'][0], 'USD', 'US').id}"],
            "creator": [f"/notes/{note_id}/edit"]}


@dataclass
class DemoSite:
    """The live demo server, its app, and the pages no link leads to, by role."""

    base: str
    app: Flask
    pages_behind_forms: dict[str, list[str]]


@contextmanager
def stripe_sandbox(application: Flask, base: str) -> Iterator[str]:
    """localstripe on loopback for the demo server, its events signed to its webhook."""
    port = _free_port()
    process = sandbox.start(port, persist=False)
    url = f"http://127.0.0.1:{port}"
    application.config.update(STRIPE_SECRET_KEY="", STRIPE_SANDBOX_URL=url,
                              STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    try:
        with application.app_context():
            reset_payment_provider()
        sandbox.register_webhook(url, f"{base}/api/v1/webhooks/stripe", WEBHOOK_SECRET)
        yield url
    finally:
        sandbox.stop(process)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[DemoSite]:
    """A live server of the seeded demo, on a database of its own, with the Stripe sandbox."""
    with scratch_database("demo_walk", tmp_path_factory.mktemp("demo-walk")) as url:
        # The quotes opened for the walk must stay payable for all of it, on a busy machine.
        application = create_app("testing", SQLALCHEMY_DATABASE_URI=url, QUOTE_TTL_MINUTES=120,
                                 MEDIA_ROOT=str(tmp_path_factory.mktemp("demo-media")))
        with application.app_context():
            upgrade()
            seed_demo()  # before the sandbox: demo orders are then paid directly, faster
            commit()
            db.session.remove()
        server = make_server("127.0.0.1", 0, application, threaded=True)
        base = f"http://127.0.0.1:{server.server_port}"
        application.config["PUBLIC_BASE_URL"] = base
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with stripe_sandbox(application, base) as sandbox_url:
                with application.app_context():
                    behind_forms = pages_behind_forms(sandbox_url)
                    db.session.remove()
                yield DemoSite(base, application, behind_forms)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            with application.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture(scope="module")
def people_wrote(demo_server) -> list[str]:
    """What people wrote in the demo, longest first (so a title goes before its words)."""
    application = demo_server.app
    texts: set[str] = set()
    with application.app_context():
        tables = db.metadata.tables
        for table, columns in USER_CONTENT.items():
            for column in columns:
                texts.update(db.session.scalars(sa.select(tables[table].c[column])))
        for table in ADDRESSES:
            for address in db.session.scalars(sa.select(tables[table].c.shipping_address)):
                texts.update(str(value) for value in (address or {}).values())
        db.session.remove()
    pieces = {piece.strip() for text in texts if text
              for piece in [text, *str(text).splitlines()] if piece.strip()}
    return sorted(pieces, key=len, reverse=True)


def new_tab(browser, base: str, size: str, locale: str):
    context = browser.new_context(viewport=SIZES[size], base_url=base,
                                  locale="zh-CN" if locale == "zh" else "en-US",
                                  timezone_id="Asia/Tokyo",
                                  is_mobile=size == "phone", has_touch=size == "phone",
                                  bypass_csp=True)  # lets the audit inject axe-core
    context.set_default_timeout(20_000)
    context.add_init_script(path=str(AXE))  # axe-core in every page, loaded once per context
    return context, context.new_page()


def log_in_and_read(tab, base: str, email: str | None, locale: str) -> None:
    """Log in (unless a visitor) and choose the UI language."""
    if email:
        tab.goto("/auth/login")
        tab.locator("main input[name=email]").fill(email)
        tab.locator("main input[name=password]").fill(DEMO_PASSWORD)
        with tab.expect_navigation():
            tab.locator("main form button[type=submit]").click()
    else:
        tab.goto("/")
    token = tab.locator("form.prefs input[name=csrf_token]").first.get_attribute("value")
    tab.request.post(f"{base}/preferences",
                     form={"csrf_token": token, "locale": locale, "next": "/"})


def route_of(application, path: str) -> str | None:
    """The route a path is served by (one page per route is enough)."""
    try:
        endpoint, _ = application.url_map.bind("localhost").match(urlsplit(path).path)
    except HTTPException:
        return None
    return endpoint


def reachable_pages(tab, base: str, application, walked: dict[str, set[str | None]],
                    context: str | None) -> list[str]:
    """Pages a logged-in tab reaches by following links, breadth first, one per route.

    A route another role's walk already checked in the same context (or, for a role with
    no context of its own, in any) is neither checked nor followed again (its layout and
    words are the same), except the role's own starting pages and the pages they link to
    (its menus: an organisation's dashboard leads to its portal).
    """
    seen_routes: set[str] = set()
    queue = [(path, True) for path in START]  # (path, linked from a starting page)
    pages: list[str] = []
    while queue and len(seen_routes) < ROUTES_PER_ROLE:
        path, near_start = queue.pop(0)
        route = route_of(application, path)
        done = route in walked and (context is None or context in walked[route])
        if route is None or route in seen_routes or route == "static" or (
                done and not near_start):
            continue  # another role's walk followed that page's links already
        seen_routes.add(route)
        response = tab.request.get(f"{base}{path}", max_redirects=0)
        if response.status != 200 or "text/html" not in response.headers.get(
                "content-type", ""):
            continue
        if not done or path in START:
            pages.append(path)
            walked.setdefault(route, set()).add(context)
        parser = LinkParser()
        parser.feed(response.text())
        for href in parser.links:
            url = urlsplit(urljoin(f"{base}{path}", href))
            if f"{url.scheme}://{url.netloc}" != base:
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if not SKIPPED.search(url.path):
                queue.append((target, path in START))
    return pages


@pytest.fixture(scope="module")
def role_pages(browser, demo_server) -> dict[str, list[str]]:
    """For each demo role, the pages its links lead to."""
    base, application = demo_server.base, demo_server.app
    found = {}
    walked: dict[str, set[str | None]] = {}
    for role, (email, context) in ROLES.items():
        tab_context, tab = new_tab(browser, base, "desktop", "en")
        try:
            log_in_and_read(tab, base, email, "en")
            found[role] = reachable_pages(tab, base, application, walked, context) + \
                demo_server.pages_behind_forms.get(role, [])
        finally:
            tab_context.close()
    return found


def without_truncated(text: str, people_wrote: list[str]) -> str:
    """`text` without the start of what someone wrote, cut short by an ellipsis."""
    stem = text.rstrip()
    if not stem.endswith(("...", "…")):
        return text
    stem = stem.rstrip(".… ")
    for piece in people_wrote:
        start = stem.find(piece[:20])
        if len(piece) > 20 and start >= 0 and piece.startswith(stem[start:]):
            return stem[:start]
    return text


def untranslated(texts: list[list[str]], people_wrote: list[str]) -> list[str]:
    """English a 中文 reader meets outside what people wrote."""
    english = []
    for shown, language, where in texts:
        text = shown
        if language == "user" or (language and not language.startswith("zh")):
            continue  # marked as written in another language, or as code
        text = without_truncated(text, people_wrote)  # before its words go one by one
        for piece in people_wrote:
            if piece in text:
                text = text.replace(piece, " ")
        text = MACHINE.sub(" ", text)
        words = [run for run in ENGLISH_RUN.findall(text)
                 if any(w.lower() not in ALLOWED_ENGLISH for w in re.split(r"\s+", run))]
        words += ENGLISH_WORDS.findall(text)
        english += [f"{where}: {word!r} in {shown[:120]!r}" for word in words]
    return english


def check_page(tab, path: str, locale: str, people_wrote: list[str]) -> list[str]:
    """What is wrong with the page at `path`."""
    errors: list[str] = []
    on_error = lambda exc: errors.append(f"script error: {exc}")  # noqa: E731
    on_console = lambda msg: msg.type == "error" and errors.append(  # noqa: E731
        f"console: {msg.text[:160]}")
    tab.on("pageerror", on_error)
    tab.on("console", on_console)
    try:
        response = tab.goto(path)
        tab.wait_for_load_state("load")
        problems = [f"HTTP {response.status}"] if response.status >= 400 else []
        problems += tab.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
            ".violations.map(v => `axe ${v.id} (${v.impact}): ` + "
            "v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))", WCAG)
        wide = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wide > 0:
            problems.append(f"scrolls {wide} px sideways")
        if locale == "zh":
            problems += sorted(set(untranslated(tab.evaluate(VISIBLE_TEXT), people_wrote)))
    finally:
        tab.remove_listener("pageerror", on_error)
        tab.remove_listener("console", on_console)
    return problems + errors


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_page_of_every_demo_role(browser, demo_server, role_pages, people_wrote, size,
                                       locale):
    base = demo_server.base
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "pages.txt").write_text("\n".join(
        f"{role}: {' '.join(paths)}" for role, paths in role_pages.items()), encoding="utf-8")
    found: dict[str, list[str]] = {}
    for role, (email, _context) in ROLES.items():
        context, tab = new_tab(browser, base, size, locale)
        try:
            log_in_and_read(tab, base, email, locale)
            for path in role_pages[role]:
                problems = check_page(tab, path, locale, people_wrote)
                name = re.sub(r"[^\w-]+", "_", path.strip("/")) or "discover"
                tab.screenshot(path=str(SHOTS / f"{size}-{locale}-{role}-{name}.png"))
                if problems:
                    found[f"{role} {path}"] = problems
        finally:
            context.close()
    report = [f"{page}\n  " + "\n  ".join(problems) for page, problems in found.items()]
    (SHOTS / f"problems-{size}-{locale}.txt").write_text("\n".join(report), encoding="utf-8")
    assert len(role_pages["merchant"]) > 10  # the walk did reach the portals
    assert all(role_pages[role] for role in ROLES)
    assert found == {}
