"""Store settings (logo, description, return policy, countries served) and warehouses.

Settings and warehouses need the admin role in the merchant organisation; any staff
member may read them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import InventoryLevel, ProductVariant, Store, User, Warehouse
from app.providers.media import media_storage
from app.services.errors import Conflict
from app.services.fields import (
    FieldErrors,
    clean_countries,
    clean_country,
    clean_currency,
    clean_int,
    clean_text,
)
from app.services.images import process_image
from app.services.permissions import not_found_in_organization, require_store_staff

MAX_STORE_NAME = 120
MAX_DESCRIPTION = 5000
MAX_RETURN_POLICY = 10_000
# Days after delivery a shopper may ask for a return (0: the store takes no returns).
MAX_RETURN_WINDOW_DAYS = 365
LOGO_RENDITION = {"logo": 512}
# The store's address on the storefront: lower-case words joined by single dashes.
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_SLUG, MAX_SLUG = 3, 80
WAREHOUSE_TEXT = {"name": 120, "address_line1": 200, "address_line2": 200, "city": 120,
                  "region": 120, "postal_code": 20}


def get_store(actor: User, store_id: int) -> Store:
    """The store, for its staff."""
    return require_store_staff(actor, store_id)


def _clean_slug(value: Any, store: Store, errors: FieldErrors) -> str | None:
    """A free, well-formed store slug (the storefront address)."""
    slug = clean_text(value, "slug", errors, max_len=MAX_SLUG, required=True)
    if slug is None:
        return None
    slug = slug.lower()
    if len(slug) < MIN_SLUG or not SLUG_PATTERN.fullmatch(slug):
        errors.add("slug", _("Use %(min)d to %(max)d lower-case letters, digits and single "
                             "dashes, e.g. kyoto-ceramics.", min=MIN_SLUG, max=MAX_SLUG),
                   "invalid_slug")
        return None
    taken = db.session.scalar(select(Store.id).where(Store.slug == slug, Store.id != store.id))
    if taken is not None:
        errors.add("slug", _("Another store already uses this address."), "slug_taken")
        return None
    return slug


def update_store_settings(actor: User, store_id: int, data: Mapping[str, Any]) -> Store:
    """Change name, slug, description, return policy, origin country, base currency, sells_to.

    The base currency can only change while the store has no variants: their prices
    are amounts in it.
    """
    store = require_store_staff(actor, store_id, min_role="admin")
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if "name" in data:
        values["name"] = clean_text(data["name"], "name", errors, max_len=MAX_STORE_NAME,
                                    required=True)
    if "slug" in data:
        values["slug"] = _clean_slug(data["slug"], store, errors)
    if "description" in data:
        values["description"] = clean_text(data["description"], "description", errors,
                                           max_len=MAX_DESCRIPTION) or ""
    if "return_policy" in data:
        values["return_policy"] = clean_text(data["return_policy"], "return_policy", errors,
                                             max_len=MAX_RETURN_POLICY) or ""
    if "return_window_days" in data:  # blank: unchanged
        days = clean_int(data["return_window_days"], "return_window_days", errors, minimum=0,
                         maximum=MAX_RETURN_WINDOW_DAYS)
        if days is not None:
            values["return_window_days"] = days
    if "origin_country" in data:
        values["origin_country"] = clean_country(data["origin_country"], "origin_country",
                                                 errors, required=True)
    if "sells_to" in data:
        values["sells_to"] = clean_countries(data["sells_to"], "sells_to", errors) or []
    if "base_currency" in data:
        currency = clean_currency(data["base_currency"], "base_currency", errors)
        if currency and currency != store.base_currency:
            has_variants = db.session.scalar(select(func.count(ProductVariant.id)).where(
                ProductVariant.store_id == store.id))
            if has_variants:
                errors.add("base_currency", _("The base currency cannot change once products "
                                              "are priced in it."), "currency_locked")
        values["base_currency"] = currency
    errors.raise_if_any()
    try:
        with db.session.begin_nested():
            for name, value in values.items():
                setattr(store, name, value)
            db.session.flush()
    except IntegrityError:  # a concurrent request took the slug first
        raise Conflict(_("Another store already uses this address."), code="slug_taken",
                       fields={"slug": [_("Another store already uses this address.")]}) from None
    return store


def set_store_logo(actor: User, store_id: int, data: bytes) -> Store:
    """Replace the logo with an uploaded image (validated, stripped, resized)."""
    store = require_store_staff(actor, store_id, min_role="admin")
    stored = process_image(data, field="logo", prefix=f"stores/{store.id}",
                           renditions=LOGO_RENDITION, max_bytes=5 * 1024 * 1024)
    old = store.logo_path
    store.logo_path = stored.keys["logo"]
    db.session.flush()
    if old:
        media_storage().delete(old)
    return store


# Warehouses -------------------------------------------------------------------------------
def list_warehouses(actor: User, store_id: int, *,
                    include_inactive: bool = False) -> list[Warehouse]:
    """The store's warehouses by id."""
    store = require_store_staff(actor, store_id)
    stmt = select(Warehouse).where(Warehouse.store_id == store.id).order_by(Warehouse.id)
    if not include_inactive:
        stmt = stmt.where(Warehouse.is_active.is_(True))
    return list(db.session.scalars(stmt))


def get_warehouse(actor: User, store_id: int, warehouse_id: int) -> Warehouse:
    """One of the store's warehouses, or NotFound."""
    store = require_store_staff(actor, store_id)
    warehouse = db.session.scalar(select(Warehouse).where(
        Warehouse.id == warehouse_id, Warehouse.store_id == store.id))
    if warehouse is None:
        raise not_found_in_organization()
    return warehouse


def _clean_warehouse(data: Mapping[str, Any], errors: FieldErrors, *,
                     creating: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, limit in WAREHOUSE_TEXT.items():
        if name in data or (creating and name == "name"):
            text = clean_text(data.get(name), name, errors, max_len=limit,
                              required=name == "name")
            values[name] = text or ""
    if "country" in data or creating:
        values["country"] = clean_country(data.get("country"), "country", errors,
                                          required=True)
    return values


def _save_warehouse(warehouse: Warehouse, store_id: int) -> None:
    """Flush a new or changed warehouse; a name the store already uses is a 409."""
    with db.session.no_autoflush:  # a pending rename must not hit the constraint here
        taken = db.session.scalar(select(Warehouse.id).where(
            Warehouse.store_id == store_id, Warehouse.name == warehouse.name,
            Warehouse.id != (warehouse.id or 0)))
    duplicate = Conflict(_("The store already has a warehouse with this name."),
                         code="duplicate_warehouse",
                         fields={"name": [_("Another warehouse has this name.")]})
    if taken is not None:
        raise duplicate
    try:
        with db.session.begin_nested():
            db.session.add(warehouse)
            db.session.flush()
    except IntegrityError:  # a concurrent request took the name first
        raise duplicate from None


def create_warehouse(actor: User, store_id: int, data: Mapping[str, Any]) -> Warehouse:
    """Add a warehouse (name, address lines, city, region, postal code, country)."""
    store = require_store_staff(actor, store_id, min_role="admin")
    errors = FieldErrors()
    values = _clean_warehouse(data, errors, creating=True)
    errors.raise_if_any()
    warehouse = Warehouse(store_id=store.id, **values)
    _save_warehouse(warehouse, store.id)
    return warehouse


def update_warehouse(actor: User, store_id: int, warehouse_id: int,
                     data: Mapping[str, Any]) -> Warehouse:
    """Change a warehouse's name or address."""
    require_store_staff(actor, store_id, min_role="admin")
    warehouse = get_warehouse(actor, store_id, warehouse_id)
    errors = FieldErrors()
    values = _clean_warehouse(data, errors, creating=False)
    errors.raise_if_any()
    with db.session.no_autoflush:
        for name, value in values.items():
            setattr(warehouse, name, value)
    _save_warehouse(warehouse, warehouse.store_id)
    return warehouse


def set_warehouse_active(actor: User, store_id: int, warehouse_id: int,
                         active: bool) -> Warehouse:
    """Close a warehouse (only once it holds no stock) or reopen it."""
    require_store_staff(actor, store_id, min_role="admin")
    warehouse = get_warehouse(actor, store_id, warehouse_id)
    if not active:
        units = db.session.scalar(select(func.coalesce(func.sum(InventoryLevel.on_hand), 0))
                                  .where(InventoryLevel.warehouse_id == warehouse.id))
        if units:
            raise Conflict(_("%(warehouse)s still holds %(units)d units: transfer or adjust "
                             "them first.", warehouse=warehouse.name, units=units),
                           code="warehouse_not_empty")
    warehouse.is_active = active
    db.session.flush()
    return warehouse
