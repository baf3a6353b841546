"""The brand's ad balance: open the account, top up by card, the ledger, monthly invoices.

Topping up reuses the checkout's card page script (static/js/checkout.js): the same
Stripe.js element, the same sandbox confirmation. The return page and the webhook both
record the intent through the same idempotent service, so the balance is credited once.
"""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    request,
    url_for,
)
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.brand import bp
from app.brand.forms import OpenAccountForm, TopUpForm
from app.brand.portal import format_money, open_brand, render_brand, stripe_csp
from app.core.database import writes_on_get
from app.core.transaction import commit, rollback
from app.providers.payments import payment_provider
from app.services import ads
from app.services.errors import DomainError
from app.web.forms import reject_form

LEDGER_PAGE = 50
def kind_label(kind: str) -> str:
    """The ledger kind in the page's language."""
    labels = {
        "topup": _("Top-up"), "topup_refund": _("Top-up refunded to card"),
        "campaign_reserve": _("Campaign budget reserved"),
        "campaign_release": _("Unspent campaign budget returned"),
        "partnership_reserve": _("Partnership fee reserved"),
        "partnership_release": _("Partnership fee reserve released"),
        "partnership_fee": _("Partnership fee paid"),
        "placement_charge": _("Guaranteed placement"),
        "placement_refund": _("Guaranteed placement refunded"),
        "adjustment": _("Adjustment"),
        "debt_repayment": _("Refunded card payment repaid"),
    }
    return labels.get(kind, kind)


def _balance_page(org_id: int, *, topup_form: TopUpForm | None = None,
                  open_form: OpenAccountForm | None = None, status: int = 200):
    brand = open_brand(org_id)
    if brand.account is None:
        form = open_form or OpenAccountForm(
            currency=ads.default_currency(current_user.home_country),
            time_zone=str(get_timezone() or "UTC"))
        return render_brand("brand/open_account.html", brand, tab="balance", form=form,
                            status=status)
    before = request.args.get("before", type=int)
    entries = ads.list_ledger(brand.account, before_id=before, limit=LEDGER_PAGE)
    next_url = url_for(".balance", org_id=org_id, before=entries[-1].id) \
        if len(entries) == LEDGER_PAGE else None
    return render_brand(
        "brand/balance.html", brand, tab="balance", status=status,
        topup_form=topup_form or TopUpForm(), entries=entries, next_url=next_url,
        topups=ads.list_topups(brand.account), months=ads.invoice_months(brand.account),
        kind_label=kind_label, can_refund=brand.membership.role in ("owner", "admin"))


@bp.get("/<int:org_id>/balance")
@login_required
def balance(org_id: int):
    """The balance, top-up form, recent top-ups, ledger and invoices."""
    return _balance_page(org_id)


@bp.post("/<int:org_id>/account")
@login_required
def open_account(org_id: int):
    """Open the brand's ad account with its billing currency and time zone."""
    open_brand(org_id)
    form = OpenAccountForm()
    if not form.validate():
        return _balance_page(org_id, open_form=form, status=422)
    try:
        ads.open_brand_account(current_user, org_id, currency=form.currency.data,
                               time_zone=form.time_zone.data.strip())
    except DomainError as exc:
        reject_form(form, exc)
        return _balance_page(org_id, open_form=form, status=exc.status)
    commit()
    flash(_("Your ad account is open. Top up the balance to start advertising."), "success")
    return redirect(url_for(".balance", org_id=org_id))


@bp.post("/<int:org_id>/topups")
@login_required
def start_topup(org_id: int):
    """Start a top-up; the card page follows."""
    brand = open_brand(org_id)
    form = TopUpForm()
    if brand.account is None:
        return redirect(url_for(".balance", org_id=org_id))
    if not form.validate():
        return _balance_page(org_id, topup_form=form, status=422)
    try:
        topup = ads.start_topup(current_user, brand.account, form.amount.data)
    except DomainError as exc:
        reject_form(form, exc)
        return _balance_page(org_id, topup_form=form, status=exc.status)
    commit()  # the idempotency key is durable before the provider is called
    return redirect(url_for(".pay_topup", org_id=org_id, topup_id=topup.id))


def _topup(org_id: int, topup_id: int):
    brand = open_brand(org_id)
    if brand.account is None:
        abort(404)
    return brand, ads.get_topup(current_user, brand.account, topup_id)


@bp.get("/<int:org_id>/topups/<int:topup_id>/pay")
@writes_on_get
@login_required
def pay_topup(org_id: int, topup_id: int):
    """The card form for a top-up; opening it twice uses the same PaymentIntent."""
    brand, topup = _topup(org_id, topup_id)
    if topup.state not in ("created", "processing"):
        return redirect(url_for(".topup_complete", org_id=org_id, topup_id=topup_id))
    try:
        intent = ads.open_topup_intent(topup)
        commit()
    except DomainError as exc:
        rollback()
        flash(exc.message, "error")
        return redirect(url_for(".balance", org_id=org_id))
    if intent.status in ("succeeded", "processing"):
        return redirect(url_for(".topup_complete", org_id=org_id, topup_id=topup_id))
    body, status = render_brand(
        "brand/pay.html", brand, tab="balance", topup=topup, provider=payment_provider(),
        client_secret=intent.client_secret,
        amount=format_money(topup.amount_minor, topup.currency),
        return_url=url_for(".topup_complete", org_id=org_id, topup_id=topup_id,
                           _external=True),
        confirm_url=url_for(".sandbox_confirm_topup", org_id=org_id, topup_id=topup_id))
    response = current_app.make_response((body, status))
    response.headers["Content-Security-Policy"] = stripe_csp()
    return response


@bp.post("/<int:org_id>/topups/<int:topup_id>/sandbox-confirm")
@login_required
def sandbox_confirm_topup(org_id: int, topup_id: int):
    """Sandbox only: confirm with the card token localstripe's Stripe.js made."""
    if not payment_provider().is_sandbox:
        abort(404)
    _brand, topup = _topup(org_id, topup_id)
    body = request.get_json(silent=True) or {}
    try:
        intent = ads.confirm_sandbox_topup(topup, body.get("token"))
        commit()
    except DomainError as exc:
        rollback()
        return jsonify({"error": {"code": exc.code, "message": exc.message}}), exc.status
    return jsonify({"status": intent.status, "client_secret": intent.client_secret,
                    "error": intent.last_error if intent.status == "requires_payment_method"
                    else "",
                    "next": url_for(".topup_complete", org_id=org_id, topup_id=topup_id)})


@bp.get("/<int:org_id>/topups/<int:topup_id>/complete")
@writes_on_get
@login_required
def topup_complete(org_id: int, topup_id: int):
    """Where Stripe.js sends the brand: the credited balance, or how the payment stands."""
    brand, topup = _topup(org_id, topup_id)
    unavailable = False
    if topup.state in ("created", "processing"):
        try:
            ads.sync_topup(topup)
            commit()
        except DomainError:
            rollback()
            unavailable = True
        brand, topup = _topup(org_id, topup_id)
    body, status = render_brand("brand/topup_complete.html", brand, tab="balance",
                                topup=topup, unavailable=unavailable)
    commit()
    return body, status


@bp.post("/<int:org_id>/topups/<int:topup_id>/refund")
@login_required
def refund_topup(org_id: int, topup_id: int):
    """Return a top-up to the card, if the balance still covers it."""
    _topup(org_id, topup_id)
    try:
        ads.refund_topup(current_user, topup_id)
        commit()
    except DomainError as exc:
        rollback()
        flash(exc.message, "error")
        return redirect(url_for(".balance", org_id=org_id))
    flash(_("The top-up was refunded to the card."), "success")
    return redirect(url_for(".balance", org_id=org_id))


@bp.get("/<int:org_id>/invoices/<int:year>-<int:month>.pdf")
@login_required
def invoice(org_id: int, year: int, month: int):
    """The month's invoice of spend as PDF."""
    brand = open_brand(org_id)
    if brand.account is None or not 2000 <= year <= 9999 or not 1 <= month <= 12:
        abort(404)
    language = request.args.get("lang") or str(get_locale() or "en")
    pdf = ads.invoice_pdf(ads.build_invoice(brand.account, year, month), language)
    commit()
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="qiao-ads-{year}-{month:02d}.pdf"'})


@bp.get("/<int:org_id>")
@login_required
def home(org_id: int):
    """The portal's front door: the campaigns (or opening the account first)."""
    brand = open_brand(org_id)
    if brand.account is None:
        return redirect(url_for(".balance", org_id=org_id))
    return redirect(url_for(".campaigns", org_id=org_id))

