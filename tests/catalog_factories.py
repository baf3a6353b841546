"""Catalog and inventory factories shared by the catalog, inventory and storefront tests.

A test module wraps `make_shop` in its own fixtures:

    @pytest.fixture
    def shop(make_org, make_user):
        return make_shop(make_org, make_user)
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Product, Store, User, Warehouse
from app.services import inventory
from app.services.catalog import products as catalog


@dataclass
class Shop:
    """A merchant store with its owner, a staff member and two warehouses (US first, CN)."""

    owner: User
    staff: User
    store: Store
    warehouses: list[Warehouse] = field(default_factory=list)

    @property
    def us(self) -> Warehouse:
        return self.warehouses[0]

    @property
    def cn(self) -> Warehouse:
        return self.warehouses[1]

    def add_product(self, *, skus=("TEE-S", "TEE-M"), price="19.99", status="active",
                    stock: dict | None = None, title="Cotton tee", **fields) -> Product:
        """A product with one variant per SKU (options Size=<suffix>) and optional stock.

        `stock` maps SKU -> {warehouse: quantity}.
        """
        payload = {
            "title": title, "hs_code": "610910", "status": status,
            "variants": [{"sku": sku, "price": price, "options": {"Size": sku.rsplit("-", 1)[-1]}}
                         for sku in skus] if len(skus) > 1 else
                        [{"sku": skus[0], "price": price}],
            **fields,
        }
        product = catalog.create_product(self.owner, self.store.id, payload)
        db.session.commit()
        for sku, per_warehouse in (stock or {}).items():
            variant = next(v for v in product.variants if v.sku == sku)
            for warehouse, quantity in per_warehouse.items():
                inventory.receive_stock(self.owner, self.store.id, variant.id, warehouse.id,
                                        quantity, reference=("test", "seed"))
        db.session.commit()
        return product


def make_shop(make_org, make_user, *, currency="USD", country="US") -> Shop:
    """A merchant store with an owner, a staff member and warehouses in the US and China."""
    owner = make_user()
    staff = make_user()
    org = make_org("merchant", owner=owner, members={staff: "staff"})
    store = org.store
    store.base_currency = currency
    store.origin_country = country
    warehouses = [Warehouse(store_id=store.id, name="Brooklyn", city="New York", country="US"),
                  Warehouse(store_id=store.id, name="Shenzhen", city="Shenzhen", country="CN")]
    db.session.add_all(warehouses)
    db.session.commit()
    return Shop(owner=owner, staff=staff, store=store, warehouses=warehouses)


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    """A small valid PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def count(model) -> int:
    """Rows of `model` in the database."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0
