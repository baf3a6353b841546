"""Campaigns in the brand portal: the list, the new/edit form, the detail and its steps."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user, login_required

from app.brand import bp
from app.brand.forms import CampaignForm
from app.brand.portal import open_brand, plain_amount, render_brand
from app.core.transaction import commit, rollback
from app.models import CAMPAIGN_STATES, Campaign
from app.services import ads
from app.services.errors import DomainError
from app.web.forms import reject_form, select_choices

PAGE_SIZE = 25
STATUS_LABELS = {
    "draft": _l("Draft"), "in_review": _l("In review"), "scheduled": _l("Scheduled"),
    "active": _l("Active"), "paused": _l("Paused"), "completed": _l("Completed"),
    "rejected": _l("Rejected"),
}
OBJECTIVE_LABELS = {"awareness": _l("Awareness"), "traffic": _l("Traffic"),
                    "sales": lazy_pgettext("campaign objective", "Sales")}
# Form fields named differently in the service's error paths.
FIELD_ALIASES = {"targeting.countries": "countries", "targeting.languages": "languages",
                 "targeting.topics": "topics"}
STEPS = {
    "submit": (ads.submit_campaign, _l("Sent to review. Its status here changes once a "
                                       "reviewer has decided.")),
    "withdraw": (ads.withdraw_campaign, _l("Withdrawn from review: it is a draft again.")),
    "pause": (ads.pause_campaign, _l("Paused.")),
    "resume": (ads.resume_campaign, _l("Resumed.")),
    "complete": (ads.complete_campaign, _l("Ended. The unspent budget is back in your "
                                           "balance.")),
}


def _local(moment: datetime, account) -> datetime:
    """A UTC time as the naive local time the form shows, in the brand's zone."""
    return moment.astimezone(ads.account_zone(account)).replace(tzinfo=None)


def _form_for(brand, campaign: Campaign | None = None) -> CampaignForm:
    if campaign is not None and request.method == "GET":
        account = brand.account
        form = CampaignForm(
            name=campaign.name, objective=campaign.objective,
            bid=plain_amount(campaign.bid_minor, campaign.currency),
            budget=plain_amount(campaign.budget_minor, campaign.currency),
            daily_cap=plain_amount(campaign.daily_cap_minor, campaign.currency),
            starts_at=_local(campaign.starts_at, account),
            ends_at=_local(campaign.ends_at, account), pacing=campaign.pacing,
            frequency_cap_per_day=campaign.frequency_cap_per_day,
            countries=", ".join(campaign.countries), languages=", ".join(campaign.languages),
            topics=", ".join(f"#{t}" for t in campaign.topics), audience=campaign.audience,
            note_ids=campaign.note_ids)
    else:
        form = CampaignForm()
    notes = ads.promotable_notes(organization_id=brand.organization.id, creator_id=None)
    form.note_ids.choices = select_choices((n.id, n.title) for n in notes)
    return form


def _show_errors(form: CampaignForm, exc: DomainError) -> None:
    fields = {}
    for path, messages in exc.fields.items():
        name = FIELD_ALIASES.get(path, path.split(".")[0])
        fields.setdefault(name, []).extend(messages)
    exc.fields = fields
    reject_form(form, exc)


def _render_form(brand, form: CampaignForm, campaign: Campaign | None, status: int = 200):
    return render_brand("brand/campaign_form.html", brand, tab="campaigns", form=form,
                        campaign=campaign, status=status,
                        minimum_cpc=ads.minimum_bid("cpc", brand.account.currency),
                        minimum_cpm=ads.minimum_bid("cpm", brand.account.currency))


@bp.get("/<int:org_id>/campaigns")
@login_required
def campaigns(org_id: int):
    """The brand's campaigns with status and spend against budget."""
    brand = open_brand(org_id)
    if brand.account is None:
        return redirect(url_for(".balance", org_id=org_id))
    status = request.args.get("status")
    status = status if status in CAMPAIGN_STATES else None
    before = request.args.get("before", type=int)
    items = ads.list_brand_campaigns(current_user, org_id, status=status, before_id=before,
                                     limit=PAGE_SIZE)
    next_url = url_for(".campaigns", org_id=org_id, status=status, before=items[-1].id) \
        if len(items) == PAGE_SIZE else None
    body = render_brand("brand/campaigns.html", brand, tab="campaigns", campaigns=items,
                        status=status, next_url=next_url, status_labels=STATUS_LABELS,
                        objective_labels=OBJECTIVE_LABELS)
    commit()
    return body


@bp.route("/<int:org_id>/campaigns/new", methods=["GET", "POST"])
@login_required
def new_campaign(org_id: int):
    """The new-campaign form (dates and times in the brand's time zone)."""
    brand = open_brand(org_id)
    if brand.account is None:
        return redirect(url_for(".balance", org_id=org_id))
    form = _form_for(brand)
    if not form.validate_on_submit():
        return _render_form(brand, form, None, 422 if form.is_submitted() else 200)
    try:
        campaign = ads.create_campaign(current_user, org_id, form.as_input())
    except DomainError as exc:
        _show_errors(form, exc)
        return _render_form(brand, form, None, exc.status)
    commit()
    flash(_("Draft saved. Check it, then send it to review."), "success")
    return redirect(url_for(".campaign", org_id=org_id, campaign_id=campaign.id))


@bp.route("/<int:org_id>/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def edit_campaign(org_id: int, campaign_id: int):
    """Edit a draft."""
    brand = open_brand(org_id)
    campaign = ads.get_brand_campaign(current_user, org_id, campaign_id)
    form = _form_for(brand, campaign)
    if not form.validate_on_submit():
        return _render_form(brand, form, campaign, 422 if form.is_submitted() else 200)
    try:
        ads.update_campaign(current_user, org_id, campaign_id, form.as_input())
    except DomainError as exc:
        _show_errors(form, exc)
        return _render_form(brand, form, campaign, exc.status)
    commit()
    flash(_("Draft saved."), "success")
    return redirect(url_for(".campaign", org_id=org_id, campaign_id=campaign_id))


@bp.get("/<int:org_id>/campaigns/<int:campaign_id>")
@login_required
def campaign(org_id: int, campaign_id: int):
    """One campaign: settings, spend, review outcome and the steps it can take."""
    brand = open_brand(org_id)
    found = ads.get_brand_campaign(current_user, org_id, campaign_id)
    body = render_brand("brand/campaign.html", brand, tab="campaigns", campaign=found,
                        status_labels=STATUS_LABELS, objective_labels=OBJECTIVE_LABELS,
                        zone=ads.account_zone(brand.account),
                        review_case=ads.review_case(found))
    commit()
    return body


@bp.post("/<int:org_id>/campaigns/<int:campaign_id>/appeals")
@login_required
def appeal_campaign(org_id: int, campaign_id: int):
    """Appeal a rejection: another moderator looks again, and that decision is final."""
    open_brand(org_id)
    try:
        ads.appeal_rejection(current_user, org_id, campaign_id,
                             request.form.get("statement") or "")
        commit()
    except DomainError as exc:
        rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("Appeal sent: another moderator will look at the campaign again."), "success")
    return redirect(url_for(".campaign", org_id=org_id, campaign_id=campaign_id))


@bp.post("/<int:org_id>/campaigns/<int:campaign_id>/<step>")
@login_required
def campaign_step(org_id: int, campaign_id: int, step: str):
    """Submit, withdraw, pause, resume or end a campaign."""
    open_brand(org_id)
    if step not in STEPS:
        abort(404)
    action, done = STEPS[step]
    try:
        action(current_user, org_id, campaign_id)
        commit()
    except DomainError as exc:
        rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(str(done), "success")
    return redirect(url_for(".campaign", org_id=org_id, campaign_id=campaign_id))
