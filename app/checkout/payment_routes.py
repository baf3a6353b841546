"""Pay a quote with Stripe.js, land on the return page, and see one's orders.

The return page asks Stripe how the intent stands and records it with the same
idempotent fulfilment the webhook uses, so whichever arrives first creates the orders
and the other finds them made.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from app.checkout import bp
from app.checkout.tracking_routes import order_tracking_context
from app.core.database import reads_only_from_now, writes_on_get
from app.core.transaction import commit, rollback
from app.models import Order
from app.money import Money
from app.providers.payments import payment_provider
from app.services import returns
from app.services.errors import DomainError, NotFound
from app.services.orders import lifecycle as orders
from app.services.orders import messages as conversation
from app.services.payments import quote_payments as payments
from app.web.forms import reject_form
from app.web.links import site_links
from app.web.order_conversation import OrderMessageForm, conversation_context

ORDERS_PAGE_SIZE = 20


def money(minor: int, currency: str) -> str:
    """A minor-unit amount for display in the page's language."""
    return Money(minor, currency).format(str(get_locale() or "en"))


def cart_url() -> str:
    """The cart page, where "start again" goes."""
    return url_for(".cart")


def _stripe_csp() -> str:
    """The site's policy plus what Stripe.js (or the sandbox's stand-in) needs."""
    provider = payment_provider()
    if provider.is_sandbox:
        parts = urlsplit(provider.js_url)
        origin = f"{parts.scheme}://{parts.netloc}"
        scripts, connect, frames = origin, origin, "'none'"
    else:
        scripts = "https://js.stripe.com"
        connect = "https://api.stripe.com"
        frames = "https://js.stripe.com https://hooks.stripe.com"
    return (f"default-src 'self'; img-src 'self' data: blob: https://*.stripe.com; "
            f"style-src 'self'; script-src 'self' {scripts}; font-src 'self'; "
            f"connect-src 'self' {connect}; frame-src {frames}; frame-ancestors 'none'; "
            "base-uri 'self'; form-action 'self'; object-src 'none'")


@bp.get("/checkout/quotes/<int:quote_id>/pay")
@writes_on_get
@login_required
def pay(quote_id: int):
    """The card form for a quote; opening it twice uses the same PaymentIntent."""
    try:
        payment = payments.prepare_payment(current_user, quote_id, links=site_links)
        commit()  # the idempotency key is durable before Stripe is called
        session = payments.open_payment_intent(payment, links=site_links)
        commit()
    except NotFound:
        raise
    except DomainError as exc:
        rollback()
        if exc.code == "quote_already_paid":
            return redirect(url_for(".complete", quote_id=quote_id))
        return render_template("checkout/pay_problem.html", message=exc.message,
                               code=exc.code, cart_url=cart_url()), exc.status
    if session.status in ("succeeded", "processing"):
        return redirect(url_for(".complete", quote_id=quote_id))
    # The rest only reads (the committed rows, to render): on SQLite, without the write lock
    # this GET declared, so other writers need not wait for the page to render.
    reads_only_from_now()
    quote = payment.quote
    response = current_app.make_response(render_template(
        "checkout/pay.html", quote=quote, session=session, provider=payment_provider(),
        money=money, return_url=url_for(".complete", quote_id=quote_id, _external=True),
        confirm_url=url_for(".sandbox_confirm", quote_id=quote_id)))
    response.headers["Content-Security-Policy"] = _stripe_csp()
    return response


@bp.post("/checkout/quotes/<int:quote_id>/pay/sandbox-confirm")
@login_required
def sandbox_confirm(quote_id: int):
    """Sandbox only: confirm with the card token localstripe's Stripe.js made."""
    if not payment_provider().is_sandbox:
        abort(404)
    body = request.get_json(silent=True) or {}
    try:
        intent = payments.confirm_sandbox_payment(current_user, quote_id, body.get("token"),
                                                  links=site_links)
        commit()
    except DomainError as exc:
        rollback()
        return jsonify({"error": {"code": exc.code, "message": exc.message}}), exc.status
    return jsonify({"status": intent.status, "client_secret": intent.client_secret,
                    "error": intent.last_error if intent.status == "requires_payment_method"
                    else "",
                    "next": url_for(".complete", quote_id=quote_id)})


@bp.get("/checkout/quotes/<int:quote_id>/complete")
@writes_on_get
@login_required
def complete(quote_id: int):
    """Where Stripe.js sends the shopper: the orders, or how the payment stands."""
    payment = payments.payment_for_quote(current_user, quote_id)
    if payment is None:
        return redirect(url_for(".pay", quote_id=quote_id))
    unavailable = False
    if payment.state in payments.OPEN_STATES:
        try:
            payments.sync_payment(payment, links=site_links)
        except DomainError:
            rollback()
            unavailable = True
            payment = payments.payment_for_quote(current_user, quote_id)
    placed = orders.orders_for_quote(quote_id) if payment.state == "succeeded" else []
    page = render_template("checkout/complete.html", payment=payment, quote=payment.quote,
                           orders=placed, money=money, unavailable=unavailable,
                           cart_url=cart_url())
    commit()
    return page


@bp.get("/orders")
@login_required
def order_list():
    """The shopper's orders, newest first."""
    after = request.args.get("after", type=int)
    page = orders.list_shopper_orders(current_user, after=[after] if after else None,
                                      limit=ORDERS_PAGE_SIZE)
    next_url = url_for(".order_list", after=page.next_after[0]) if page.next_after else None
    body = render_template("checkout/orders.html", orders=page.items, next_url=next_url,
                           money=money)
    commit()
    return body


@bp.get("/orders/<int:order_id>")
@login_required
def order_detail(order_id: int):
    """One order: lines, amounts, status history, refunds and the talk with the seller."""
    return _order_page(order_id)


def _order_page(order_id: int, *, message_form: OrderMessageForm | None = None,
                status: int = 200):
    order: Order = orders.get_shopper_order(current_user, order_id)
    returnable = returns.returnable_lines(order)
    body = render_template("checkout/order.html", order=order, money=money,
                           returns=returns.order_returns(order.id),
                           return_deadline=max((r.deadline for r in returnable.values()
                                                if r.quantity and r.deadline), default=None),
                           **order_tracking_context(order),
                           **conversation_context(order, message_form))
    commit()
    return body, status


@bp.post("/orders/<int:order_id>/messages")
@login_required
def post_order_message(order_id: int):
    """Write to the seller about one of your orders."""
    form = OrderMessageForm()
    if not form.validate():
        return _order_page(order_id, message_form=form, status=400)
    try:
        message = conversation.post_order_message(current_user, order_id, form.body.data,
                                                  links=site_links)
    except DomainError as exc:
        reject_form(form, exc)
        return _order_page(order_id, message_form=form, status=exc.status)
    commit()
    return redirect(url_for(".order_detail", order_id=order_id,
                            _anchor=f"message-{message.id}"), code=303)
