"""Organisation dashboard (placeholder until the organisations work lands)."""

from flask import render_template
from flask_login import current_user, login_required

from app.orgs import bp
from app.services.permissions import require_organization


@bp.get("/<int:org_id>")
@login_required
def dashboard(org_id: int):
    """The organisation's home in its portal."""
    organization = require_organization(current_user, org_id)
    return render_template("orgs/dashboard.html", organization=organization)
