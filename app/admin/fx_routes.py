"""Admin exchange-rate page: snapshots, the rate checkout uses, ECB import and manual rates.

Platform admins only (the blueprint's before_request check).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.forms import ImportRatesForm, ManualRateForm
from app.admin.routes import _page
from app.core.transaction import commit, rollback
from app.services.errors import DomainError
from app.services.fx import admin as fx_admin
from app.services.fx import conversion as fx
from app.services.regions import SUPPORTED_CURRENCIES
from app.web.forms import show_errors_on_form


def age_text(age: timedelta | None) -> str:
    """A snapshot's age as "5 h" or "3 d 4 h"."""
    if age is None:
        return "—"
    hours = int(age.total_seconds() // 3600)
    if hours < 48:
        return _("%(hours)d h", hours=hours)
    return _("%(days)d d %(hours)d h", days=hours // 24, hours=hours % 24)


def _fx_page(*, manual_form: ManualRateForm | None = None, errors: list[str] | None = None,
             status: int = 200):
    base = request.args.get("base", "EUR").upper()
    if base not in SUPPORTED_CURRENCIES:
        base = "EUR"
    pagination, snapshots = fx_admin.snapshot_page(current_user, page=_page())
    config = current_app.config
    return render_template(
        "admin/fx.html", base=base, rates=fx_admin.rate_table(base, SUPPORTED_CURRENCIES),
        pagination=pagination, snapshots=snapshots, errors=errors or [],
        import_form=ImportRatesForm(formdata=None),
        manual_form=manual_form or ManualRateForm(formdata=None),
        fee_percent=config["FX_CONVERSION_FEE_PERCENT"],
        rounding=fx.rounding_increments(), max_age_hours=config["FX_MAX_AGE_HOURS"],
        source_url=config["ECB_RATES_URL"], age_text=age_text,
        rate_text=fx_admin.rate_display,
    ), status


@bp.get("/fx")
def fx_rates():
    """Exchange rates: what checkout uses now, recent snapshots, import and manual rates."""
    return _fx_page()


@bp.post("/fx/import")
def fx_import():
    """Download and record today's ECB reference rates; a failure writes nothing."""
    if not ImportRatesForm().validate_on_submit():
        return _fx_page(errors=[_("The form expired. Please try again.")], status=400)
    try:
        result = fx_admin.import_rates(fx_admin.download_rates(), current_user)
    except DomainError as exc:
        rollback()
        return _fx_page(errors=[_("Nothing was imported: %(reason)s", reason=exc.message)],
                        status=exc.status)
    commit()
    snapshot = result.snapshot
    if result.created:
        flash(_("Imported the ECB rates of %(date)s: %(count)d currencies against EUR.",
                date=snapshot.as_of.strftime("%Y-%m-%d"), count=len(snapshot.rates)),
              "success")
    else:
        flash(_("The ECB rates of %(date)s were already recorded; nothing changed.",
                date=snapshot.as_of.strftime("%Y-%m-%d")), "success")
    return redirect(url_for("admin.fx_rates"), code=303)


@bp.post("/fx/rates")
def fx_set_rate():
    """Record an admin's own rate for one pair, in force from now."""
    form = ManualRateForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            return _fx_page(errors=[_("The form expired. Please try again.")], status=400)
        return _fx_page(manual_form=form, status=422)
    try:
        snapshot = fx.set_manual_rate(current_user, form.from_currency.data,
                                      form.to_currency.data, form.rate.data,
                                      note=form.note.data or "")
    except DomainError as exc:
        rollback()
        show_errors_on_form(form, exc)
        return _fx_page(manual_form=form, status=exc.status)
    commit()
    rate = snapshot.rates[0]
    flash(_("From now on 1 %(base)s = %(rate)s %(currency)s (before the conversion fee).",
            base=snapshot.base_currency, rate=rate.rate, currency=rate.currency), "success")
    return redirect(url_for("admin.fx_rates"), code=303)
