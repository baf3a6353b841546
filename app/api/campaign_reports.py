"""Campaign reports through the API: per day in the brand's calendar, with attribution."""

from __future__ import annotations

from typing import Any

from flask import request

from app.api import bp
from app.api.core import api_user, token_required
from app.api.openapi import operation, ref, schema
from app.core.transaction import commit
from app.models import utcnow
from app.money import Money
from app.services.ads import reports

DATE = {"type": "string", "format": "date"}
MONEY_OR_NULL = {"oneOf": [ref("Money"), {"type": "null"}]}
REPORT_DAY = {
    "type": "object",
    "required": ["date", "impressions", "clicks", "spend", "orders", "gmv"],
    "properties": {
        "date": DATE, "impressions": {"type": "integer"}, "reach": {"type": "integer"},
        "clicks": {"type": "integer"},
        "ctr": {"type": ["string", "null"], "description": "Clicks ÷ impressions, 4 places."},
        "spend": ref("Money"), "ecpm": MONEY_OR_NULL, "ecpc": MONEY_OR_NULL,
        "orders": {"type": "integer"}, "gmv": ref("Money"),
        "roas": {"type": ["string", "null"], "description": "GMV ÷ spend, 2 places."},
    },
}
REPORT_SCHEMA = schema("CampaignReport", {
    "type": "object",
    "required": ["campaign_id", "currency", "time_zone", "from", "to", "days", "totals"],
    "properties": {
        "campaign_id": {"type": "integer"},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "time_zone": {"type": "string"}, "from": DATE, "to": DATE,
        "days": {"type": "array", "items": REPORT_DAY},
        "totals": {key: value for key, value in REPORT_DAY.items()},
    },
})
RANGE_PARAMS = [
    {"name": "from", "in": "query", "required": False, "schema": DATE,
     "description": "First day (YYYY-MM-DD, the brand's calendar); default 27 days before "
                    "`to`."},
    {"name": "to", "in": "query", "required": False, "schema": DATE,
     "description": "Last day; default today in the brand's time zone."},
]


def _money_or_none(value: Money | None) -> dict[str, str] | None:
    return value.to_api() if value is not None else None


def report_day_json(day: reports.ReportDay) -> dict[str, Any]:
    """One report day: the contract's fields plus reach, CTR, eCPM, eCPC and ROAS."""
    return {
        "date": day.day.isoformat(), "impressions": day.impressions, "reach": day.reach,
        "clicks": day.clicks, "ctr": str(day.ctr) if day.ctr is not None else None,
        "spend": day.spend.to_api(), "ecpm": _money_or_none(day.ecpm),
        "ecpc": _money_or_none(day.ecpc), "orders": day.orders, "gmv": day.gmv.to_api(),
        "roas": str(day.roas) if day.roas is not None else None,
    }


@bp.get("/brands/<int:organization_id>/campaigns/<int:campaign_id>/report")
@operation(summary="A campaign's report per day", tags=["ads"], params=RANGE_PARAMS,
           responses={200: REPORT_SCHEMA, 401: None, 403: None, 404: None, 422: None},
           description="Brand members. One entry per day of the brand's calendar: "
                       "impressions, unique reach, clicks, CTR, spend, eCPM, eCPC, attributed "
                       "orders and GMV (orders through the campaign's notes within 7 days "
                       "after a click by the same shopper) and ROAS; `totals` sums them. "
                       "At most 366 days. 422 `invalid_report_dates` naming `from` or `to`; "
                       "another brand's campaign: 404.")
@token_required("read")
def campaign_report(organization_id: int, campaign_id: int):
    """The campaign's days from `from` to `to`."""
    report = reports.brand_campaign_report(api_user(), organization_id, campaign_id,
                                           request.args.get("from"), request.args.get("to"),
                                           now=utcnow())
    body = {
        "campaign_id": campaign_id, "currency": report.campaign.currency,
        "time_zone": report.time_zone, "from": report.start.isoformat(),
        "to": report.end.isoformat(), "days": [report_day_json(d) for d in report.days],
        "totals": report_day_json(report.totals),
    }
    commit()
    return body
