"""Admin area (platform admins) and the moderation home (moderators).

One check before every request of the blueprint: moderators may open the
moderation page, the community team the events pages, everything else needs the
platform admin role.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.forms import GrantRoleForm
from app.core.transaction import commit, rollback
from app.extensions import login_manager
from app.models import ORGANIZATION_KINDS
from app.services.accounts import administration as admin
from app.services.errors import DomainError
from app.services.permissions import require_platform_role
from app.web.forms import show_errors_on_form

# Moderators reach the queue, and the old ads-review addresses that redirect into it.
MODERATOR_ENDPOINTS = {"admin.moderation", "admin.ads", "admin.ad_campaign"}


@bp.before_request
def _platform_staff_only():
    """Anonymous visitors log in first; signed-in users need the platform role (else 403)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    endpoint = request.endpoint or ""
    # Every moderation_* endpoint (app.admin.moderation_routes) is the moderators'; the
    # community team runs events (app.admin.events_routes); both link and split bilingual
    # topics (app.admin.topics_routes).
    if endpoint.startswith("admin.topic"):
        require_platform_role(current_user, "moderator", "community")
        return None
    needed = "moderator" if endpoint in MODERATOR_ENDPOINTS \
        or endpoint.startswith("admin.moderation_") else "admin"
    if endpoint.startswith("admin.event"):
        needed = "community"
    require_platform_role(current_user, needed)
    return None


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


@bp.get("/")
def index():
    """Admin home: headline counts and links."""
    return render_template("admin/index.html", counts=admin.platform_counts(current_user))


@bp.get("/users")
def users():
    """Accounts, searchable by e-mail or name, paginated."""
    query = request.args.get("q", "").strip()
    pagination = admin.search_users(current_user, query, page=_page())
    return render_template("admin/users.html", pagination=pagination, query=query)


def _user_page(user_id: int, *, grant_form: GrantRoleForm | None = None,
               errors: list[str] | None = None, status: int = 200):
    user = admin.get_user(current_user, user_id)
    return render_template(
        "admin/user.html", user=user, memberships=admin.memberships_of(current_user, user_id),
        grant_form=grant_form or GrantRoleForm(formdata=None), errors=errors or [],
    ), status


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int):
    """One account: status, platform roles, organisations."""
    return _user_page(user_id)


def _set_active(user_id: int, active: bool):
    try:
        user = admin.set_account_active(current_user, user_id, active)
    except DomainError as exc:
        rollback()
        return _user_page(user_id, errors=[exc.message], status=exc.status)
    commit()
    if active:
        flash(_("%(email)s can log in again.", email=user.email), "success")
    else:
        flash(_("%(email)s is disabled: every session and API token stopped working.",
                email=user.email), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id), code=303)


@bp.post("/users/<int:user_id>/disable")
def disable_user(user_id: int):
    """Disable an account; its sessions end at once."""
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/enable")
def enable_user(user_id: int):
    """Let a disabled account log in again."""
    return _set_active(user_id, True)


@bp.post("/users/<int:user_id>/roles")
def grant_role(user_id: int):
    """Grant a platform role (or update a moderator's scope)."""
    form = GrantRoleForm()
    if not form.validate_on_submit():
        return _user_page(user_id, grant_form=form, status=422)
    try:
        role = admin.grant_platform_role(current_user, user_id, form.role.data,
                                         markets=form.markets.data,
                                         languages=form.languages.data)
    except DomainError as exc:
        rollback()
        show_errors_on_form(form, exc)
        return _user_page(user_id, grant_form=form, status=exc.status)
    commit()
    flash(_("%(name)s now has the %(role)s role.", name=role.user.display_name,
            role=role.role), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id), code=303)


@bp.post("/users/<int:user_id>/roles/<role>/revoke")
def revoke_role(user_id: int, role: str):
    """Take a platform role away."""
    try:
        user = admin.revoke_platform_role(current_user, user_id, role)
    except DomainError as exc:
        rollback()
        return _user_page(user_id, errors=[exc.message], status=exc.status)
    commit()
    flash(_("%(name)s no longer has the %(role)s role.", name=user.display_name, role=role),
          "success")
    return redirect(url_for("admin.user_detail", user_id=user_id), code=303)


@bp.get("/organizations")
def organizations():
    """Organisations, searchable by name, filterable by kind, paginated."""
    query = request.args.get("q", "").strip()
    kind = request.args.get("kind") if request.args.get("kind") in ORGANIZATION_KINDS else None
    pagination = admin.search_organizations(current_user, query, kind, page=_page())
    counts = admin.member_counts([o.id for o in pagination.items])
    return render_template("admin/organizations.html", pagination=pagination, query=query,
                           kind=kind, member_counts=counts)


@bp.get("/organizations/<int:org_id>")
def organization_detail(org_id: int):
    """One organisation with its store and members."""
    organization = admin.get_organization(current_user, org_id)
    return render_template("admin/organization.html", organization=organization,
                           members=admin.organization_members(current_user, org_id))


