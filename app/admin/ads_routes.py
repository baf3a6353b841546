"""Ads review for moderators and admins (until the moderation queue takes it over)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.forms import RejectAdForm as RejectForm
from app.core.transaction import commit, rollback
from app.money import Money
from app.services import ads as ads_service
from app.services.errors import DomainError
from app.web.forms import show_errors_on_form


def _money(minor: int, currency: str) -> str:
    return Money(minor, currency).format(str(get_locale() or "en"))


@bp.get("/ads")
def ads():
    """Campaigns in review, oldest first, with the ad-rule findings to check."""
    return render_template("admin/ads.html",
                           campaigns=ads_service.list_campaigns_in_review(current_user),
                           money=_money)


def _detail(campaign_id: int, form: RejectForm | None = None, status: int = 200):
    campaign = ads_service.get_campaign_for_review(current_user, campaign_id)
    return render_template("admin/ad_campaign.html", campaign=campaign,
                           form=form or RejectForm(formdata=None), money=_money), status


@bp.get("/ads/<int:campaign_id>")
def ad_campaign(campaign_id: int):
    """One campaign to review: its notes, targeting, findings; approve or reject."""
    return _detail(campaign_id)


@bp.post("/ads/<int:campaign_id>/approve")
def approve_ad(campaign_id: int):
    """Approve: the budget is reserved from the balance and the campaign scheduled."""
    try:
        ads_service.approve_campaign(current_user, campaign_id)
        commit()
    except DomainError as exc:
        rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for(".ad_campaign", campaign_id=campaign_id))
    flash(_("Approved."), "success")
    return redirect(url_for(".ads"))


@bp.post("/ads/<int:campaign_id>/reject")
def reject_ad(campaign_id: int):
    """Reject with a reason the brand sees."""
    form = RejectForm()
    if not form.validate():
        return _detail(campaign_id, form, 422)
    try:
        ads_service.reject_campaign(current_user, campaign_id, form.reason.data)
        commit()
    except DomainError as exc:
        rollback()
        show_errors_on_form(form, exc)
        return _detail(campaign_id, form, exc.status)
    flash(_("Rejected; the brand sees your reason."), "success")
    return redirect(url_for(".ads"))
