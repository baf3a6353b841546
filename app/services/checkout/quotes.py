"""Checkout quotes: the cart priced, shipped, taxed and reserved for one address and currency.

A quote splits the cart per store. Each line's unit price is the catalog's fixed
price in the presentment currency when the merchant set one (it always wins), else
the variant's base price converted at the store currency's locked rate (fee included,
rounded once per unit by the house rule); a line total is unit price times quantity.
Shipping comes from the store's profile (app.services.checkout.shipping_rates) in the store's
currency and is converted at the same rate. Duties and taxes come from the
destination's market rule (app.services.markets.landed_cost.assess) per store parcel and are
allocated to lines by value with the largest-remainder split, so lines, groups and
the quote always add up exactly.

Delivered duty paid (DDP) groups charge duties and taxes now; otherwise they are an
estimate due on delivery and stay out of the total. A quote holds its prices, rates
and reserved stock for QUOTE_TTL_MINUTES; after that it is refused and its stock
released. Creating a quote cancels the shopper's other open quotes, so re-quoting
(say, after fixing the address) never competes with one's own reservations.

Every line's stock is held in one go (app.services.inventory.reserve_lines_at_once: one
guarded UPDATE and bulk INSERTs, the per-line path when that cannot work), so the
number of queries stays the same however many items the cart holds.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import (
    Cart,
    CartItem,
    Product,
    ProductVariant,
    Quote,
    QuoteGroup,
    QuoteLine,
    Store,
    User,
    utcnow,
)
from app.money import Money
from app.services import fx
from app.services.catalog import ensure_ships_to
from app.services.checkout import cart as carts
from app.services.checkout import shipping_rates as shipping
from app.services.checkout.open_quotes import OWNER_TYPE, cancel_open_quotes, close_quote
from app.services.checkout.shipping_rates import ProfileTerms
from app.services.checkout.shipping_terms import shipping_terms_for
from app.services.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.services.inventory import InsufficientStock, availability, reserve_lines_at_once
from app.services.markets import DutiableLine, RuleBook, assess
from app.services.regions import SUPPORTED_CURRENCIES

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U
# Amounts a client might send to set its own price; the server prices everything itself.
CLIENT_AMOUNT_FIELDS = ("price", "unit_price", "amount", "subtotal", "total", "shipping",
                        "duties", "taxes", "fx_rate", "rate")


class QuoteExpired(Conflict):
    """The quote's time ran out (or it was cancelled); ask for a new one."""

    code = "quote_expired"
    status = 409


class EmptyCart(ValidationFailed):
    """There is nothing in the cart to quote."""

    code = "empty_cart"
    status = 422


class ItemUnavailable(Conflict):
    """A cart item is no longer for sale."""

    code = "variant_unavailable"
    status = 409


@dataclass(frozen=True)
class _PricedLine:
    item: CartItem
    unit: Money
    is_fixed: bool


def quote_ttl() -> timedelta:
    """How long a quote holds (QUOTE_TTL_MINUTES)."""
    return timedelta(minutes=current_app.config["QUOTE_TTL_MINUTES"])


def refuse_client_amounts(body: dict[str, Any]) -> None:
    """422 naming any price or total a client sent: prices come only from the catalog."""
    sent = [name for name in CLIENT_AMOUNT_FIELDS if name in body]
    if sent:
        raise ValidationFailed(
            _("Prices, totals and rates are set by the server; leave them out."),
            code="client_amount_refused",
            fields={name: [_("Not accepted: the server prices every order.")] for name in sent})


def check_currency(currency: Any) -> str:
    """A presentment currency Qiao offers, upper-cased; else 422 unsupported_currency."""
    code = currency.strip().upper() if isinstance(currency, str) else ""
    if code not in SUPPORTED_CURRENCIES:
        raise ValidationFailed(
            _("Checkout is available in %(currencies)s.",
              currencies=", ".join(SUPPORTED_CURRENCIES)),
            code="unsupported_currency",
            fields={"currency": [_("Choose one of %(v)s.", v=", ".join(SUPPORTED_CURRENCIES))]})
    return code


def _terms(currency: Any, shipping_address: Any) -> tuple[str, dict[str, str]]:
    """Currency and address checked together, so one answer names every bad field."""
    errors: dict[str, list[str]] = {}
    code = ""
    address: dict[str, str] = {}
    failures: list[DomainError] = []
    try:
        code = check_currency(currency)
    except ValidationFailed as exc:
        failures.append(exc)
    try:
        address = shipping.validate_address(shipping_address)
    except ValidationFailed as exc:
        failures.append(exc)
    if len(failures) == 1:
        raise failures[0]
    if failures:
        for failure in failures:
            errors.update(failure.fields)
        raise ValidationFailed("Check the currency and the shipping address.", fields=errors)
    return code, address


def _lock(store_currency: str, currency: str, now: datetime) -> fx.LockedRate:
    """The rate for one store currency, with the error pointing at the currency field."""
    try:
        return fx.lock_rate(store_currency, currency, now=now)
    except (fx.StaleRate, fx.RateUnavailable) as exc:
        raise type(exc)(exc.message, fields={"currency": [
            _("%(currency)s is unavailable right now; choose another currency.",
              currency=currency)]}) from None


def _quote_items(cart: Cart) -> list[CartItem]:
    """The cart's items with what pricing reads: variant, fixed prices, product, store."""
    variant = joinedload(CartItem.variant)
    return list(db.session.scalars(
        select(CartItem).where(CartItem.cart_id == cart.id)
        .options(variant.joinedload(ProductVariant.product).joinedload(Product.store),
                 variant.joinedload(ProductVariant.fixed_prices))
        .order_by(CartItem.id)).unique())


def _check_items(items: list[CartItem], country: str, now: datetime) -> None:
    """Every line for sale, allowed to the destination, and in stock."""
    for item in items:
        product = item.variant.product
        if not item.variant.is_active or not product.is_for_sale:
            raise ItemUnavailable(_("%(title)s (%(sku)s) is no longer for sale; remove it "
                                    "from your cart.", title=product.title, sku=item.variant.sku),
                                  fields={f"items.{item.id}": [_("No longer for sale.")]})
        ensure_ships_to(product, country)
    stock = availability([i.variant_id for i in items], now=now)
    short = {f"items.{i.id}.quantity": [_("Only %(left)d of %(sku)s available.",
                                          left=max(stock[i.variant_id], 0), sku=i.variant.sku)]
             for i in items if i.quantity > stock[i.variant_id]}
    if short:
        raise InsufficientStock(_("Some items are no longer available in the quantity you "
                                  "want; lower the quantity and try again."), fields=short)


def _unit_price(item: CartItem, currency: str, rate: fx.LockedRate) -> _PricedLine:
    """The fixed price in `currency` when the catalog has one, else the converted price."""
    variant = item.variant
    if currency != variant.currency:
        fixed = next((p for p in variant.fixed_prices if p.currency == currency), None)
        if fixed is not None:
            return _PricedLine(item, Money(fixed.price_minor, currency), True)
    return _PricedLine(item, fx.convert(Money(variant.price_minor, variant.currency), rate),
                       False)


def _allocate(total: Money, weights: list[int]) -> list[int]:
    """`total` spread over lines by value, summing exactly (evenly if every line is free)."""
    if total.minor == 0:
        return [0] * len(weights)
    return [part.minor for part in total.split(weights if sum(weights) else [1] * len(weights))]


def _price_group(store: Store, profile: ProfileTerms | None, items: list[CartItem],
                 currency: str, country: str, rate: fx.LockedRate, now: datetime,
                 book: RuleBook, region: str = "") -> tuple[QuoteGroup, list[dict]]:
    """One store's parcel (shipping, duties, taxes) and its lines' values, in presentment."""
    priced = [_unit_price(item, currency, rate) for item in items]
    store_subtotal = Money(sum(p.item.variant.price_minor * p.item.quantity for p in priced),
                           store.base_currency)
    weight = sum((p.item.variant.effective_weight_grams or 0) * p.item.quantity
                 for p in priced)
    parcel = shipping.price_parcel(store, profile, country, weight, store_subtotal)
    shipping_cost = fx.convert(parcel.price, rate)
    line_values = [p.unit.times(p.item.quantity) for p in priced]
    items_total = sum(line_values, Money.zero(currency))
    assessment = assess(origin_country=store.origin_country, destination_country=country,
                        lines=[DutiableLine(p.item.variant.product.hs_code or "", value,
                                            p.item.variant.product.origin_country or None,
                                            p.item.quantity)
                               for p, value in zip(priced, line_values, strict=True)],
                        shipping=shipping_cost, on=now.date(), book=book, region=region)
    # Lines share the duties and taxes the group records by value; where a per-item limit
    # leaves some lines' tax to the carrier, those lines take none of what is charged now.
    counted = [t.at_checkout == assessment.collected_at_checkout for t in assessment.lines] \
        or [True] * len(line_values)
    weights = [value.minor if own else 0 for value, own in zip(line_values, counted,
                                                               strict=True)]
    duties = _allocate(assessment.duties, weights)
    taxes = _allocate(assessment.goods_taxes, weights)
    charged = items_total + shipping_cost
    if assessment.collected_at_checkout:
        charged += assessment.total
    group = QuoteGroup(
        store_id=store.id, store_currency=store.base_currency, fx_rate=rate.rate,
        items_minor=items_total.minor, shipping_minor=shipping_cost.minor,
        duties_minor=assessment.duties.minor, taxes_minor=assessment.taxes.minor,
        collected_at_checkout=assessment.collected_at_checkout, total_minor=charged.minor,
        delivery_days_min=parcel.delivery_days_min, delivery_days_max=parcel.delivery_days_max,
        assessment={
            "rule_id": assessment.rule_id, "rule_name": assessment.rule_name,
            "shipping_tax_minor": (assessment.taxes - assessment.goods_taxes).minor,
            "source": assessment.source, "source_url": assessment.source_url,
            "charges": [{"kind": c.kind, "label": c.label, "amount_minor": c.amount.minor,
                         "rule": c.rule, "source": c.source, "source_url": c.source_url,
                         "due": "checkout" if c.at_checkout else "delivery"}
                        for c in assessment.charges],
            "due_on_delivery_minor": assessment.due_on_delivery.minor
            if assessment.due_on_delivery else 0,
            # Per line, with when its duty and tax are paid: a customs declaration marks
            # the items whose tax was collected at checkout in a split parcel. A parcel that
            # clears no customs has no lines here.
            "origins": [{"variant_id": p.item.variant_id, "hs_code": t.hs_code,
                         "origin_country": t.origin_country, "treatment": t.treatment,
                         "due": "checkout" if t.at_checkout else "delivery"}
                        for p, t in zip(priced, assessment.lines, strict=False)],
            "relief": {"code": assessment.relief.code,
                       **({"preference": assessment.relief.preference}
                          if assessment.relief.preference else {}),
                       **({"threshold_minor": assessment.relief.threshold.minor,
                           "currency": assessment.relief.threshold.currency}
                          if assessment.relief.threshold else {}),
                       **({"goods_minor": assessment.relief.goods.minor,
                           "goods_currency": assessment.relief.goods.currency}
                          if assessment.relief.goods else {})},
            "shipping_zone": parcel.zone_name,
            "free_shipping": parcel.is_free, "weight_grams": weight,
            "shipping_store_minor": parcel.price.minor,
            "fx": {"mid_rate": str(rate.mid_rate), "rate": str(rate.rate),
                   "source": rate.source, "as_of": rate.as_of.isoformat()},
        })
    lines = [
        {"variant_id": p.item.variant_id, "product_id": p.item.variant.product_id,
         "title": p.item.variant.product.title[:200],
         "title_en": p.item.variant.product.title_en,
         "title_zh": p.item.variant.product.title_zh, "sku": p.item.variant.sku,
         "quantity": p.item.quantity, "unit_price_minor": p.unit.minor,
         "unit_price_store_minor": p.item.variant.price_minor, "duty_minor": duty,
         "tax_minor": tax, "hs_code": p.item.variant.product.hs_code,
         "is_fixed_price": p.is_fixed, "note_id": p.item.note_id}
        for p, duty, tax in zip(priced, duties, taxes, strict=True)]
    return group, lines


def _insert(quote: Quote, priced: list[tuple[QuoteGroup, list[dict]]]) -> None:
    """Write the quote and its groups, then every line in one bulk INSERT."""
    db.session.add(quote)
    db.session.flush()
    lines = db.session.scalars(insert(QuoteLine).returning(QuoteLine), [
        {**row, "group_id": group.id} for group, rows in priced for row in rows]).all()
    for group, _rows in priced:
        set_committed_value(group, "lines", sorted(
            (line for line in lines if line.group_id == group.id), key=lambda x: x.id))


def new_reference() -> str:
    """A short code shown to the shopper and shared by the quote's orders."""
    return "QX-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))


def create_quote(user: User, currency: str, shipping_address: dict, *,
                 now: datetime | None = None) -> Quote:
    """Price, ship, tax and reserve the user's cart for an address and currency.

    Raises (each naming the fields): unsupported_currency, invalid_address, empty_cart,
    variant_unavailable, restricted_destination, no_shipping_rate, insufficient_stock,
    stale_rate / rate_unavailable, consignment_limit_exceeded. Nothing is written then.
    """
    now = now or utcnow()
    currency, address = _terms(currency, shipping_address)
    country = address["country"]
    cart = carts.find_cart(user=user)
    items = _quote_items(cart) if cart is not None else []
    if not items:
        raise EmptyCart(_("Your cart is empty."), fields={"items": [_("Add something first.")]})
    cancel_open_quotes(user.id, now=now)
    _check_items(items, country, now)
    per_store: dict[int, list[CartItem]] = {}
    for item in items:
        per_store.setdefault(item.variant.store_id, []).append(item)
    stores = {i.variant.store_id: i.variant.product.store for i in items}
    profiles = shipping_terms_for(list(per_store))
    rates = {code: _lock(code, currency, now)
             for code in sorted({s.base_currency for s in stores.values()})}
    book = RuleBook()  # every parcel goes to the same country today
    priced = [_price_group(stores[store_id], profiles.get(store_id), store_items, currency,
                           country, rates[stores[store_id].base_currency], now, book,
                           address.get("region", ""))
              for store_id, store_items in per_store.items()]
    groups = [group for group, _lines in priced]
    converted = [r for r in rates.values() if r.source != "identity"]
    oldest = min(converted, key=lambda r: r.as_of) if converted else None
    charged_duties = sum(g.duties_minor for g in groups if g.collected_at_checkout)
    charged_taxes = sum(g.taxes_minor for g in groups if g.collected_at_checkout)
    quote = Quote(
        user_id=user.id, reference=new_reference(), state="open", currency=currency,
        shipping_address=address, destination_country=country,
        fx_source=oldest.source if oldest else "identity",
        fx_as_of=oldest.as_of if oldest else now,
        items_minor=sum(g.items_minor for g in groups),
        shipping_minor=sum(g.shipping_minor for g in groups),
        duties_minor=charged_duties, taxes_minor=charged_taxes,
        total_minor=sum(g.total_minor for g in groups),
        expires_at=now + quote_ttl(), groups=groups)
    # A savepoint keeps the quote out of the database if some line cannot be held.
    with db.session.begin_nested():
        _insert(quote, priced)
        reserve_lines_at_once(user, [(i.variant_id, i.quantity) for i in items],
                              owner_type=OWNER_TYPE, owner_id=str(quote.id), ttl=quote_ttl(),
                              ship_to=country, now=now)
    return quote


def get_quote(user: User, quote_id: int) -> Quote:
    """The user's quote with groups, lines and stores; anyone else's is 404."""
    quote = db.session.scalar(
        select(Quote).where(Quote.id == quote_id, Quote.user_id == user.id)
        .options(selectinload(Quote.groups).selectinload(QuoteGroup.lines),
                 selectinload(Quote.groups).selectinload(QuoteGroup.store)))
    if quote is None:
        raise NotFound(_("No such quote."))
    return quote


def shown_state(quote: Quote, *, now: datetime | None = None) -> str:
    """The state a reader sees, without writing: an open quote past its time is expired."""
    if quote.state == "open" and (now or utcnow()) >= quote.expires_at:
        return "expired"
    return quote.state


def expire_quote_if_due(quote: Quote, *, now: datetime | None = None) -> bool:
    """Mark an open quote past its time expired and release its stock; True if it did."""
    now = now or utcnow()
    if quote.state != "open" or now < quote.expires_at:
        return False
    close_quote(quote, "expired", now, "quote expired")
    return True


def ensure_quote_payable(quote: Quote, *, now: datetime | None = None) -> None:
    """QuoteExpired (409) when the quote ran out or was cancelled; expiring releases stock.

    Quotes in other states (paying, paid, failed) are left to the payment flow.
    """
    if expire_quote_if_due(quote, now=now) or quote.state in ("expired", "cancelled"):
        raise QuoteExpired(
            _("Quote %(reference)s has expired: prices, exchange rates and stock are held "
              "for a limited time. Ask for a new quote.", reference=quote.reference))


def expire_quotes(now: datetime | None = None, *, limit: int = 500) -> int:
    """Periodic: expire open quotes past their time, oldest first; returns how many."""
    now = now or utcnow()
    due = db.session.scalars(select(Quote).where(Quote.state == "open",
                                                 Quote.expires_at <= now)
                             .order_by(Quote.expires_at, Quote.id).limit(limit)).all()
    for quote in due:
        close_quote(quote, "expired", now, "quote expired")
    return len(due)
