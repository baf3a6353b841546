"""A creator's sales through their notes: what shoppers bought from their product tags."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import render_template, request
from flask_babel import get_locale, get_timezone
from flask_login import current_user, login_required

from app.account import bp
from app.core.transaction import commit
from app.services.orders import sales

PERIODS = (7, 30, 90, 365)


@bp.get("/sales")
@login_required
def creator_sales():
    """Sales credited to the viewer over their last 7, 30, 90 or 365 days, per note."""
    period = request.args.get("days", type=int)
    period = period if period in PERIODS else 30
    zone = get_timezone()
    today = datetime.now(zone).date()
    report = sales.creator_sales(current_user, first_day=today - timedelta(days=period - 1),
                                 last_day=today, zone=zone)
    body = render_template("account/sales.html", report=report, period=period,
                           periods=PERIODS, locale=str(get_locale() or "en"))
    commit()
    return body
