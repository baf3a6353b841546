"""Admin pages (placeholder until the admin work lands)."""

from flask import render_template
from flask_login import current_user, login_required

from app.admin import bp
from app.services.permissions import require_platform_role


@bp.get("/")
@login_required
def index():
    """Admin home."""
    require_platform_role(current_user, "admin")
    return render_template("admin/index.html")


@bp.get("/moderation")
@login_required
def moderation():
    """Moderation queue home."""
    require_platform_role(current_user, "moderator")
    return render_template("admin/index.html")
