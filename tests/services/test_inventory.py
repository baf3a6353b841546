"""Inventory services: ledger, receive/adjust/transfer/return, reservations, expiry, bulk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select, text

from app.extensions import db
from app.models import InventoryLevel, ProductVariant, Reservation, StockMovement, utcnow
from app.services import inventory
from app.services.catalog import products as catalog
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.inventory import InsufficientStock
from app.tasks.inventory import release_expired_reservations
from tests.catalog_factories import count, make_shop


@pytest.fixture
def shop(make_org, make_user):
    """A USD store in the US with warehouses in the US and China."""
    return make_shop(make_org, make_user)


@pytest.fixture
def other_shop(make_org, make_user):
    """A second, unrelated store (CNY, China) whose staff must never see `shop`'s data."""
    return make_shop(make_org, make_user, currency="CNY", country="CN")


def levels(variant) -> dict[str, tuple[int, int]]:
    """{warehouse name: (on_hand, reserved)} read fresh from the database."""
    rows = db.session.execute(
        select(InventoryLevel).where(InventoryLevel.variant_id == variant.id)
        .execution_options(populate_existing=True)).scalars()
    return {level.warehouse.name: (level.on_hand, level.reserved) for level in rows}


def ledger_ok() -> bool:
    db.session.flush()
    return inventory.check_ledger() == []


@pytest.fixture
def tee(shop):
    """A live product with TEE-S (5 in Brooklyn, 3 in Shenzhen) and TEE-M (none)."""
    product = shop.add_product(stock={"TEE-S": {shop.us: 5, shop.cn: 3}})
    return product


def variant(product, sku):
    return next(v for v in product.variants if v.sku == sku)


# Merchant changes -------------------------------------------------------------------------
def test_receive_writes_a_ledger_row_with_actor_and_reference(shop, tee):
    small = variant(tee, "TEE-S")
    inventory.receive_stock(shop.staff, shop.store.id, small.id, shop.us.id, 7,
                            reference=("purchase_order", 42), reason="PO 42")
    assert levels(small)["Brooklyn"] == (12, 0)
    movement = db.session.scalars(select(StockMovement).order_by(StockMovement.id.desc())).first()
    assert (movement.kind, movement.on_hand_delta, movement.reserved_delta) == ("receive", 7, 0)
    assert movement.actor_id == shop.staff.id
    assert (movement.reference_type, movement.reference_id) == ("purchase_order", "42")
    assert movement.reason == "PO 42"
    assert ledger_ok()


@pytest.mark.parametrize("quantity", [0, -3, "x", 2.5, None])
def test_receive_refuses_non_positive_quantities(shop, tee, quantity):
    small = variant(tee, "TEE-S")
    before = count(StockMovement)
    with pytest.raises(ValidationFailed) as info:
        inventory.receive_stock(shop.owner, shop.store.id, small.id, shop.us.id, quantity)
    assert "quantity" in info.value.fields
    assert count(StockMovement) == before
    assert levels(small)["Brooklyn"] == (5, 0)


def test_adjust_needs_a_reason_and_cannot_go_below_reserved(shop, tee):
    small = variant(tee, "TEE-S")
    with pytest.raises(ValidationFailed) as info:
        inventory.adjust_stock(shop.owner, shop.store.id, small.id, shop.us.id, -1, reason=" ")
    assert "reason" in info.value.fields

    inventory.reserve_stock(None, small.id, 4, owner_type="checkout_quote", owner_id=1,
                            warehouse_id=shop.us.id)
    with pytest.raises(InsufficientStock) as info:
        inventory.adjust_stock(shop.owner, shop.store.id, small.id, shop.us.id, -2,
                               reason="Damaged in storage")
    assert info.value.status == 409 and info.value.code == "insufficient_stock"
    assert levels(small)["Brooklyn"] == (5, 4)

    inventory.adjust_stock(shop.owner, shop.store.id, small.id, shop.us.id, -1,
                           reason="Damaged in storage")
    assert levels(small)["Brooklyn"] == (4, 4)
    assert ledger_ok()


def test_transfer_moves_available_units_between_the_stores_warehouses(shop, other_shop, tee):
    small = variant(tee, "TEE-S")
    inventory.transfer_stock(shop.owner, shop.store.id, small.id, shop.us.id, shop.cn.id, 2,
                             reason="Rebalance for Asia")
    assert levels(small) == {"Brooklyn": (3, 0), "Shenzhen": (5, 0)}
    kinds = [m.kind for m in db.session.scalars(
        select(StockMovement).order_by(StockMovement.id.desc()).limit(2))]
    assert sorted(kinds) == ["transfer_in", "transfer_out"]

    with pytest.raises(InsufficientStock):
        inventory.transfer_stock(shop.owner, shop.store.id, small.id, shop.us.id, shop.cn.id, 4)
    with pytest.raises(NotFound):  # another store's warehouse does not exist here
        inventory.transfer_stock(shop.owner, shop.store.id, small.id, shop.us.id,
                                 other_shop.us.id, 1)
    with pytest.raises(ValidationFailed):
        inventory.transfer_stock(shop.owner, shop.store.id, small.id, shop.us.id, shop.us.id, 1)
    assert levels(small) == {"Brooklyn": (3, 0), "Shenzhen": (5, 0)}
    assert ledger_ok()


def test_return_stock(shop, tee):
    small = variant(tee, "TEE-S")
    inventory.return_stock(shop.owner, shop.store.id, small.id, shop.cn.id, 1,
                           reference=("refund", 9))
    assert levels(small)["Shenzhen"] == (4, 0)
    assert db.session.scalar(select(StockMovement.kind).order_by(StockMovement.id.desc())
                             .limit(1)) == "return"
    assert ledger_ok()


def test_another_stores_staff_cannot_touch_stock(shop, other_shop, tee):
    small = variant(tee, "TEE-S")
    intruder = other_shop.owner
    for call in (
        lambda: inventory.receive_stock(intruder, shop.store.id, small.id, shop.us.id, 1),
        lambda: inventory.adjust_stock(intruder, shop.store.id, small.id, shop.us.id, 1,
                                       reason="x"),
        lambda: inventory.transfer_stock(intruder, shop.store.id, small.id, shop.us.id,
                                         shop.cn.id, 1),
        lambda: inventory.bulk_set_inventory(intruder, shop.store.id, "set", [
            {"sku": "TEE-S", "warehouse_id": shop.us.id, "quantity": 0}]),
        lambda: inventory.stock_history(intruder, shop.store.id, small.id),
        lambda: inventory.list_inventory(intruder, shop.store.id, shop.us.id),
        lambda: inventory.low_stock_variants(intruder, shop.store.id),
        # Through their own store: our variant and warehouse do not exist there.
        lambda: inventory.receive_stock(intruder, other_shop.store.id, small.id,
                                        other_shop.us.id, 1),
        lambda: inventory.receive_stock(intruder, other_shop.store.id, small.id, shop.us.id, 1),
        lambda: inventory.list_inventory(intruder, other_shop.store.id, shop.us.id),
    ):
        with pytest.raises(NotFound):
            call()
    assert levels(small) == {"Brooklyn": (5, 0), "Shenzhen": (3, 0)}


# Reservations -----------------------------------------------------------------------------
def test_reserve_prefers_the_ship_to_country_then_warehouse_order(shop, tee):
    small = variant(tee, "TEE-S")
    [china] = inventory.reserve_stock(None, small.id, 2, owner_type="checkout_quote",
                                      owner_id=1, ship_to="CN")
    assert china.level.warehouse_id == shop.cn.id
    [first] = inventory.reserve_stock(None, small.id, 1, owner_type="checkout_quote",
                                      owner_id=2, ship_to="FR")
    assert first.level.warehouse_id == shop.us.id  # no local warehouse: the lowest level id
    assert levels(small) == {"Brooklyn": (5, 1), "Shenzhen": (3, 2)}
    assert inventory.available(small.id) == 5
    movement = db.session.scalars(select(StockMovement).where(
        StockMovement.reservation_id == china.id)).one()
    assert (movement.kind, movement.reserved_delta) == ("reserve", 2)
    assert (movement.reference_type, movement.reference_id) == ("checkout_quote", "1")
    assert ledger_ok()


def test_reserve_splits_across_warehouses_only_when_allowed(shop, tee):
    small = variant(tee, "TEE-S")
    with pytest.raises(InsufficientStock):
        inventory.reserve_stock(None, small.id, 7, owner_type="checkout_quote", owner_id=1,
                                allow_split=False)
    held = inventory.reserve_stock(None, small.id, 7, owner_type="checkout_quote", owner_id=1)
    assert sorted((r.level.warehouse.name, r.quantity) for r in held) == [
        ("Brooklyn", 5), ("Shenzhen", 2)]
    assert inventory.available(small.id) == 1
    assert ledger_ok()


def test_reserving_more_than_available_is_insufficient_stock(shop, tee):
    small = variant(tee, "TEE-S")
    with pytest.raises(InsufficientStock) as info:
        inventory.reserve_stock(None, small.id, 9, owner_type="checkout_quote", owner_id=1)
    assert info.value.code == "insufficient_stock" and info.value.status == 409
    assert "Only 8" in info.value.message
    assert count(Reservation) == 0
    assert levels(small) == {"Brooklyn": (5, 0), "Shenzhen": (3, 0)}
    with pytest.raises(InsufficientStock):  # no level at all
        inventory.reserve_stock(None, variant(tee, "TEE-M").id, 1,
                                owner_type="checkout_quote", owner_id=1)


def test_reserve_refuses_products_not_for_sale(shop):
    draft = shop.add_product(skus=("D-1",), status="draft", stock={"D-1": {shop.us: 5}})
    with pytest.raises(Conflict) as info:
        inventory.reserve_stock(None, draft.variants[0].id, 1, owner_type="checkout_quote",
                                owner_id=1)
    assert info.value.code == "variant_unavailable"
    with pytest.raises(ValidationFailed):
        inventory.reserve_stock(None, draft.variants[0].id, 0, owner_type="checkout_quote",
                                owner_id=1)


def test_release_and_commit(shop, tee):
    small = variant(tee, "TEE-S")
    [kept] = inventory.reserve_stock(None, small.id, 2, owner_type="checkout_quote",
                                     owner_id=7, warehouse_id=shop.us.id)
    [dropped] = inventory.reserve_stock(None, small.id, 1, owner_type="checkout_quote",
                                        owner_id=8, warehouse_id=shop.us.id)
    assert levels(small)["Brooklyn"] == (5, 3)

    assert inventory.release_reservation(shop.owner, dropped.id) is True
    assert inventory.release_reservation(shop.owner, dropped.id) is False  # once only
    assert levels(small)["Brooklyn"] == (5, 2)

    inventory.commit_reservation(shop.owner, kept.id, reference=("shipment", 3))
    assert levels(small)["Brooklyn"] == (3, 0)
    assert kept.state == "committed" and dropped.state == "released"
    with pytest.raises(Conflict) as info:
        inventory.commit_reservation(shop.owner, dropped.id)
    assert info.value.code == "reservation_ended"
    assert ledger_ok()


def test_owner_reservations_release_and_commit_together(shop, tee):
    small = variant(tee, "TEE-S")
    inventory.reserve_stock(None, small.id, 6, owner_type="checkout_quote", owner_id="q1")
    assert len(inventory.owner_reservations("checkout_quote", "q1")) == 2
    later = utcnow() + timedelta(hours=1)
    assert inventory.extend_owner_reservations("checkout_quote", "q1", later) == 2
    assert inventory.release_owner_reservations(None, "checkout_quote", "q1") == 2
    assert inventory.available(small.id) == 8

    inventory.reserve_stock(None, small.id, 3, owner_type="campaign_booking", owner_id=5)
    shipped = inventory.commit_owner_reservations(shop.owner, "campaign_booking", 5)
    assert [r.quantity for r in shipped] == [3]
    assert sum(on_hand for on_hand, _r in levels(small).values()) == 5
    assert ledger_ok()


def test_reserve_lines_is_all_or_nothing(shop):
    product = shop.add_product(skus=("A-S", "A-M"), stock={"A-S": {shop.us: 2},
                                                           "A-M": {shop.us: 1}})
    a_small, a_medium = product.variants
    with pytest.raises(InsufficientStock):
        inventory.reserve_lines(None, [(a_small.id, 2), (a_medium.id, 2)],
                                owner_type="checkout_quote", owner_id=1)
    assert count(Reservation) == 0
    assert inventory.availability([a_small.id, a_medium.id]) == {a_small.id: 2, a_medium.id: 1}
    held = inventory.reserve_lines(None, [(a_medium.id, 1), (a_small.id, 1), (a_small.id, 1)],
                                   owner_type="checkout_quote", owner_id=1)
    assert sorted(r.quantity for r in held) == [1, 2]
    assert ledger_ok()


def test_expired_reservations_are_released_by_the_job(shop, tee):
    small = variant(tee, "TEE-S")
    now = utcnow()
    [fresh] = inventory.reserve_stock(None, small.id, 1, owner_type="checkout_quote",
                                      owner_id=2, ttl=timedelta(minutes=10), now=now)
    [old] = inventory.reserve_stock(None, small.id, 4, owner_type="checkout_quote", owner_id=1,
                                    ttl=timedelta(minutes=10), now=now - timedelta(minutes=20))
    assert inventory.expire_reservations(now) == 1
    assert old.state == "expired" and old.closed_at is not None
    assert fresh.state == "active"
    assert inventory.expire_reservations(now) == 0
    movement = db.session.scalars(select(StockMovement).where(
        StockMovement.reservation_id == old.id, StockMovement.kind == "release")).one()
    assert movement.actor_id is None and movement.reserved_delta == -4
    assert ledger_ok()

    # The periodic task does the same for whatever expires later.
    db.session.execute(text("UPDATE reservations SET expires_at = :t WHERE id = :id"),
                       {"t": now - timedelta(seconds=1), "id": fresh.id})
    assert release_expired_reservations.run() == 1
    assert inventory.available(small.id) == 8


def test_reading_stock_counts_an_expired_hold_as_free_without_writing(shop, tee):
    small = variant(tee, "TEE-S")
    brooklyn, shenzhen = shop.warehouses
    inventory.reserve_stock(None, small.id, 2, owner_type="checkout_quote", owner_id=2,
                            warehouse_id=brooklyn.id)  # still held: stays out of reach
    inventory.reserve_stock(None, small.id, 6, owner_type="checkout_quote", owner_id=1,
                            ttl=timedelta(minutes=15), now=utcnow() - timedelta(hours=1))
    db.session.commit()
    assert levels(small) == {"Brooklyn": (5, 5), "Shenzhen": (3, 3)}
    statements: list[str] = []
    record = lambda _c, _cur, statement, *_a: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert inventory.available(small.id) == 6
        assert inventory.availability([small.id], warehouse_id=shenzhen.id) == {small.id: 3}
        assert db.session.scalar(select(inventory.variant_available_sql())
                                 .where(ProductVariant.id == small.id)) == 6
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert statements and all(s.lstrip().upper().startswith("SELECT") for s in statements)
    assert levels(small) == {"Brooklyn": (5, 5), "Shenzhen": (3, 3)}  # nothing released
    assert sorted(r.state for r in db.session.scalars(select(Reservation))) == ["active"] * 3
    assert ledger_ok()


def test_reserving_lazily_releases_expired_reservations_first(shop, tee):
    small = variant(tee, "TEE-S")
    past = utcnow() - timedelta(hours=1)
    inventory.reserve_stock(None, small.id, 8, owner_type="checkout_quote", owner_id=1,
                            ttl=timedelta(minutes=15), now=past)
    held = inventory.reserve_stock(None, small.id, 8, owner_type="checkout_quote", owner_id=2)
    assert sum(r.quantity for r in held) == 8
    assert ledger_ok()


def test_a_released_reservation_is_not_expired_again(shop, tee):
    small = variant(tee, "TEE-S")
    past = utcnow() - timedelta(hours=1)
    [reservation] = inventory.reserve_stock(None, small.id, 2, owner_type="checkout_quote",
                                            owner_id=1, now=past)
    inventory.release_reservation(None, reservation.id)
    assert inventory.expire_reservations() == 0
    assert levels(small)["Brooklyn"] == (5, 0)
    assert ledger_ok()


# Bulk -------------------------------------------------------------------------------------
def test_bulk_set_and_adjust(shop, tee):
    lines = inventory.bulk_set_inventory(shop.staff, shop.store.id, "set", [
        {"sku": "TEE-S", "warehouse_id": shop.us.id, "quantity": 9},
        {"sku": "TEE-M", "warehouse_id": shop.cn.id, "quantity": 4},
        {"sku": "TEE-S", "warehouse_id": shop.cn.id, "quantity": 3},  # unchanged
    ])
    assert [(line.sku, line.on_hand) for line in lines] == [
        ("TEE-S", 9), ("TEE-M", 4), ("TEE-S", 3)]
    inventory.bulk_set_inventory(shop.staff, shop.store.id, "adjust", [
        {"sku": "TEE-M", "warehouse_id": shop.cn.id, "quantity": -4},
        {"sku": "TEE-M", "warehouse_id": shop.us.id, "quantity": "6"},
    ], reason="Cycle count")
    assert levels(variant(tee, "TEE-M")) == {"Brooklyn": (6, 0), "Shenzhen": (0, 0)}
    assert levels(variant(tee, "TEE-S")) == {"Brooklyn": (9, 0), "Shenzhen": (3, 0)}
    reasons = set(db.session.scalars(select(StockMovement.reason).where(
        StockMovement.kind == "adjust")))
    assert reasons == {"Bulk inventory set", "Cycle count"}
    assert ledger_ok()


def test_bulk_names_every_bad_item_and_changes_nothing(shop, other_shop, tee):
    small = variant(tee, "TEE-S")
    inventory.reserve_stock(None, small.id, 2, owner_type="checkout_quote", owner_id=1,
                            warehouse_id=shop.us.id)
    before = count(StockMovement)
    with pytest.raises(ValidationFailed) as info:
        inventory.bulk_set_inventory(shop.owner, shop.store.id, "set", [
            {"sku": "TEE-M", "warehouse_id": shop.us.id, "quantity": 10},   # fine
            {"sku": "NOPE-1", "warehouse_id": shop.us.id, "quantity": 1},   # unknown SKU
            {"sku": "TEE-M", "warehouse_id": other_shop.us.id, "quantity": 1},  # not ours
            {"sku": "TEE-S", "warehouse_id": shop.cn.id, "quantity": -1},   # negative
            {"sku": "TEE-S", "warehouse_id": shop.us.id, "quantity": 1},    # below reserved
            {"sku": "TEE-M", "warehouse_id": shop.us.id, "quantity": 3},    # listed twice
        ])
    fields = info.value.fields
    assert set(fields) == {"items.1.sku", "items.2.warehouse_id", "items.3.quantity",
                           "items.4.quantity", "items.5"}
    assert "NOPE-1" in fields["items.1.sku"][0]
    assert "reserved" in fields["items.4.quantity"][0]
    assert count(StockMovement) == before
    assert levels(variant(tee, "TEE-M")) == {}

    with pytest.raises(ValidationFailed) as info:
        inventory.bulk_set_inventory(shop.owner, shop.store.id, "adjust", [
            {"sku": "TEE-S", "warehouse_id": shop.cn.id, "quantity": -4}], reason="Damaged")
    assert info.value.code == "negative_stock"
    with pytest.raises(ValidationFailed) as info:
        inventory.bulk_set_inventory(shop.owner, shop.store.id, "replace", [])
    assert set(info.value.fields) == {"mode", "items"}
    assert ledger_ok()


# Ledger check, history, low stock -----------------------------------------------------------
def test_the_ledger_check_finds_a_tampered_level(shop, tee, runner):
    small = variant(tee, "TEE-S")
    result = runner.invoke(args=["inventory", "check"])
    assert result.exit_code == 0, result.output
    db.session.execute(text("UPDATE inventory_levels SET on_hand = on_hand + 1 "
                            "WHERE variant_id = :v"), {"v": small.id})
    mismatches = inventory.check_ledger()
    assert [m.sku for m in mismatches] == ["TEE-S", "TEE-S"]
    assert mismatches[0].on_hand == mismatches[0].ledger_on_hand + 1
    result = runner.invoke(args=["inventory", "check"])
    assert result.exit_code == 1
    assert "TEE-S" in result.output


def test_the_expire_command(shop, tee, runner):
    small = variant(tee, "TEE-S")
    inventory.reserve_stock(None, small.id, 3, owner_type="checkout_quote", owner_id=1,
                            now=utcnow() - timedelta(hours=2))
    result = runner.invoke(args=["inventory", "expire"])
    assert result.exit_code == 0
    assert "Released 1 expired reservation" in result.output
    assert inventory.available(small.id) == 8


def test_stock_history_and_low_stock(shop, tee):
    small = variant(tee, "TEE-S")
    inventory.adjust_stock(shop.owner, shop.store.id, small.id, shop.us.id, -4,
                           reason="Water damage")
    page = inventory.stock_history(shop.staff, shop.store.id, small.id, limit=2)
    assert [(m.kind, m.on_hand_delta, m.reason) for m in page.items] == [
        ("adjust", -4, "Water damage"), ("receive", 3, "")]
    assert page.items[0].actor.id == shop.owner.id
    rest = inventory.stock_history(shop.staff, shop.store.id, small.id, after=page.next_after)
    assert [(m.kind, m.on_hand_delta) for m in rest.items] == [("receive", 5)]

    low = inventory.low_stock_variants(shop.staff, shop.store.id)
    assert [(row.variant.sku, row.available) for row in low.items] == [("TEE-S", 4),
                                                                        ("TEE-M", 0)]
    catalog.update_product(shop.owner, shop.store.id, tee.id, {"low_stock_threshold": 3})
    low = inventory.low_stock_variants(shop.staff, shop.store.id)
    assert [row.variant.sku for row in low.items] == ["TEE-M"]

    rows = inventory.list_inventory(shop.staff, shop.store.id, shop.us.id).items
    assert [(r.variant.sku, r.on_hand, r.available) for r in rows] == [("TEE-S", 1, 1),
                                                                       ("TEE-M", 0, 0)]


def test_the_expiry_job_is_scheduled(app):
    from app.extensions import celery

    entry = celery.conf.beat_schedule["release-expired-reservations"]
    assert entry["task"] == "qiao.release_expired_reservations"
    assert entry["schedule"] <= 300
    assert entry["task"] in celery.tasks
