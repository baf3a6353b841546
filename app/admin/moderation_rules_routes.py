"""Admin pages for moderation rules per market: list any version, add, edit, remove, import.

Moderators may read the rules (list, history, CSV export); changing them needs the platform
admin role (the blueprint's before_request check, see MODERATOR_ENDPOINTS).
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.forms import ModerationRuleForm, ModerationRuleImportForm
from app.admin.routes import MODERATOR_ENDPOINTS, _page
from app.core.transaction import commit, rollback
from app.models import ModerationRule
from app.services.errors import DomainError
from app.services.moderation import reason_label
from app.services.moderation import rules as rules_service
from app.web.forms import show_errors_on_form

MODERATOR_ENDPOINTS.update({"admin.moderation_rules", "admin.export_moderation_rules"})
DEFAULT_MARKET = "ALL"
MAX_IMPORT_BYTES = 5 * 1024 * 1024
FORM_FIELDS = ("market", "kind", "term", "hs_prefixes", "language", "severity", "reason_code",
               "match_pinyin", "match_variants", "match_leet")


def _market_arg() -> str:
    market = request.args.get("market", DEFAULT_MARKET).strip().upper()
    return market if market.isalpha() and len(market) in (2, 3) else DEFAULT_MARKET


def _rule_form(**data) -> ModerationRuleForm:
    form = ModerationRuleForm(formdata=None, data=data) if data else ModerationRuleForm()
    form.reason_code.choices = [(code, f"{reason_label(code)} ({code})")
                                for code in rules_service.REASON_CODES]
    return form


@bp.get("/moderation/rules")
def moderation_rules():
    """A market's rules at its current (or an older) version, with the change history."""
    market = _market_arg()
    raw_version = request.args.get("version", "")
    version = int(raw_version) if raw_version.isdigit() else None
    query = request.args.get("q", "").strip()[:100]
    shown, current, pagination = rules_service.rules_page(
        current_user, market, version, query=query, page=_page())
    return render_template(
        "admin/moderation_rules.html", market=market, shown=shown, current=current,
        pagination=pagination, query=query,
        overview=rules_service.rule_set_overview(current_user),
        history=rules_service.rule_set_versions(current_user, market)[:20],
        reason_label=reason_label, kinds=rules_service.KIND_LABELS,
        severities=rules_service.RULE_SEVERITY_LABELS,
        languages=rules_service.LANGUAGE_LABELS,
        can_edit=current_user.has_role("admin"), import_form=ModerationRuleImportForm())


def _form_page(form: ModerationRuleForm, rule: ModerationRule | None, status: int = 200):
    return render_template("admin/moderation_rule.html", form=form, rule=rule), status


def _save(rule: ModerationRule | None):
    form = _rule_form()
    if not form.validate_on_submit():
        form.form_errors.append(_("The form expired. Please try again."))
        return _form_page(form, rule, 400)
    data = {name: getattr(form, name).data for name in FORM_FIELDS}
    try:
        if rule is None:
            saved = rules_service.add_moderation_rule(current_user, data)
        else:
            saved = rules_service.update_moderation_rule(current_user, rule.id, data)
    except DomainError as exc:
        rollback()
        show_errors_on_form(form, exc)
        form.form_errors.insert(0, _("Nothing was saved: fix the fields marked below."))
        return _form_page(form, rule, exc.status)
    commit()
    flash(_("Saved. The %(market)s rules are now at version %(version)d.",
            market=saved.rule_set.market, version=saved.added_in), "success")
    return redirect(url_for("admin.moderation_rules", market=saved.rule_set.market), code=303)


@bp.route("/moderation/rules/new", methods=["GET", "POST"])
def new_moderation_rule():
    """Add a keyword, pattern, prohibited good or ad rule to a market."""
    if request.method == "POST":
        return _save(None)
    return _form_page(_rule_form(market=_market_arg(), kind="keyword", language="any",
                                 severity="medium", reason_code="spam",
                                 match_variants=True), None)


@bp.route("/moderation/rules/<int:rule_id>", methods=["GET", "POST"])
def edit_moderation_rule(rule_id: int):
    """Change a rule: the change is a new version; the old one stays on record."""
    rule = rules_service.get_moderation_rule(current_user, rule_id)
    if rule.removed_in is not None:
        abort(404)
    if request.method == "POST":
        return _save(rule)
    return _form_page(_rule_form(**{name: getattr(rule, name) for name in FORM_FIELDS[1:]},
                                 market=rule.rule_set.market), rule)


@bp.post("/moderation/rules/<int:rule_id>/remove")
def remove_moderation_rule(rule_id: int):
    """Take a rule out of its market's current rules (a new version)."""
    form = ModerationRuleImportForm()
    rule = rules_service.get_moderation_rule(current_user, rule_id)
    market = rule.rule_set.market
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("admin.moderation_rules", market=market), code=303)
    try:
        version = rules_service.remove_moderation_rule(current_user, rule_id)
    except DomainError as exc:
        rollback()
        flash(exc.message, "error")
        return redirect(url_for("admin.moderation_rules", market=market), code=303)
    commit()
    flash(_("Removed. The %(market)s rules are now at version %(version)d.", market=market,
            version=version), "success")
    return redirect(url_for("admin.moderation_rules", market=market), code=303)


@bp.post("/moderation/rules/import")
def import_moderation_rules():
    """Add every rule of an uploaded CSV file; one bad line and nothing is added."""
    form = ModerationRuleImportForm()
    market = _market_arg()
    upload = request.files.get("file")
    errors: list[str] = []
    if not form.validate_on_submit():
        errors.append(_("The form expired. Please try again."))
    elif upload is None or not upload.filename:
        errors.append(_("Choose a CSV file to import."))
    else:
        raw = upload.read(MAX_IMPORT_BYTES + 1)
        if len(raw) > MAX_IMPORT_BYTES:
            errors.append(_("The file is larger than 5 MB."))
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                errors.append(_("Save the file as UTF-8 CSV and try again."))
            else:
                try:
                    added = rules_service.import_moderation_rules(current_user, text)
                except DomainError as exc:
                    rollback()
                    errors.append(exc.message)
                    errors.extend(f"{field}: {'; '.join(messages)}"
                                  for field, messages in list(exc.fields.items())[:50])
                else:
                    commit()
                    flash(_("Imported %(count)d rules (%(markets)s).",
                            count=sum(added.values()),
                            markets=", ".join(f"{m}: {n}" for m, n in added.items())),
                          "success")
                    first = next(iter(added))
                    return redirect(url_for("admin.moderation_rules", market=first), code=303)
    for message in errors:
        flash(message, "error")
    return redirect(url_for("admin.moderation_rules", market=market), code=303)


@bp.get("/moderation/rules/export")
def export_moderation_rules():
    """A market's current rules as a CSV file in the import format."""
    market = _market_arg()
    body = rules_service.export_moderation_rules(current_user, market)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=moderation-rules-{market}.csv"})
