"""Moderation pages: the queue, an item, claims, decisions (single and bulk); and for
platform admins the legal requests, the transparency report and the audit log.

Endpoints named `moderation*` are open to moderators (see routes._platform_staff_only);
the rest of these need the platform admin role.
"""

from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.admin import bp
from app.admin.moderation_forms import (
    ClaimForm,
    DecisionForm,
    LegalRequestForm,
    QueueFilterForm,
)
from app.core.transaction import commit, rollback_and_keep
from app.extensions import db
from app.models import AuditLogEntry, Report
from app.money import Money
from app.services import ads, moderation
from app.services.errors import DomainError
from app.services.permissions import require_platform_role
from app.web.forms import show_errors_on_form


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100000 else 1


def _filters(form: QueueFilterForm) -> moderation.QueueFilters:
    data = form.data if form.validate() else {}
    severity = data.get("min_severity")
    return moderation.QueueFilters(
        status=data.get("status") or "pending",
        market=(data.get("market") or "").strip().upper() or None,
        language=(data.get("language") or "").strip().lower() or None,
        kind=data.get("kind") or None, reason=data.get("reason") or None,
        min_severity=int(severity) if severity else None,
        older_than_hours=data.get("older_than_hours") or None,
        target_type=data.get("target_type") or None,
        mine=request.args.get("mine") == "1")


@bp.get("/moderation", endpoint="moderation")
def moderation_queue():
    """The queue of the moderator's markets and languages, filtered and paginated."""
    form = QueueFilterForm(request.args)
    page = moderation.list_queue(current_user, _filters(form), page=_page(),
                                 per_page=_per_page())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/moderation.html", form=form, page=page, args=args,
                           scope=moderation.moderator_scope(current_user),
                           decision_form=DecisionForm(prefix="bulk"))


def _money(minor: int, currency: str) -> str:
    return Money(minor, currency).format(str(get_locale() or "en"))


def _per_page() -> int:
    return current_app.config["MODERATION_QUEUE_PAGE_SIZE"]


def _item_page(case_id: int, *, decision_form: DecisionForm | None = None, status: int = 200):
    case = moderation.case_in_scope(current_user, case_id)
    target = moderation.load_target(case.target_type, case.target_id)
    text = moderation.item_text(case.target_type, target.row)
    spans = [span for reason in case.reasons or [] for span in reason.get("spans") or []]
    reports = list(db.session.scalars(
        select(Report).where(Report.target_type == case.target_type,
                             Report.target_id == case.target_id).order_by(Report.id)))
    history = list(db.session.scalars(
        select(AuditLogEntry).where(AuditLogEntry.case_id == case.id)
        .order_by(AuditLogEntry.id)))
    legal = moderation.legal_requests_for(case.target_type, case.target_id)
    decision_form = decision_form or DecisionForm()
    if case.target_type == "campaign":
        decision_form.action.choices = [("approve", _("Approve")),
                                        ("remove", _("Reject the ad"))]
    # A note made for a brand's brief is an ad: the moderator decides it by the ad rules.
    partner_brand = ads.sponsor_names([case.target_id]).get(case.target_id) \
        if case.target_type == "note" else None
    return render_template(
        "admin/moderation_item.html", case=case, item=target.row, partner_brand=partner_brand,
        segments=moderation.highlight_segments(text, spans), reports=reports,
        history=history, legal=legal, claim_form=ClaimForm(), money=_money,
        decision_form=decision_form), status


@bp.get("/moderation/items/<int:case_id>")
def moderation_item(case_id: int):
    """One item: what screening saw (highlighted), the reports, the history, the decision."""
    return _item_page(case_id)


def _act(work, case_id: int, message: str):
    try:
        work()
    except DomainError as exc:
        rollback_and_keep(exc)
        flash(exc.message, "error")
        return redirect(url_for("admin.moderation_item", case_id=case_id), code=303)
    commit()
    flash(message, "success")
    return redirect(url_for("admin.moderation_item", case_id=case_id), code=303)


@bp.post("/moderation/items/<int:case_id>/claim")
def moderation_claim(case_id: int):
    """Claim the item: nobody else can decide it until it is released or decided."""
    if not ClaimForm().validate_on_submit():
        abort(400)
    return _act(lambda: moderation.claim_case(current_user, case_id), case_id,
                _("You have claimed this item."))


@bp.post("/moderation/items/<int:case_id>/release")
def moderation_release(case_id: int):
    """Give the item back to the queue."""
    if not ClaimForm().validate_on_submit():
        abort(400)
    return _act(lambda: moderation.release_case(current_user, case_id), case_id,
                _("The item is back in the queue."))


def _decision_input(form: DecisionForm) -> moderation.DecisionInput:
    markets = [m.strip() for m in (form.markets.data or "").replace(";", ",").split(",")
               if m.strip()]
    return moderation.DecisionInput(form.action.data, form.reason_code.data, markets,
                                    form.note.data or "")


@bp.post("/moderation/items/<int:case_id>/decision")
def moderation_decide(case_id: int):
    """Decide the item (or its appeal)."""
    form = DecisionForm()
    if not form.validate_on_submit():
        return _item_page(case_id, decision_form=form, status=422)
    try:
        moderation.decide_case(current_user, case_id, _decision_input(form))
    except DomainError as exc:
        rollback_and_keep(exc)
        if exc.fields:
            show_errors_on_form(form, exc)
            return _item_page(case_id, decision_form=form, status=exc.status)
        flash(exc.message, "error")
        return redirect(url_for("admin.moderation_item", case_id=case_id), code=303)
    commit()
    flash(_("Decision recorded."), "success")
    return redirect(url_for("admin.moderation"), code=303)


@bp.post("/moderation/bulk")
def moderation_bulk():
    """The same decision on the selected items; each is decided or refused on its own."""
    form = DecisionForm(prefix="bulk")
    ids = [int(v) for v in request.form.getlist("case_id") if v.isdigit()][:200]
    back = request.form.get("back") or url_for("admin.moderation")
    if not back.startswith("/admin/moderation"):
        back = url_for("admin.moderation")
    if not form.validate_on_submit() or not ids:
        flash(_("Select items and a decision first."), "error")
        return redirect(back, code=303)
    try:
        outcome = moderation.decide_cases(current_user, ids, _decision_input(form))
    except DomainError as exc:
        rollback_and_keep(exc)
        flash(exc.message, "error")
        return redirect(back, code=303)
    commit()
    if outcome.decided:
        flash(_("%(n)d items decided.", n=len(outcome.decided)), "success")
    if outcome.refused:
        flash(_("%(n)d items could not be decided (claimed by someone else, already "
                "decided or outside your scope).", n=len(outcome.refused)), "error")
    return redirect(back, code=303)


# Platform admins: legal requests, transparency, audit ---------------------------------------
@bp.route("/legal-requests", methods=["GET", "POST"])
def legal_requests():
    """Record a takedown order; list the latest ones."""
    form = LegalRequestForm()
    status = 200
    if form.validate_on_submit():
        try:
            moderation.record_legal_request(
                current_user, form.target_type.data, form.target_id.data,
                country=form.country.data, legal_basis=form.legal_basis.data,
                authority=form.authority.data or "", reference=form.reference.data or "")
        except DomainError as exc:
            rollback_and_keep(exc)
            show_errors_on_form(form, exc)
            status = exc.status
        else:
            commit()
            flash(_("Legal request recorded: the item is hidden in %(country)s.",
                    country=form.country.data.upper()), "success")
            return redirect(url_for("admin.legal_requests"), code=303)
    elif request.method == "POST":
        status = 422
    return render_template("admin/legal_requests.html", form=form,
                           items=moderation.list_legal_requests(current_user)), status


def _month() -> date:
    raw = request.args.get("month", "")
    try:
        year, month = (int(p) for p in raw.split("-", 1))
        return date(year, month, 1)
    except ValueError:
        today = date.today()
        return date(today.year, today.month, 1)


@bp.get("/transparency")
def transparency():
    """Figures per market for a month, as a page or (?format=csv) a CSV file."""
    month = _month()
    market = (request.args.get("market") or "").strip().upper() or None
    report = moderation.transparency_report(current_user, month, market=market)
    if request.args.get("format") == "csv":
        name = f"qiao-transparency-{month:%Y-%m}{'-' + market if market else ''}.csv"
        return Response(moderation.report_csv(report), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return render_template("admin/transparency.html", report=report, market=market,
                           month=month, layout=moderation.CSV_LAYOUT)


@bp.get("/audit-log")
def audit_log():
    """The latest audit log lines (read-only: the log only grows)."""
    require_platform_role(current_user, "admin")
    before = request.args.get("before", "")
    stmt = select(AuditLogEntry).order_by(AuditLogEntry.id.desc()).limit(100)
    if before.isdigit():
        stmt = stmt.where(AuditLogEntry.id < int(before))
    entries = list(db.session.scalars(stmt))
    return render_template("admin/audit_log.html", entries=entries,
                           next_before=entries[-1].id if len(entries) == 100 else None)


@bp.app_template_filter("moderation_reason")
def _moderation_reason(code: str | None) -> str:
    return moderation.reason_label(code)


@bp.app_template_filter("moderation_event")
def _moderation_event(event: str | None) -> str:
    return moderation.event_label(event)

