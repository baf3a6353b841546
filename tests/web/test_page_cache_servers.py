"""Two app servers on one database, each with its own page cache: a price changed through
one is on the other's next guest page. Every step commits for real, as separate servers
would, so PostgreSQL reads the content version the way production does (in autocommit, on
a pooled connection) rather than inside the suite's rolled-back transaction.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from app.models import Product, User
from app.services.catalog import products as catalog
from tests.catalog_factories import make_shop
from tests.concurrency import race_application
from tests.notes_factories import QueryCounter
from tests.web.test_storefront_queries import add_products


@pytest.fixture(autouse=True)
def _transaction():
    """Override the rolled-back transaction: each server must see the other's commits."""
    yield


@pytest.fixture
def servers(tmp_path) -> Iterator[tuple[Flask, Flask]]:
    with race_application("page_cache", tmp_path, PAGE_CACHE_SECONDS=30) as first:
        second = create_app("testing",
                            SQLALCHEMY_DATABASE_URI=first.config["SQLALCHEMY_DATABASE_URI"],
                            MEDIA_ROOT=first.config["MEDIA_ROOT"], PAGE_CACHE_SECONDS=30)
        try:
            yield first, second
        finally:
            with second.app_context():
                db.engine.dispose()


def guest_page(server: Flask, url: str) -> str:
    """The page as a new guest gets it from `server`."""
    return counted_guest_page(server, url)[0]


def counted_guest_page(server: Flask, url: str) -> tuple[str, int]:
    """The page as a new guest gets it, and the statements `server` ran through SQLAlchemy
    for it (a version read in autocommit on PostgreSQL goes round them)."""
    with server.app_context(), QueryCounter() as queries:
        response = server.test_client().get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True), queries.count


def test_a_price_changed_on_one_server_is_on_the_others_cached_page(servers, make_org,
                                                                     make_user):
    first, second = servers
    with first.app_context():
        shop = make_shop(make_org, make_user)
        (product,) = add_products(shop, 1, 1, "TEA")
        owner_id, product_id = shop.owner.id, product.id
        db.session.remove()
    url = f"/products/{product_id}"
    page, rendered = counted_guest_page(first, url)
    assert "$12.00" in page
    page, cached = counted_guest_page(first, url)
    assert "$12.00" in page and cached <= 2 < rendered  # kept: the version read only

    with second.app_context():
        variant = db.session.get(Product, product_id).variants[0]
        catalog.update_product(db.session.get(User, owner_id), variant.product.store_id,
                               product_id, {"variants": [
                                   {"id": variant.id, "sku": variant.sku, "price": "9.50",
                                    "options": {"Size": "S0"}}]})
        db.session.commit()
        db.session.remove()

    page = guest_page(first, url)
    assert "$9.50" in page and "$12.00" not in page


def test_a_cached_page_leaves_its_connection_in_transactions(servers, make_org, make_user):
    """The version is read in autocommit on PostgreSQL; the connection must go back to
    transactions, or a write rolled back later on it would stay."""
    first, _ = servers
    with first.app_context():
        shop = make_shop(make_org, make_user)
        (product,) = add_products(shop, 1, 1, "CUP")
        product_id = product.id
        db.session.remove()
    for _ in range(3):
        guest_page(first, f"/products/{product_id}")

    with first.app_context():
        db.session.get(Product, product_id).title = "Rolled back"
        db.session.flush()
        db.session.rollback()
        db.session.remove()
        assert db.session.get(Product, product_id).title == "CUP 0"
