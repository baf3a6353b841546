"""Admin translation glossary: the names machine translation keeps intact.

Platform admins only (the blueprint's before_request check). Store, brand and product
names are protected without an entry here (app.services.social.glossary).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.forms import GlossaryTermForm
from app.core.transaction import commit, rollback
from app.services.errors import DomainError
from app.services.social import glossary
from app.web.forms import show_errors_on_form


def _glossary_page(form: GlossaryTermForm | None = None, status: int = 200):
    return render_template("admin/glossary.html", terms=glossary.glossary_terms(),
                           form=form or GlossaryTermForm(formdata=None)), status


@bp.get("/glossary")
def glossary_terms():
    """The glossary and a form to add a name."""
    return _glossary_page()


@bp.post("/glossary")
def add_glossary_term():
    """Add a name to the glossary."""
    form = GlossaryTermForm()
    if not form.validate_on_submit():
        return _glossary_page(form, 400 if form.csrf_token.errors else 422)
    try:
        entry = glossary.add_glossary_term(
            current_user, form.term.data, form.kind.data,
            {"en": form.rendering_en.data or "", "zh": form.rendering_zh.data or ""})
    except DomainError as exc:
        rollback()
        show_errors_on_form(form, exc)
        return _glossary_page(form, exc.status)
    commit()
    flash(_("“%(term)s” is now kept intact in translations.", term=entry.term), "success")
    return redirect(url_for("admin.glossary_terms"), code=303)


@bp.post("/glossary/<int:term_id>/delete")
def delete_glossary_term(term_id: int):
    """Remove a name from the glossary (CSRF is checked for every form post)."""
    glossary.delete_glossary_term(current_user, term_id)
    commit()
    flash(_("Removed from the glossary."), "success")
    return redirect(url_for("admin.glossary_terms"), code=303)
