"""The store's sales dashboard: by day, market, currency, product and creator."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import request
from flask_babel import get_locale, get_timezone
from flask_login import current_user, login_required

from app.core.transaction import commit
from app.merchant import bp
from app.merchant.portal import open_portal, render_portal
from app.services.orders import sales
from app.services.regions import country_names

PERIODS = (7, 30, 90)


@bp.get("/stores/<int:store_id>/sales")
@login_required
def sales_dashboard(store_id: int):
    """Sales over the last 7, 30 or 90 of the merchant's days, with charts and tables."""
    portal = open_portal(store_id)
    period = request.args.get("days", type=int)
    period = period if period in PERIODS else 30
    zone = get_timezone()
    today = datetime.now(zone).date()
    report = sales.sales_report(current_user, store_id, first_day=today - timedelta(
        days=period - 1), last_day=today, zone=zone)
    locale = str(get_locale() or "en")
    chart = {
        "labels": [day.day.isoformat() for day in report.days],
        "sales": [str(day.sales.amount) for day in report.days],
        "net": [str(day.net.amount) for day in report.days],
        "orders": [day.orders for day in report.days],
    }
    body = render_portal("merchant/sales.html", portal, tab="sales", report=report,
                         period=period, periods=PERIODS, chart=chart, locale=locale,
                         countries=country_names(locale))
    commit()
    return body
