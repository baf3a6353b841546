"""A creator's side of advertising: brand partnership briefs, and boosting their own notes.

A boost is paid from the creator's own ad account, topped up by card with the same
PaymentIntent flow as a brand's balance (the card page is the brand portal's template).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from app.account import bp
from app.core.database import writes_on_get
from app.core.transaction import commit, rollback
from app.money import Money
from app.providers.payments import payment_provider
from app.services import ads
from app.services.errors import DomainError
from app.services.regions import SUPPORTED_CURRENCIES
from app.web.forms import reject_form

PARTNERSHIP_LABELS = {
    "proposed": _l("New brief"), "accepted": _l("Accepted — publish your note"),
    "declined": _l("Declined"), "cancelled": _l("Cancelled by the brand"),
    "published": _l("In ad review — the fee is paid once it passes"),
    "paid": _l("Published — fee paid"),
}


STATUS_LABELS = {
    "draft": _l("Draft"), "in_review": _l("In review"), "scheduled": _l("Scheduled"),
    "active": _l("Active"), "paused": _l("Paused"), "completed": _l("Completed"),
    "rejected": _l("Rejected"),
}


class BoostAccountForm(FlaskForm):
    """Open the creator's boost balance."""

    currency = SelectField(_l("Currency"),
                           choices=[SelectChoice(c, c) for c in SUPPORTED_CURRENCIES])
    time_zone = StringField(_l("Time zone"), validators=[DataRequired()])


class BoostTopUpForm(FlaskForm):
    """Add money to the boost balance by card."""

    amount = StringField(_l("Amount"), validators=[DataRequired(_l("Enter an amount."))])


def _money(minor: int, currency: str) -> str:
    return Money(minor, currency).format(str(get_locale() or "en"))


def _csp() -> str:
    provider = payment_provider()
    if provider.is_sandbox:
        parts = urlsplit(provider.js_url)
        origin = f"{parts.scheme}://{parts.netloc}"
        scripts, connect, frames = origin, origin, "'none'"
    else:
        scripts, connect = "https://js.stripe.com", "https://api.stripe.com"
        frames = "https://js.stripe.com https://hooks.stripe.com"
    return (f"default-src 'self'; img-src 'self' data: blob: https://*.stripe.com; "
            f"style-src 'self'; script-src 'self' {scripts}; font-src 'self'; "
            f"connect-src 'self' {connect}; frame-src {frames}; frame-ancestors 'none'; "
            "base-uri 'self'; form-action 'self'; object-src 'none'")


# Partnerships ---------------------------------------------------------------------------

@bp.get("/partnerships")
@login_required
def partnerships():
    """The creator's briefs from brands: accept, decline, publish a note for them."""
    items = ads.list_creator_partnerships(current_user)
    notes = ads.promotable_notes(organization_id=None, creator_id=current_user.id)
    body = render_template("account/partnerships.html", partnerships=items, notes=notes,
                           labels=PARTNERSHIP_LABELS, money=_money)
    commit()
    return body


@bp.post("/partnerships/<int:partnership_id>/<step>")
@login_required
def partnership_step(partnership_id: int, step: str):
    """Accept (the brand's balance reserves the fee) or decline a brief."""
    if step not in ("accept", "decline"):
        abort(404)
    action = ads.accept_partnership if step == "accept" else ads.decline_partnership
    try:
        action(current_user, partnership_id)
        commit()
    except DomainError as exc:
        rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("Accepted: publish your note, then choose it here.") if step == "accept"
              else _("Declined."), "success")
    return redirect(url_for(".partnerships"))


@bp.post("/partnerships/<int:partnership_id>/publish")
@login_required
def publish_partnership(partnership_id: int):
    """Name the published note made for the brief; it goes to ad review."""
    note_id = request.form.get("note_id", type=int)
    try:
        ads.publish_partnership_note(current_user, partnership_id, note_id)
        commit()
    except DomainError as exc:
        rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("Your note is in ad review. Once it passes, it shows the paid-partnership "
                "label again and the fee is paid."), "success")
    return redirect(url_for(".partnerships"))


# Boosts ---------------------------------------------------------------------------------

def _boosts_page(*, account_form=None, topup_form=None, status: int = 200):
    account = ads.creator_account(current_user)
    notes = ads.promotable_notes(organization_id=None, creator_id=current_user.id)
    boosts = ads.list_own_boosts(current_user)
    # Only a rejected boost has a decision to appeal (or an appeal to follow).
    reviews = {b.id: ads.review_case(b) for b in boosts if b.status == "rejected"}
    body = render_template(
        "account/boosts.html", account=account, boosts=boosts, reviews=reviews,
        notes=notes, money=_money, status_labels=STATUS_LABELS,
        price=ads.boost_price(account.currency) if account else None,
        impressions=ads.BOOST_IMPRESSIONS, days=ads.BOOST_DAYS,
        account_form=account_form or BoostAccountForm(
            currency=ads.default_currency(current_user.home_country),
            time_zone=str(get_timezone() or "UTC")),
        topup_form=topup_form or BoostTopUpForm())
    return body, status


@bp.get("/boosts")
@login_required
def boosts():
    """Boost one's own notes (薯条): the balance, the notes, past boosts."""
    return _boosts_page()


@bp.post("/boosts/account")
@login_required
def open_boost_account():
    """Open the creator's boost balance."""
    form = BoostAccountForm()
    if not form.validate():
        return _boosts_page(account_form=form, status=422)
    try:
        ads.open_creator_account(current_user, currency=form.currency.data,
                                 time_zone=form.time_zone.data.strip())
    except DomainError as exc:
        reject_form(form, exc)
        return _boosts_page(account_form=form, status=exc.status)
    commit()
    return redirect(url_for(".boosts"))


@bp.post("/boosts/topups")
@login_required
def start_boost_topup():
    """Top up the boost balance; the card page follows."""
    account = ads.creator_account(current_user)
    form = BoostTopUpForm()
    if account is None:
        return redirect(url_for(".boosts"))
    if not form.validate():
        return _boosts_page(topup_form=form, status=422)
    try:
        topup = ads.start_topup(current_user, account, form.amount.data)
    except DomainError as exc:
        reject_form(form, exc)
        return _boosts_page(topup_form=form, status=exc.status)
    commit()
    return redirect(url_for(".pay_boost_topup", topup_id=topup.id))


@bp.get("/boosts/topups/<int:topup_id>/pay")
@writes_on_get
@login_required
def pay_boost_topup(topup_id: int):
    """The card form for a boost top-up."""
    topup = ads.get_own_topup(current_user, topup_id)
    if topup.state not in ("created", "processing"):
        return redirect(url_for(".boost_topup_complete", topup_id=topup_id))
    try:
        intent = ads.open_topup_intent(topup)
        commit()
    except DomainError as exc:
        rollback()
        flash(exc.message, "error")
        return redirect(url_for(".boosts"))
    if intent.status in ("succeeded", "processing"):
        return redirect(url_for(".boost_topup_complete", topup_id=topup_id))
    response = current_app.make_response(render_template(
        "brand/pay.html", layout="account/_ads_layout.html", topup=topup,
        provider=payment_provider(), client_secret=intent.client_secret,
        amount=_money(topup.amount_minor, topup.currency),
        return_url=url_for(".boost_topup_complete", topup_id=topup_id, _external=True),
        confirm_url=url_for(".sandbox_confirm_boost_topup", topup_id=topup_id)))
    response.headers["Content-Security-Policy"] = _csp()
    return response


@bp.post("/boosts/topups/<int:topup_id>/sandbox-confirm")
@login_required
def sandbox_confirm_boost_topup(topup_id: int):
    """Sandbox only: confirm with the card token localstripe's Stripe.js made."""
    if not payment_provider().is_sandbox:
        abort(404)
    topup = ads.get_own_topup(current_user, topup_id)
    body = request.get_json(silent=True) or {}
    try:
        intent = ads.confirm_sandbox_topup(topup, body.get("token"))
        commit()
    except DomainError as exc:
        rollback()
        return jsonify({"error": {"code": exc.code, "message": exc.message}}), exc.status
    return jsonify({"status": intent.status, "client_secret": intent.client_secret,
                    "error": intent.last_error if intent.status == "requires_payment_method"
                    else "", "next": url_for(".boost_topup_complete", topup_id=topup_id)})


@bp.get("/boosts/topups/<int:topup_id>/complete")
@writes_on_get
@login_required
def boost_topup_complete(topup_id: int):
    """Where Stripe.js returns: record the payment, then back to the boosts page."""
    topup = ads.get_own_topup(current_user, topup_id)
    if topup.state in ("created", "processing"):
        try:
            ads.sync_topup(topup)
            commit()
        except DomainError:
            rollback()
        topup = ads.get_own_topup(current_user, topup_id)
    if topup.state == "succeeded":
        flash(_("%(amount)s was added to your boost balance.",
                amount=_money(topup.amount_minor, topup.currency)), "success")
    elif topup.state in ("created", "processing"):
        flash(_("The card payment has not been confirmed yet."), "error")
    else:
        flash(_("The top-up did not go through."), "error")
    commit()
    return redirect(url_for(".boosts"))


@bp.post("/boosts")
@login_required
def create_boost():
    """Boost one of one's published notes; it goes to review, then serves."""
    note_id = request.form.get("note_id", type=int)
    try:
        ads.create_boost(current_user, note_id)
        commit()
    except DomainError as exc:
        rollback()
        flash(exc.message, "error")
    else:
        flash(_("Boost sent to review. Once approved, its price is taken from your "
                "boost balance."), "success")
    return redirect(url_for(".boosts"))


@bp.post("/boosts/<int:campaign_id>/appeals")
@login_required
def appeal_boost(campaign_id: int):
    """Appeal a rejected boost, once; another moderator decides, finally."""
    try:
        ads.appeal_rejection(current_user, None, campaign_id, request.form.get("statement") or "")
        commit()
    except DomainError as exc:
        rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("Appeal sent: another moderator will look at the campaign again."), "success")
    return redirect(url_for(".boosts"))
