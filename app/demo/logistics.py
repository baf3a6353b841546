"""Demo orders in every shipment state, with cross-border journeys told by tracking events.

Everything goes through the real services: the shopper's cart, quote and paid order
(`quotes.create_quote`, `fulfil_payment`), the merchant's shipment and legs
(`create_shipment`, `add_shipment_leg`) and the carriers' scans (`ingest_tracking_events`,
as the tracking webhook would deliver them), so statuses, order states, notices and the
exceptions board are what the code makes of them, not rows written by hand. Tracking
numbers are built with the carriers' own check digits. Times are relative to when the seed
runs, each scan in the local time of where it happened.

Idempotent: each demo order is found by its payment's idempotency key and skipped when it
exists; an order whose shopper has other things in the cart is skipped too, rather than
checking out what someone put there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.demo.payments import DemoPayments
from app.extensions import db
from app.models import Order, OrderEvent, Payment, Shipment, Store, User, Warehouse, utcnow
from app.services.catalog import products as catalog
from app.services.checkout import cart, quotes
from app.services.logistics import add_shipment_leg, create_shipment
from app.services.logistics import check_digits as cd
from app.services.logistics.tracking import ingest_tracking_events
from app.web.links import site_links

SHANGHAI = ZoneInfo("Asia/Shanghai")
HONG_KONG = ZoneInfo("Asia/Hong_Kong")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")

JAPAN_SHOPPER = "shopper.jp@example.com"
US_ADDRESS = {"name": "Mia Shopper", "line1": "350 Fifth Avenue", "city": "New York",
              "region": "NY", "postal_code": "10118", "country": "US"}
JP_ADDRESS = {"name": "Sato Haruka", "line1": "2-24-12 Shibuya", "city": "Shibuya-ku",
              "region": "Tokyo", "postal_code": "150-0002", "country": "JP"}


def s10(service: str, serial: str, country: str) -> str:
    """A UPU S10 number (China Post, EMS, Japan Post, USPS international): mod 11."""
    return f"{service}{serial}{cd.s10_check_digit(serial)}{country}"


def usps_impb(body: str) -> str:
    """A 22-digit USPS Intelligent Mail package barcode: mod 10 with weights 3, 1."""
    return f"{body}{cd.mod10_3_1_check_digit(body)}"


def ups_1z(body: str) -> str:
    """A UPS 1Z number: shipper account, service and package, then the check digit."""
    return f"1Z{body}{cd.ups_check_digit(body)}"


def dhl_waybill(body: str) -> str:
    """A 10-digit DHL Express waybill: mod 7."""
    return f"{body}{cd.dhl_mod7_check_digit(body)}"


@dataclass(frozen=True)
class Scan:
    """One carrier scan: which number reported it, how long ago, where and what."""

    leg: int | None  # None: the shipment's own number, else the leg's index
    hours_ago: float
    zone: ZoneInfo
    status: str
    sub_status: str
    location: str
    carrier_code: str
    description: str


@dataclass(frozen=True)
class DemoOrder:
    """A shopper's order from one store and what happened to its parcel."""

    key: str
    store_slug: str
    shopper: str
    currency: str
    address: dict
    lines: list[tuple[str, int]]  # SKU, quantity
    warehouse: str
    carrier: str
    number: str
    shipped_hours_ago: float
    ship_lines: list[str] | None = None  # the SKUs in the parcel (None: every line)
    legs: list[tuple[str, str, str]] = field(default_factory=list)  # kind, carrier, number
    scans: list[Scan] = field(default_factory=list)


DAY = 24.0

ORDERS = [
    # (a) Hangzhou -> China Post S10 -> PVG line haul -> LAX customs -> USPS, delivered.
    DemoOrder(
        key="hangzhou-to-new-york", store_slug="hangzhou-tea-house",
        shopper="shopper@example.com", currency="USD", address=US_ADDRESS,
        lines=[("LJ-MQ-50", 2)], warehouse="Hangzhou West Lake", carrier="china_post",
        number=s10("LX", "20481735", "CN"), shipped_hours_ago=13 * DAY,
        legs=[("line_haul", "cainiao", "LP00418260735021"),
              ("last_mile", "usps", usps_impb("940011189922385417016"))],
        scans=[
            Scan(None, 13 * DAY - 2, SHANGHAI, "info_received", "", "Hangzhou, Zhejiang, CN",
                 "EMA", "Posting/collection: item accepted at Hangzhou West Lake branch"),
            Scan(None, 12 * DAY, SHANGHAI, "in_transit", "", "Hangzhou Mail Processing Center, CN",
                 "EDD", "Item into sorting centre"),
            Scan(None, 11 * DAY + 6, SHANGHAI, "in_transit", "",
                 "Shanghai International Mail Processing Center, CN", "EMB",
                 "Arrival at outward office of exchange"),
            Scan(0, 10 * DAY + 20, SHANGHAI, "in_transit", "",
                 "Shanghai Pudong International Airport (PVG), CN", "DEP",
                 "Departed from origin airport on flight to Los Angeles"),
            Scan(0, 10 * DAY + 4, LOS_ANGELES, "in_transit", "",
                 "Los Angeles International Airport (LAX), CA, US", "ARR",
                 "Arrived at destination airport"),
            Scan(0, 10 * DAY, LOS_ANGELES, "customs", "submitted", "Los Angeles, CA, US",
                 "CC_IM_START", "Import customs clearance started (U.S. CBP entry filed)"),
            Scan(0, 9 * DAY + 2, LOS_ANGELES, "customs", "held", "Los Angeles, CA, US",
                 "CC_HO", "Held by U.S. Customs and Border Protection for inspection"),
            Scan(0, 7 * DAY + 19, LOS_ANGELES, "customs", "released", "Los Angeles, CA, US",
                 "CC_IM_SUCCESS", "Import customs clearance completed, released by CBP"),
            Scan(1, 7 * DAY + 10, LOS_ANGELES, "in_transit", "",
                 "LOS ANGELES CA INTERNATIONAL DISTRIBUTION CENTER", "03",
                 "Accepted at USPS Origin Facility"),
            Scan(1, 5 * DAY + 7, NEW_YORK, "in_transit", "",
                 "JERSEY CITY NJ NETWORK DISTRIBUTION CENTER", "10",
                 "Processed through USPS Facility"),
            Scan(1, 2 * DAY + 9, NEW_YORK, "out_for_delivery", "", "NEW YORK, NY 10118",
                 "OF", "Out for Delivery"),
            Scan(1, 2 * DAY + 4, NEW_YORK, "delivered", "", "NEW YORK, NY 10118", "01",
                 "Delivered, Front Desk/Reception/Mail Room"),
        ]),
    # (b) Brooklyn -> JFK -> Narita customs -> Japan Post, delivered to the Japan shopper.
    DemoOrder(
        key="brooklyn-to-tokyo", store_slug="brooklyn-goods", shopper=JAPAN_SHOPPER,
        currency="JPY", address=JP_ADDRESS, lines=[("MUG-BLACK", 1)],
        warehouse="Brooklyn Navy Yard", carrier="usps", number=s10("CP", "71530924", "US"),
        shipped_hours_ago=10 * DAY,
        legs=[("last_mile", "japan_post", s10("EJ", "30517286", "JP"))],
        scans=[
            Scan(None, 10 * DAY - 3, NEW_YORK, "info_received", "", "BROOKLYN, NY 11205",
                 "GX", "Shipping Label Created, USPS Awaiting Item"),
            Scan(None, 9 * DAY + 18, NEW_YORK, "in_transit", "", "BROOKLYN, NY 11205", "03",
                 "USPS in possession of item"),
            Scan(None, 9 * DAY + 2, NEW_YORK, "in_transit", "",
                 "JAMAICA NY INTERNATIONAL DISTRIBUTION CENTER", "EMC",
                 "Departed from outward office of exchange (JFK)"),
            Scan(None, 7 * DAY + 20, TOKYO, "in_transit", "", "NARITA AIRPORT, JAPAN", "EMD",
                 "Arrival at inward office of exchange"),
            Scan(None, 7 * DAY + 17, TOKYO, "customs", "submitted", "TOKYO CUSTOMS, NARITA",
                 "EDB", "Item presented to import customs"),
            Scan(None, 7 * DAY + 5, TOKYO, "customs", "released", "TOKYO CUSTOMS, NARITA",
                 "EDC", "Item returned from customs: cleared, no duty (under ¥10,000)"),
            Scan(0, 6 * DAY + 22, TOKYO, "in_transit", "", "Kawasaki-Higashi post office",
                 "EMF", "Departure from inward office of exchange"),
            Scan(0, 5 * DAY + 15, TOKYO, "in_transit", "", "Shibuya post office", "EMG",
                 "Arrival at delivery office"),
            Scan(0, 5 * DAY + 3, TOKYO, "out_for_delivery", "", "Shibuya post office",
                 "EDG", "Item out for delivery"),
            Scan(0, 4 * DAY + 23, TOKYO, "delivered", "", "Shibuya-ku, Tokyo 150-0002",
                 "EMI", "Final delivery: delivered to the addressee's mailbox"),
        ]),
    # (c) Held at Narita customs: the order was DDU, so import duties are now due.
    DemoOrder(
        key="hangzhou-to-tokyo-customs", store_slug="hangzhou-tea-house",
        shopper=JAPAN_SHOPPER, currency="JPY", address=JP_ADDRESS,
        lines=[("LJ-MQ-100", 2), ("POT-ZISHA-150", 1)], warehouse="Hangzhou West Lake",
        carrier="ems", number=s10("EA", "58203617", "CN"), shipped_hours_ago=4 * DAY,
        scans=[
            Scan(None, 4 * DAY - 1, SHANGHAI, "info_received", "", "Hangzhou, Zhejiang, CN",
                 "EMA", "Posting/collection"),
            Scan(None, 3 * DAY + 12, SHANGHAI, "in_transit", "",
                 "Shanghai International Mail Processing Center, CN", "EMC",
                 "Departure from outward office of exchange (PVG)"),
            Scan(None, 2 * DAY + 20, TOKYO, "in_transit", "", "NARITA AIRPORT, JAPAN", "EMD",
                 "Arrival at inward office of exchange"),
            Scan(None, 2 * DAY + 16, TOKYO, "customs", "submitted", "TOKYO CUSTOMS, NARITA",
                 "EDB", "Item presented to import customs"),
            Scan(None, 2 * DAY + 1, TOKYO, "customs", "held", "TOKYO CUSTOMS, NARITA",
                 "EME", "Held at customs: declared value above the ¥10,000 exemption"),
            Scan(None, 1 * DAY + 20, TOKYO, "customs", "duties_due", "TOKYO CUSTOMS, NARITA",
                 "EDA", "Import duty and consumption tax to be paid by the addressee"),
        ]),
    # (d) On the way: in transit, out for delivery, a failed attempt, a stale exception and
    # one that has only just been handed over.
    DemoOrder(
        key="hangzhou-to-new-york-in-transit", store_slug="hangzhou-tea-house",
        shopper="shopper@example.com", currency="USD", address=US_ADDRESS,
        lines=[("OOLONG-OSM-75", 2)], warehouse="Hangzhou West Lake", carrier="yunexpress",
        number="YT2611300458213097", shipped_hours_ago=3 * DAY,
        scans=[
            Scan(None, 3 * DAY - 2, SHANGHAI, "info_received", "", "Hangzhou, Zhejiang, CN",
                 "PU", "Shipment information received"),
            Scan(None, 2 * DAY + 10, SHANGHAI, "in_transit", "", "Shenzhen sorting hub, CN",
                 "SC", "Arrived at sorting center"),
            Scan(None, 1 * DAY + 7, HONG_KONG, "in_transit", "",
                 "Hong Kong International Airport (HKG)", "DEP",
                 "Departed from airport of origin, flight CX880 to Los Angeles"),
        ]),
    DemoOrder(
        key="brooklyn-out-for-delivery", store_slug="brooklyn-goods",
        shopper="shopper@example.com", currency="USD", address=US_ADDRESS,
        lines=[("CANDLE-CEDAR", 1)], warehouse="Brooklyn Navy Yard", carrier="usps",
        number=usps_impb("940011189922385417022"), shipped_hours_ago=2 * DAY,
        scans=[
            Scan(None, 2 * DAY - 1, NEW_YORK, "in_transit", "", "BROOKLYN, NY 11205", "03",
                 "USPS in possession of item"),
            Scan(None, 1 * DAY, NEW_YORK, "in_transit", "",
                 "NEW YORK NY DISTRIBUTION CENTER", "10", "Processed through USPS Facility"),
            Scan(None, 3, NEW_YORK, "out_for_delivery", "", "NEW YORK, NY 10118", "OF",
                 "Out for Delivery"),
        ]),
    DemoOrder(
        key="hong-kong-to-tokyo-attempt", store_slug="hangzhou-tea-house",
        shopper=JAPAN_SHOPPER, currency="JPY", address=JP_ADDRESS,
        lines=[("LJ-YQ-50", 1)], warehouse="Hong Kong Kwai Chung", carrier="dhl_express",
        number=dhl_waybill("418305726"), shipped_hours_ago=3 * DAY,
        scans=[
            Scan(None, 3 * DAY - 2, HONG_KONG, "in_transit", "", "HONG KONG - HONG KONG",
                 "PU", "Shipment picked up"),
            Scan(None, 2 * DAY + 14, HONG_KONG, "in_transit", "", "HONG KONG - HONG KONG",
                 "DF", "Departed Facility in HONG KONG - HONG KONG"),
            Scan(None, 2 * DAY + 6, TOKYO, "in_transit", "", "TOKYO - JAPAN", "AF",
                 "Arrived at Sort Facility TOKYO - JAPAN"),
            Scan(None, 2 * DAY + 2, TOKYO, "customs", "released", "TOKYO - JAPAN", "CR",
                 "Clearance processing complete at TOKYO - JAPAN"),
            Scan(None, 1 * DAY + 8, TOKYO, "out_for_delivery", "", "SHIBUYA-KU - JAPAN", "WC",
                 "With delivery courier"),
            Scan(None, 1 * DAY + 2, TOKYO, "attempt_failed", "", "SHIBUYA-KU - JAPAN", "NH",
                 "Delivery attempted; recipient not home. A notice card was left"),
        ]),
    DemoOrder(
        key="hangzhou-stuck-exception", store_slug="hangzhou-tea-house",
        shopper="shopper@example.com", currency="USD", address=US_ADDRESS,
        lines=[("CUP-CELADON-4", 1)], warehouse="Hangzhou West Lake", carrier="china_post",
        number=s10("RR", "47302915", "CN"), shipped_hours_ago=19 * DAY,
        scans=[
            Scan(None, 19 * DAY - 2, SHANGHAI, "info_received", "", "Hangzhou, Zhejiang, CN",
                 "EMA", "Posting/collection"),
            Scan(None, 17 * DAY + 5, SHANGHAI, "in_transit", "",
                 "Shanghai International Mail Processing Center, CN", "EMC",
                 "Departure from outward office of exchange"),
            Scan(None, 15 * DAY + 9, LOS_ANGELES, "exception", "",
                 "LOS ANGELES CA INTERNATIONAL DISTRIBUTION CENTER", "EMH",
                 "Delivery delayed: address label damaged, item set aside for inquiry"),
        ]),
    DemoOrder(
        key="brooklyn-just-shipped", store_slug="brooklyn-goods", shopper=JAPAN_SHOPPER,
        currency="JPY", address=JP_ADDRESS, lines=[("MUG-CREAM", 2)],
        warehouse="Brooklyn Navy Yard", carrier="ups", number=ups_1z("8V7W34196716350"),
        shipped_hours_ago=1),
    # (e) Partly shipped: the tea left, the teapot is still to come.
    DemoOrder(
        key="hangzhou-partly-shipped", store_slug="hangzhou-tea-house",
        shopper="shopper@example.com", currency="USD", address=US_ADDRESS,
        lines=[("LJ-YQ-100", 1), ("POT-ZISHA-220", 1)], warehouse="Hangzhou West Lake",
        carrier="china_post", number=s10("LX", "20481742", "CN"),
        shipped_hours_ago=2 * DAY, ship_lines=["LJ-YQ-100"],
        scans=[
            Scan(None, 2 * DAY - 1, SHANGHAI, "info_received", "", "Hangzhou, Zhejiang, CN",
                 "EMA", "Posting/collection"),
            Scan(None, 1 * DAY + 4, SHANGHAI, "in_transit", "",
                 "Shanghai International Mail Processing Center, CN", "EMB",
                 "Arrival at outward office of exchange"),
        ]),
]

def _idempotency_key(key: str) -> str:
    return f"demo-logistics-{key}"


def _place(spec: DemoOrder, store: Store, shopper: User, placed_at: datetime,
           payments: DemoPayments) -> Order:
    """Check the shopper's cart out as the web checkout does; the paid order."""
    basket = cart.open_cart(user=shopper)
    for sku, quantity in spec.lines:
        variant = catalog.variant_by_sku(store.id, sku)
        cart.add_item(basket, variant.id, quantity, ship_to=spec.address["country"])
    quote = quotes.create_quote(shopper, spec.currency, spec.address)
    [order] = [o for o in payments.pay(shopper, quote, _idempotency_key(spec.key),
                                       placed_at=placed_at)
               if o.store_id == store.id]
    return order


def _scan_event(spec: DemoOrder, scan: Scan, now: datetime) -> dict:
    carrier, number = ((spec.carrier, spec.number) if scan.leg is None
                       else spec.legs[scan.leg][1:])
    return {"carrier": carrier, "tracking_number": number,
            "occurred_at": (now - timedelta(hours=scan.hours_ago)).astimezone(
                scan.zone).isoformat(timespec="minutes"),
            "status": scan.status, "sub_status": scan.sub_status, "location": scan.location,
            "carrier_code": scan.carrier_code, "description": scan.description}


def _seed_order(spec: DemoOrder, now: datetime, payments: DemoPayments) -> str:
    if db.session.scalar(select(Payment.id).where(
            Payment.idempotency_key == _idempotency_key(spec.key))) is not None:
        return ""
    store = db.session.scalar(select(Store).where(Store.slug == spec.store_slug))
    shopper = db.session.scalar(select(User).where(User.email == spec.shopper))
    basket = cart.find_cart(user=shopper)
    if basket is not None and basket.items:
        return f"skipped {spec.key}: {spec.shopper} has items in the cart"
    merchant = store.organization.memberships[0].user
    shipped_at = now - timedelta(hours=spec.shipped_hours_ago)
    placed_at = shipped_at - timedelta(hours=20)
    order = _place(spec, store, shopper, placed_at=placed_at, payments=payments)
    warehouse_id = db.session.scalar(select(Warehouse.id).where(
        Warehouse.store_id == store.id, Warehouse.name == spec.warehouse))
    parcel = spec.ship_lines or [sku for sku, _quantity in spec.lines]
    shipment = create_shipment(
        merchant, store.id, order.id, warehouse_id=warehouse_id, carrier=spec.carrier,
        tracking_number=spec.number,
        lines=[{"order_line_id": line.id, "quantity": line.quantity}
               for line in order.lines if line.sku in parcel], links=site_links)
    # The parcel left when the story says, not when the seed ran (the service stamps now).
    shipment.shipped_at = shipped_at
    for kind, carrier, number in spec.legs:
        add_shipment_leg(merchant, shipment.id, kind=kind, carrier=carrier,
                         tracking_number=number)
    # The carriers push each scan as it happens (so each notice goes out in turn); then one
    # resends its whole feed newest first, which must change nothing.
    events = [_scan_event(spec, scan, now) for scan in spec.scans]
    for event in events:
        ingest_tracking_events([event], source="webhook", links=site_links, now=now)
    if events:
        resent = ingest_tracking_events(events[::-1], source="webhook", links=site_links,
                                        now=now)
        if resent.count("duplicate") != len(events):
            raise RuntimeError(f"demo order {spec.key}: the resent feed was not all "
                               f"duplicates: {resent.counts()}")
    _date_the_story(order, placed_at, shipment)
    db.session.refresh(order)
    return f"{spec.key}: order {order.id} {order.status}, shipment {shipment.status}"


def _date_the_story(order: Order, placed_at: datetime, shipment: Shipment) -> None:
    """The order and its log carry the story's dates, not the moment the seed ran."""
    order.created_at = placed_at
    db.session.flush()
    for logged in db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)):
        if logged.to_status in ("shipped", "partially_shipped"):
            logged.created_at = shipment.shipped_at
        elif logged.to_status == "delivered" and shipment.delivered_at:
            logged.created_at = shipment.delivered_at


def seed_logistics() -> list[str]:
    """The demo orders with their parcels and tracking, then the returns; each made once."""
    from app.demo.returns import seed_returns

    now = utcnow()
    payments = DemoPayments()
    done = [line for spec in ORDERS if (line := _seed_order(spec, now, payments))]
    db.session.flush()
    lines = [f"Demo orders and shipments: {'; '.join(done)}"] if done else []
    lines += seed_returns(payments, now)
    if note := payments.note():
        lines.append(note)
    return lines
