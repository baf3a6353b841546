"""Carts: a signed-in shopper's, or a guest's keyed by a random key kept in their session.

A cart holds variants from any number of stores. Lines are checked when added and
whenever the cart is shown: available units (every active warehouse of the store),
and whether the product may go to the ship-to country (product restrictions, the
store's destinations and its shipping zones); a line that cannot is flagged, not
dropped, so the shopper sees why. Prices shown here are indicative: the quote
(app.services.checkout.quotes) locks them, and changing the cart cancels the shopper's open
quote (it no longer matches the cart, and its stock hold would count against them).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Cart, CartItem, Note, Product, ProductVariant, User
from app.money import Money
from app.services.catalog import ProductOffer, VariantOffer, product_offers
from app.services.checkout import shipping_rates as shipping
from app.services.checkout.open_quotes import cancel_open_quotes
from app.services.errors import NotFound, ValidationFailed
from app.services.inventory import InsufficientStock, availability

MAX_QUANTITY = 99  # per line
MAX_LINES = 50
# The Flask session entry holding a guest's cart key (read by the cart pages and log-in).
GUEST_CART_SESSION_KEY = "cart_key"


@dataclass(frozen=True)
class CartLine:
    """One cart item as the shopper sees it for their currency and ship-to country."""

    item: CartItem
    offer: VariantOffer
    product: Product
    available_quantity: int
    restricted: bool

    @property
    def line_total(self) -> Money:
        """Indicative price times quantity."""
        return self.offer.price.times(self.item.quantity)

    @property
    def quantity_ok(self) -> bool:
        """Whether the wanted quantity is on hand (and the item may ship there)."""
        return not self.restricted and self.item.quantity <= self.available_quantity


@dataclass(frozen=True)
class CartStoreGroup:
    """The lines of one store."""

    store_id: int
    store_name: str
    lines: list[CartLine]


@dataclass(frozen=True)
class CartView:
    """A whole cart priced for a viewer, grouped per store (in the order items were added)."""

    cart: Cart | None
    currency: str | None
    country: str | None
    groups: list[CartStoreGroup]

    @property
    def lines(self) -> list[CartLine]:
        """Every line, store by store."""
        return [line for group in self.groups for line in group.lines]

    @property
    def count(self) -> int:
        """Units in the cart."""
        return sum(line.item.quantity for line in self.lines)

    @property
    def subtotals(self) -> list[Money]:
        """The indicative subtotal per currency (one unless a rate is unavailable)."""
        totals: dict[str, Money] = {}
        for line in self.lines:
            total = line.line_total
            totals[total.currency] = totals.get(total.currency, Money.zero(total.currency)) \
                + total
        return list(totals.values())

    @property
    def can_check_out(self) -> bool:
        """Every line can be bought as it is."""
        return bool(self.lines) and all(line.quantity_ok for line in self.lines)


# Finding and opening carts ----------------------------------------------------------------
def new_session_key() -> str:
    """A random key naming a guest's cart (kept in their signed session cookie)."""
    return secrets.token_urlsafe(24)


def find_cart(*, user: User | None = None, session_key: str | None = None) -> Cart | None:
    """The user's cart, else the guest cart of `session_key`, if it exists."""
    if user is not None:
        return db.session.scalar(select(Cart).where(Cart.user_id == user.id))
    if session_key:
        return db.session.scalar(select(Cart).where(Cart.session_key == session_key,
                                                    Cart.user_id.is_(None)))
    return None


def open_cart(*, user: User | None = None, session_key: str | None = None) -> Cart:
    """The cart to add to, created when missing (a user's, else the guest's)."""
    cart = find_cart(user=user, session_key=session_key)
    if cart is not None:
        return cart
    if user is None and not session_key:
        raise ValueError("a cart belongs to a user or a guest session key")
    cart = Cart(user_id=user.id) if user is not None else Cart(session_key=session_key)
    db.session.add(cart)
    db.session.flush()
    return cart


def _item(cart: Cart | None, item_id: int) -> CartItem:
    """An item of this cart; anyone else's item is reported as missing."""
    item = db.session.get(CartItem, item_id)
    if item is None or cart is None or item.cart_id != cart.id:
        raise NotFound(_("No such item in your cart."))
    return item


def _check_quantity(quantity: object) -> int:
    if isinstance(quantity, str) and quantity.strip().isdigit():
        quantity = int(quantity.strip())
    if not isinstance(quantity, int) or isinstance(quantity, bool) \
            or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(_("The quantity must be a whole number from 1 to %(max)d.",
                                 max=MAX_QUANTITY), code="invalid_quantity",
                               fields={"quantity": [_("Use a whole number from 1 to %(max)d.",
                                                      max=MAX_QUANTITY)]})
    return quantity


def _sellable(variant_id: object) -> ProductVariant:
    if not isinstance(variant_id, int) or isinstance(variant_id, bool):
        raise ValidationFailed(_("Choose a product variant."),
                               fields={"variant_id": [_("Give the variant's id.")]})
    variant = db.session.get(ProductVariant, variant_id,
                             options=[joinedload(ProductVariant.product)])
    if variant is None or not variant.is_active or not variant.product.is_for_sale:
        raise NotFound(_("This product is not for sale."))
    return variant


def _check_available(variant: ProductVariant, wanted: int) -> None:
    left = availability([variant.id])[variant.id]
    if wanted > left:
        raise InsufficientStock(
            _("Only %(left)d of %(title)s (%(sku)s) available.", left=max(left, 0),
              title=variant.product.title, sku=variant.sku),
            fields={"quantity": [_("Only %(left)d available.", left=max(left, 0))]})


# Changing a cart ----------------------------------------------------------------------------
def add_item(cart: Cart, variant_id: object, quantity: object = 1, *,
             note_id: object = None, ship_to: str | None = None) -> CartItem:
    """Add units of a variant (added to the line already there); 409 beyond the stock.

    `note_id` records the note the shopper found the product through (a missing or
    unpublished note is ignored: attribution must not block a purchase). An item
    that cannot ship to `ship_to` is still added and flagged in the cart.
    """
    quantity = _check_quantity(quantity)
    variant = _sellable(variant_id)
    item = next((i for i in cart.items if i.variant_id == variant.id), None)
    if item is None and len(cart.items) >= MAX_LINES:
        raise ValidationFailed(_("A cart holds at most %(n)d different items.", n=MAX_LINES),
                               code="cart_full", fields={"variant_id": [_("The cart is full.")]})
    wanted = quantity + (item.quantity if item else 0)
    if wanted > MAX_QUANTITY:
        raise ValidationFailed(_("At most %(n)d of one item per order.", n=MAX_QUANTITY),
                               code="invalid_quantity",
                               fields={"quantity": [_("At most %(n)d in total.",
                                                      n=MAX_QUANTITY)]})
    _cart_changed(cart)  # first: the open quote's hold must not count against this shopper
    _check_available(variant, wanted)
    note = _attributable_note(note_id)
    if item is None:
        item = CartItem(variant_id=variant.id, quantity=wanted, note_id=note)
        cart.items.append(item)
    else:
        item.quantity = wanted
        item.note_id = note or item.note_id
    db.session.flush()
    return item


def _cart_changed(cart: Cart) -> None:
    """The owner's open quote no longer matches the cart: cancel it, releasing its stock."""
    if cart.user_id is not None:
        cancel_open_quotes(cart.user_id)


def _attributable_note(note_id: object) -> int | None:
    if isinstance(note_id, str) and note_id.strip().isdigit():
        note_id = int(note_id.strip())
    if not isinstance(note_id, int) or isinstance(note_id, bool):
        return None
    note = db.session.get(Note, note_id)
    return note.id if note is not None and note.status == "published" else None


def update_item(cart: Cart | None, item_id: int, quantity: object) -> CartItem:
    """Set a line's quantity (1 to 99, within the stock); another cart's item is 404."""
    item = _item(cart, item_id)
    quantity = _check_quantity(quantity)
    _cart_changed(cart)
    if quantity > item.quantity:
        _check_available(item.variant, quantity)
    item.quantity = quantity
    db.session.flush()
    return item


def remove_item(cart: Cart | None, item_id: int) -> None:
    """Take a line out of the cart; another cart's item is 404."""
    item = _item(cart, item_id)
    _cart_changed(cart)
    cart.items.remove(item)
    db.session.flush()


def clear_cart(user: User) -> None:
    """Empty the user's cart (e.g. once its quote is paid)."""
    cart = find_cart(user=user)
    if cart is not None:
        db.session.execute(delete(CartItem).where(CartItem.cart_id == cart.id))
        db.session.expire(cart, ["items"])


def merge_guest_cart(user: User, session_key: str | None) -> int:
    """Move a guest cart into the user's on log-in; quantities add up, capped by stock.

    Returns how many lines changed. The guest cart is deleted.
    """
    guest = find_cart(session_key=session_key) if session_key else None
    if guest is None:
        return 0
    if not guest.items:
        db.session.delete(guest)
        db.session.flush()
        return 0
    cart = open_cart(user=user)
    stock = availability([i.variant_id for i in guest.items])
    mine = {i.variant_id: i for i in cart.items}
    changed = 0
    for guest_item in guest.items:
        item = mine.get(guest_item.variant_id)
        held = item.quantity if item else 0
        quantity = min(held + guest_item.quantity, stock.get(guest_item.variant_id, 0),
                       MAX_QUANTITY)
        if quantity <= held:
            continue
        if item is None:
            if len(cart.items) >= MAX_LINES or quantity <= 0:
                continue
            cart.items.append(CartItem(variant_id=guest_item.variant_id, quantity=quantity,
                                       note_id=guest_item.note_id))
        else:
            item.quantity = quantity
            item.note_id = item.note_id or guest_item.note_id
        changed += 1
    if changed:
        _cart_changed(cart)
    db.session.delete(guest)
    db.session.flush()
    return changed


# Reading a cart -----------------------------------------------------------------------------
def units_in_user_cart(user_id: ColumnElement[int]) -> ColumnElement[int]:
    """Units in the cart of the user `user_id` names, as a scalar subquery.

    The header's cart badge: the web edge selects it beside the signed-in user, so the
    count costs no statement of its own on every page.
    """
    return (select(func.coalesce(func.sum(CartItem.quantity), 0))
            .join(Cart, Cart.id == CartItem.cart_id)
            .where(Cart.user_id == user_id)
            .scalar_subquery())


def units_in_guest_cart(session_key: str) -> int:
    """Units in the guest cart of `session_key` (0 when it has none)."""
    return db.session.scalar(
        select(func.coalesce(func.sum(CartItem.quantity), 0))
        .join(Cart, Cart.id == CartItem.cart_id)
        .where(Cart.session_key == session_key, Cart.user_id.is_(None))) or 0


def load_items(cart: Cart) -> list[CartItem]:
    """The cart's items with variant, product, store and fixed prices, in fixed queries."""
    product = joinedload(CartItem.variant).joinedload(ProductVariant.product)
    return list(db.session.scalars(
        select(CartItem).where(CartItem.cart_id == cart.id)
        .options(product.joinedload(Product.store),
                 # Every variant of the product, with its fixed prices: pricing reads them.
                 product.selectinload(Product.variants)
                 .selectinload(ProductVariant.fixed_prices))
        .order_by(CartItem.id)))


def view_cart(cart: Cart | None, *, currency: str | None, country: str | None,
              now: datetime | None = None) -> CartView:
    """The cart priced in `currency`, each line checked for stock and the ship-to country.

    A fixed number of queries however many lines: items, stock, shipping zones, and one
    rate lookup per store currency.
    """
    items = load_items(cart) if cart is not None else []
    products = list({i.variant.product_id: i.variant.product for i in items}.values())
    offers: dict[int, ProductOffer] = {
        o.product.id: o for o in product_offers(products, currency=currency,
                                                country=country, now=now)}
    profiles = shipping.profiles_for([p.store_id for p in products]) if country else {}
    groups: dict[int, list[CartLine]] = {}
    for item in items:
        product = item.variant.product
        offer = offers[product.id]
        variant_offer = next((v for v in offer.variants if v.variant.id == item.variant_id),
                             None)
        if variant_offer is None:  # deactivated since it was added: price it as it was
            variant_offer = VariantOffer(
                variant=item.variant, price=Money(item.variant.price_minor,
                                                  item.variant.currency),
                compare_at=None, price_is_fixed=False, available=False,
                available_quantity=0)
        restricted = bool(country) and (
            not offer.ships_to_country
            or shipping.zone_for(profiles.get(product.store_id), country) is None)
        sellable = item.variant.is_active and product.status == "active"
        groups.setdefault(product.store_id, []).append(CartLine(
            item=item, offer=variant_offer, product=product,
            available_quantity=0 if restricted or not sellable
            else variant_offer.available_quantity,
            restricted=restricted))
    return CartView(cart=cart, currency=currency, country=country, groups=[
        CartStoreGroup(store_id=store_id, store_name=lines[0].product.store.name, lines=lines)
        for store_id, lines in groups.items()])
