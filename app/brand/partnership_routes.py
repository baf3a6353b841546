"""Partnerships in the brand portal: briefs sent to creators, their status, cancelling."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.brand import bp
from app.brand.forms import PartnershipForm
from app.brand.portal import open_brand, render_brand
from app.core.transaction import commit, rollback
from app.services import ads
from app.services.errors import DomainError
from app.web.forms import reject_form

PARTNERSHIP_LABELS = {
    "proposed": _l("Waiting for the creator"), "accepted": _l("Accepted — fee reserved"),
    "declined": _l("Declined"), "cancelled": _l("Cancelled"),
    "published": _l("In ad review"), "paid": _l("Published — fee paid"),
}
FIELD_ALIASES = {"creator_id": "creator"}


def _page(org_id: int, form: PartnershipForm | None = None, status: int = 200):
    brand = open_brand(org_id)
    if brand.account is None:
        return redirect(url_for(".balance", org_id=org_id))
    items = ads.list_brand_partnerships(current_user, org_id)
    return render_brand("brand/partnerships.html", brand, tab="partnerships",
                        partnerships=items, form=form or PartnershipForm(),
                        labels=PARTNERSHIP_LABELS, status=status)


@bp.get("/<int:org_id>/partnerships")
@login_required
def partnerships(org_id: int):
    """The brand's briefs and the form to send one."""
    return _page(org_id)


@bp.post("/<int:org_id>/partnerships")
@login_required
def propose_partnership(org_id: int):
    """Send a brief and a fee to a creator."""
    open_brand(org_id)
    form = PartnershipForm()
    if not form.validate():
        return _page(org_id, form, 422)
    try:
        ads.propose_partnership(current_user, org_id, creator_id=form.creator.data,
                                title=form.title.data, brief=form.brief.data,
                                fee=form.fee.data)
    except DomainError as exc:
        exc.fields = {FIELD_ALIASES.get(k, k): v for k, v in exc.fields.items()}
        reject_form(form, exc)
        return _page(org_id, form, exc.status)
    commit()
    flash(_("Brief sent. The creator sees it in their account."), "success")
    return redirect(url_for(".partnerships", org_id=org_id))


@bp.post("/<int:org_id>/partnerships/<int:partnership_id>/cancel")
@login_required
def cancel_partnership(org_id: int, partnership_id: int):
    """Withdraw a brief before its note is published (a reserved fee comes back)."""
    try:
        ads.cancel_partnership(current_user, org_id, partnership_id)
        commit()
    except DomainError as exc:
        rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("Partnership cancelled."), "success")
    return redirect(url_for(".partnerships", org_id=org_id))
