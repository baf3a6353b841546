"""The pages a shopper reads write nothing, even with expired stock holds and quotes about.

Stock counts a hold past its expiry as free and a quote past its time reads expired;
releasing them is the expiry jobs' work (or the next writer's), never a GET's.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.models import Quote, Reservation, utcnow
from app.services import inventory
from app.services.checkout import quotes

pytest_plugins = ["tests.checkout_factories", "tests.notes_fixtures"]

WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE")


class WriteRecorder:
    """Every INSERT/UPDATE/DELETE (or FOR UPDATE lock) sent to the database while active."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def _record(self, _conn, _cursor, statement: str, *_args) -> None:
        text = statement.lstrip().upper()
        # The test's transaction turns commits into savepoints: those are not writes.
        if text.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            return
        if text.startswith(WRITES) or "FOR UPDATE" in text:
            self.writes.append(statement)

    def __enter__(self) -> WriteRecorder:
        event.listen(db.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(db.engine, "before_cursor_execute", self._record)


@pytest.fixture
def stale_checkout(make_checkout_shop, make_quote, make_user, make_note, login):
    """A shopper signed in, with an expired quote (its holds expired too) and a note."""
    shop = make_checkout_shop("USD", "US", stock=5)
    shopper = make_user()
    past = utcnow() - timedelta(hours=1)
    variant = shop.variants[0]
    quote = make_quote(shopper, [(variant, 2)], currency="USD", country="US", now=past)
    inventory.reserve_stock(None, variant.id, 3, owner_type="campaign", owner_id="c1",
                            ttl=timedelta(minutes=5), now=past)
    db.session.commit()
    note = make_note(make_user())
    login(shopper)
    return shop, variant, quote, note


def test_shopper_pages_write_nothing_with_expired_holds(client, stale_checkout):
    shop, variant, quote, note = stale_checkout
    product = variant.product
    pages = ["/shop", f"/products/{product.id}", f"/stores/{shop.store.slug}", "/cart",
             f"/checkout/quotes/{quote.id}", "/", f"/notes/{note.id}"]
    bodies = {}
    with WriteRecorder() as recorder:
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            bodies[url] = response.get_data(as_text=True)
    assert recorder.writes == []
    # The expired quote reads expired and offers no payment, though its row is still open.
    quote_page = bodies[f"/checkout/quotes/{quote.id}"]
    assert 'data-testid="expired"' in quote_page
    assert 'data-testid="pay"' not in quote_page
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).state == "open"
    assert {r.state for r in db.session.scalars(select(Reservation))} == {"active"}
    # Stock read as free all the same: the cart line of 2 is not flagged short.
    assert inventory.available(variant.id) == 5


def test_the_recorder_sees_a_write(client, stale_checkout):
    """The guard above can fail: a write made during a request is caught."""
    _shop, variant, _quote, _note = stale_checkout
    with WriteRecorder() as recorder:
        inventory.expire_reservations(variant_ids=[variant.id])
        db.session.flush()
    assert any(s.lstrip().upper().startswith("UPDATE") for s in recorder.writes)


def test_paying_an_expired_quote_is_still_refused_and_expires_it(stale_checkout):
    _shop, variant, quote, _note = stale_checkout
    with pytest.raises(quotes.QuoteExpired):
        quotes.ensure_quote_payable(quote)
    assert quote.state == "expired"
    assert inventory.owner_reservations("checkout_quote", quote.id) == []
