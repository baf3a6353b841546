"""Cart and checkout pages.

Guests keep a cart under a random key in their session; on log-in it merges into the
account's cart (app/auth/routes.py).
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_decimal
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from sqlalchemy import select

from app.checkout import bp
from app.checkout.forms import AddToCartForm, CheckoutForm, QuantityForm, RemoveForm
from app.core.transaction import commit, rollback
from app.extensions import db
from app.models import Cart, Quote, User
from app.money import Money
from app.services.checkout import addresses, quotes
from app.services.checkout import cart as carts
from app.services.errors import DomainError
from app.services.regions import SUPPORTED_CURRENCIES, country_names
from app.web.forms import safe_next_url, select_choices, show_errors_on_form
from app.web.viewer import current_preferences


def _user() -> User | None:
    return current_user if current_user.is_authenticated else None


def _locale() -> str:
    return str(get_locale() or "en")


def _current_cart() -> Cart | None:
    return carts.find_cart(user=_user(), session_key=session.get(carts.GUEST_CART_SESSION_KEY))


def _cart_to_fill() -> Cart:
    """The signed-in user's cart, or the guest's (a session key is made on first use)."""
    user = _user()
    if user is None and not session.get(carts.GUEST_CART_SESSION_KEY):
        session[carts.GUEST_CART_SESSION_KEY] = carts.new_session_key()
    return carts.open_cart(user=user, session_key=session.get(carts.GUEST_CART_SESSION_KEY))


def _money(minor: int, currency: str) -> str:
    return Money(minor, currency).format(_locale())


def _rate_text(rate: Decimal) -> str:
    """An exchange rate for people: six decimals at most, in the page's language."""
    return format_decimal(rate, format="#,##0.######", locale=_locale())


@bp.get("/cart")
def cart():
    """The cart, grouped per store, checked for the viewer's currency and ship-to country."""
    prefs = current_preferences()
    cart = carts.view_cart(_current_cart(), currency=prefs.currency,
                           country=prefs.ship_to_country)
    return render_template("checkout/cart.html", cart=cart, quantity_form=QuantityForm(),
                           remove_form=RemoveForm(), ship_to=prefs.ship_to_country,
                           country_names=country_names("zh" if _locale() == "zh" else "en"))


@bp.post("/cart/items")
def add_item():
    """Add to the cart from a product page; "Buy now" continues to checkout."""
    form = AddToCartForm()
    back = safe_next_url(form.next.data or request.referrer, "checkout.cart")
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(back, code=303)
    try:
        carts.add_item(_cart_to_fill(), form.variant_id.data, form.quantity.data,
                       note_id=form.note_id.data,
                       ship_to=current_preferences().ship_to_country)
    except DomainError as exc:
        rollback()
        flash(exc.message, "error")
        return redirect(back, code=303)
    commit()
    if form.buy_now.data:
        return redirect(url_for(".checkout"), code=303)
    flash(_("Added to your cart."), "success")
    return redirect(back, code=303)


@bp.post("/cart/items/<int:item_id>")
def update_item(item_id: int):
    """Change a line's quantity; 0 removes it."""
    form = QuantityForm()
    if not form.validate_on_submit():
        flash(_("Enter a quantity from 0 to %(max)d.", max=carts.MAX_QUANTITY), "error")
        return redirect(url_for(".cart"), code=303)
    cart = _current_cart()
    try:
        if form.quantity.data == 0:
            carts.remove_item(cart, item_id)
        else:
            carts.update_item(cart, item_id, form.quantity.data)
    except DomainError as exc:
        rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for(".cart"), code=303)
    commit()
    flash(_("Your cart is updated."), "success")
    return redirect(url_for(".cart"), code=303)


@bp.post("/cart/items/<int:item_id>/remove")
def remove_item(item_id: int):
    """Take a line out of the cart."""
    if not RemoveForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for(".cart"), code=303)
    carts.remove_item(_current_cart(), item_id)
    commit()
    flash(_("Removed from your cart."), "success")
    return redirect(url_for(".cart"), code=303)


def _checkout_form() -> CheckoutForm:
    """The address form, prefilled from the shopper's last quote and preferences."""
    if request.method == "POST":
        form = CheckoutForm()  # the posted fields: the last quote would not be shown
    else:
        prefs = current_preferences()
        last = db.session.scalar(select(Quote).where(Quote.user_id == current_user.id)
                                 .order_by(Quote.id.desc()).limit(1))
        defaults = dict(last.shipping_address) if last else {
            "name": current_user.display_name, "country": prefs.ship_to_country}
        form = CheckoutForm(data={**defaults, "currency": prefs.currency})
    form.currency.choices = select_choices((code, code) for code in SUPPORTED_CURRENCIES)
    return form


def _address(form: CheckoutForm) -> dict[str, str]:
    return {name: getattr(form, name).data or "" for name in
            ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")}


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def checkout():
    """Shipping address and currency; submitting quotes the cart and shows the total."""
    prefs = current_preferences()
    form = _checkout_form()
    status = 200
    if form.validate_on_submit():
        try:
            quote = quotes.create_quote(current_user, form.currency.data, _address(form))
        except DomainError as exc:
            rollback()
            _show_quote_error(form, exc)
            status = exc.status
        else:
            # Read before the commit expires it: after, it would cost a statement and, on
            # SQLite, a second write lock.
            quote_id = quote.id
            commit()
            return redirect(url_for(".quote", quote_id=quote_id), code=303)
    elif form.is_submitted():
        status = 422
    country = form.country.data or prefs.ship_to_country
    cart = carts.view_cart(carts.find_cart(user=current_user), currency=prefs.currency,
                           country=country)
    if not cart.lines and status == 200:
        flash(_("Your cart is empty."), "info")
        return redirect(url_for(".cart"))
    layout = addresses.address_layout(country or "")
    for entry in layout:
        getattr(form, entry.name).label.text = entry.label
    return render_template("checkout/address.html", form=form, cart=cart, layout=layout,
                           layouts=_address_layouts(_locale()),
                           regions=addresses.region_choices(country or "")), status


@lru_cache(maxsize=4)
def _address_layouts(locale: str) -> Markup:
    """Every country's address fields for the form's script, once per UI language, as the
    `tojson` filter writes them (the JSON of 250 countries, built once, not per page).

    Countries share a few dozen layouts: {"layouts": [[[field, label, required], ...]],
    "countries": {code: index}}.
    """
    unique: dict[str, int] = {}
    layouts: list = []
    countries: dict[str, int] = {}
    for code in country_names("zh" if locale == "zh" else "en"):
        layout = [[f.name, f.label, f.required] for f in addresses.address_layout(code)]
        key = json.dumps(layout, ensure_ascii=False)
        if key not in unique:
            unique[key] = len(layouts)
            layouts.append(layout)
        countries[code] = unique[key]
    policies = current_app.jinja_env.policies
    return htmlsafe_json_dumps({"layouts": layouts, "countries": countries},
                               dumps=policies["json.dumps_function"],
                               **policies["json.dumps_kwargs"])


def _show_quote_error(form: CheckoutForm, exc: DomainError) -> None:
    """Put `shipping_address.<field>` errors on the address inputs; the rest above them."""
    fields = {name.removeprefix("shipping_address."): messages
              for name, messages in exc.fields.items()}
    placed = {name for name in fields if hasattr(form, name)}
    show_errors_on_form(form, type(exc)(exc.message, fields={
        name: fields[name] for name in placed}))
    if placed and exc.message not in form.form_errors:
        form.form_errors.insert(0, exc.message)
    for name, messages in fields.items():
        if name not in placed:
            form.form_errors.extend(m for m in messages if m not in form.form_errors)


@bp.get("/checkout/quotes/<int:quote_id>")
@login_required
def quote(quote_id: int):
    """The landed cost per store, the rate used, and the time left to pay."""
    found = quotes.get_quote(current_user, quote_id)
    pay_url = url_for(".pay", quote_id=found.id) if found.state == "open" else None
    # Past its time an open quote reads expired (the template then offers no payment);
    # the expiry job, or an attempt to pay, closes it.
    return render_template("checkout/quote.html", quote=found,
                           state=quotes.shown_state(found), money=_money,
                           rate_text=_rate_text, pay_url=pay_url,
                           country_names=country_names("zh" if _locale() == "zh" else "en"))
