"""Brand portal: campaign reports with charts, a table and CSV export."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.models import utcnow
from app.orgs import bp
from app.services.ads import reports
from app.services.errors import ValidationFailed
from app.services.permissions import require_membership

CAMPAIGN_STATUS_LABELS = {
    "draft": _l("Draft"), "in_review": _l("In review"), "scheduled": _l("Scheduled"),
    "active": _l("Active"), "paused": _l("Paused"), "completed": _l("Completed"),
    "rejected": _l("Rejected")}


def percent(value: Decimal | None) -> str:
    """A fraction as a percentage with two decimals ("—" when undefined)."""
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.01'))}%"


def chart_data(report: reports.CampaignReport) -> dict:
    """The day rows the page's charts draw (amounts as decimal strings)."""
    return {
        "currency": report.campaign.currency,
        "labels": {"impressions": _("Impressions"), "clicks": _("Clicks"),
                   "spend": _("Spend"), "gmv": _("Attributed GMV")},
        "days": [{"date": d.day.isoformat(), "impressions": d.impressions, "clicks": d.clicks,
                  "spend": str(d.spend.amount), "gmv": str(d.gmv.amount)}
                 for d in report.days],
    }


@bp.get("/<int:org_id>/reports", endpoint="reports")
@login_required
def reports_page(org_id: int):
    """Every campaign of the brand with its last four weeks."""
    membership = require_membership(current_user, org_id, kind="brand")
    rows = reports.brand_report_overview(current_user, org_id, now=utcnow())
    return render_template("brand/reports/index.html", organization=membership.organization,
                           membership=membership, rows=rows, days=reports.DEFAULT_REPORT_DAYS,
                           status_labels=CAMPAIGN_STATUS_LABELS)


@bp.get("/<int:org_id>/campaigns/<int:campaign_id>/report")
@login_required
def campaign_report(org_id: int, campaign_id: int):
    """One campaign per day: charts, the table and a CSV link, for a range of days."""
    membership = require_membership(current_user, org_id, kind="brand")
    errors: list[str] = []
    now = utcnow()
    try:
        report = reports.brand_campaign_report(current_user, org_id, campaign_id,
                                               request.args.get("from"), request.args.get("to"),
                                               now=now)
        status = 200
    except ValidationFailed as exc:
        errors = [message for messages in exc.fields.values() for message in messages] \
            or [exc.message]
        report = reports.brand_campaign_report(current_user, org_id, campaign_id, None, None,
                                               now=now)
        status = 422
    return render_template("brand/reports/campaign.html", organization=membership.organization,
                           membership=membership, campaign=report.campaign, report=report,
                           chart_data=chart_data(report), percent=percent,
                           errors=errors), status


@bp.get("/<int:org_id>/campaigns/<int:campaign_id>/report.csv")
@login_required
def campaign_report_csv(org_id: int, campaign_id: int):
    """The campaign report as a CSV download."""
    report = reports.brand_campaign_report(current_user, org_id, campaign_id,
                                           request.args.get("from"), request.args.get("to"),
                                           now=utcnow())
    filename = f"campaign-{campaign_id}-{report.start.isoformat()}-{report.end.isoformat()}.csv"
    return Response(reports.report_csv(report), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
