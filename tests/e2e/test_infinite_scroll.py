"""Infinite scroll in a real browser: the note feed and a store's product grid load their
next page when the "Load more" link comes near the viewport (static/js/infinite_scroll.js)."""

from __future__ import annotations

import uuid

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import Membership, Note, NoteImage, Organization, Store, User, utcnow
from app.services.accounts.passwords import hash_password
from app.services.catalog import products as catalog
from tests.e2e.browser import Page, expect
from tests.e2e.session import PASSWORD

PRODUCTS = 30  # more than one page of 24
NOTES = 25  # more than one feed page of 20


@pytest.fixture(scope="module")
def crowded_store(live_server) -> str:
    """A store with more products than one page, and more published notes than one feed page."""
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        owner = User(email=f"scroll-{tag}@example.com", password_hash=hash_password(PASSWORD),
                     display_name=f"Scroll {tag}", home_country="CN", email_verified_at=utcnow())
        org = Organization(kind="merchant", name=f"Many {tag}", slug=f"many-{tag}")
        db.session.add_all([owner, org])
        db.session.add(Membership(organization=org, user=owner, role="owner"))
        db.session.add(Store(organization=org, name=f"Many {tag}", slug=f"many-{tag}",
                             base_currency="CNY", origin_country="CN"))
        commit()
        for i in range(PRODUCTS):
            catalog.create_product(owner, org.store.id, {
                "title": f"Tea {i} {tag}", "hs_code": "090210", "status": "active",
                "variants": [{"sku": f"TEA-{i}-{tag}", "price": "10.00"}]})
        for i in range(NOTES):
            note = Note(author_id=owner.id, title=f"Scroll note {i}", body="", language="en",
                        status="published", published_at=utcnow())
            note.images = [NoteImage(position=0, is_cover=True, width=640, height=800,
                                     keys={"display": "notes/x/fake-display.webp",
                                           "thumb": "notes/x/fake-thumb.webp"})]
            db.session.add(note)
        commit()
        return org.store.slug


def test_a_store_grid_loads_the_next_products_when_scrolled_to(page: Page, crowded_store):
    page.goto(f"/stores/{crowded_store}")
    cards = page.locator("[data-product-grid] .product-card")
    expect(cards).to_have_count(24)
    page.locator("[data-load-more-products]").scroll_into_view_if_needed()
    expect(cards).to_have_count(PRODUCTS)
    # The last page is in: the link goes, so nothing asks for a page that does not exist.
    expect(page.locator("[data-load-more-products]")).to_have_count(0)


def test_the_feed_loads_the_next_notes_when_scrolled_to(page: Page, crowded_store):
    page.goto("/")
    cards = page.locator("[data-feed] .note-card")
    expect(cards).to_have_count(20)
    link = page.locator("[data-load-more]")
    link.scroll_into_view_if_needed()
    expect(cards).not_to_have_count(20)
    assert cards.count() > 20
    # New cards go into the masonry columns, not after them.
    assert page.locator("[data-feed] > .note-card").count() == 0
