"""Organisation pages: portals, team members, invitations. Each route calls one service."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.orgs import bp
from app.orgs.forms import CreateOrganizationForm, InviteForm, RoleForm, TransferForm
from app.services.errors import DomainError, Forbidden, NotFound
from app.services.orgs import organizations as orgs
from app.services.orgs import team
from app.services.permissions import require_membership
from app.web.forms import reject_form, select_choices
from app.web.links import site_links

MEMBERS_PER_PAGE = 50
ROLE_LABELS = {"owner": _l("Owner"), "admin": _l("Admin"), "staff": _l("Staff")}


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def _members_page(org_id: int, *, invite_form: InviteForm | None = None,
                  transfer_form: TransferForm | None = None, errors: list[str] | None = None,
                  status: int = 200):
    """Render the members page (re-rendered with the failing form's errors on a 4xx)."""
    membership = require_membership(current_user, org_id)
    organization = membership.organization
    page = _page_number()
    total = orgs.member_count(org_id)
    members = orgs.list_members(current_user, org_id, limit=MEMBERS_PER_PAGE,
                                offset=(page - 1) * MEMBERS_PER_PAGE)
    if not members and page > 1:
        abort(404)
    manager = membership.role in ("owner", "admin")
    invitations = orgs.pending_invitations(current_user, org_id) if manager else []
    invite_form = invite_form or InviteForm(formdata=None)
    if membership.role == "owner":
        transfer_form = transfer_form or TransferForm(formdata=None)
        candidates = [m for m in orgs.list_members(current_user, org_id) if m.role != "owner"]
        transfer_form.new_owner.choices = select_choices([("", "—"), *[
            (str(m.user_id), f"{m.user.display_name} ({m.user.email})") for m in candidates]])
    else:
        transfer_form = None
    return render_template(
        "orgs/members.html", organization=organization, membership=membership,
        members=members, total=total, page=page,
        pages=max(1, -(-total // MEMBERS_PER_PAGE)), manager=manager,
        invitations=invitations, invite_form=invite_form, transfer_form=transfer_form,
        role_form=RoleForm(formdata=None), errors=errors or [], role_labels=ROLE_LABELS,
        invitation_status=orgs.invitation_status,
    ), status


def _failed(org_id: int, exc: DomainError):
    rollback()
    return _members_page(org_id, errors=[exc.message], status=exc.status)


@bp.get("/")
@login_required
def index():
    """The organisations the user belongs to."""
    return render_template("orgs/index.html", memberships=orgs.organizations_of(current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """Create a merchant store or a brand account; the creator becomes its owner."""
    form = CreateOrganizationForm()
    if form.validate_on_submit():
        try:
            organization = orgs.create_organization(
                current_user, form.kind.data, form.name.data,
                store_name=form.store_name.data, base_currency=form.base_currency.data,
                origin_country=form.origin_country.data,
                store_description=form.store_description.data or "")
        except DomainError as exc:
            reject_form(form, exc)
            return render_template("orgs/new.html", form=form), exc.status
        commit()
        flash(_("%(name)s is ready. You are its owner; invite your team from the members page.",
                name=organization.name), "success")
        return redirect(url_for("orgs.dashboard", org_id=organization.id))
    status = 422 if form.is_submitted() else 200
    return render_template("orgs/new.html", form=form), status


@bp.get("/<int:org_id>")
@login_required
def dashboard(org_id: int):
    """The organisation's home: the merchant portal (with its store) or the brand portal."""
    membership = require_membership(current_user, org_id)
    return render_template("orgs/dashboard.html", organization=membership.organization,
                           membership=membership, member_total=orgs.member_count(org_id))


@bp.get("/<int:org_id>/members")
@login_required
def members(org_id: int):
    """The team: members and their roles, invitations, ownership transfer."""
    return _members_page(org_id)


@bp.post("/<int:org_id>/invitations")
@login_required
def invite(org_id: int):
    """E-mail an invitation to join the organisation."""
    require_membership(current_user, org_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return _members_page(org_id, invite_form=form, status=422)
    try:
        invitation, _secret = orgs.invite_member(current_user, org_id, form.email.data,
                                                 form.role.data, links=site_links)
    except DomainError as exc:
        reject_form(form, exc)
        return _members_page(org_id, invite_form=form, status=exc.status)
    commit()
    flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("orgs.members", org_id=org_id), code=303)


@bp.post("/<int:org_id>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(org_id: int, invitation_id: int):
    """Withdraw a pending invitation; its link stops working."""
    try:
        invitation = orgs.revoke_invitation(current_user, org_id, invitation_id)
    except DomainError as exc:
        return _failed(org_id, exc)
    commit()
    flash(_("The invitation to %(email)s was revoked.", email=invitation.email), "success")
    return redirect(url_for("orgs.members", org_id=org_id), code=303)


@bp.post("/<int:org_id>/members/<int:user_id>/role")
@login_required
def change_role(org_id: int, user_id: int):
    """Make a member admin or staff."""
    form = RoleForm()
    if not form.validate_on_submit():
        require_membership(current_user, org_id)
        return _members_page(org_id, errors=[_("Choose admin or staff.")], status=422)
    try:
        membership = team.change_member_role(current_user, org_id, user_id, form.role.data)
    except DomainError as exc:
        return _failed(org_id, exc)
    commit()
    flash(_("%(name)s is now %(role)s.", name=membership.user.display_name,
            role=str(ROLE_LABELS[membership.role])), "success")
    return redirect(url_for("orgs.members", org_id=org_id), code=303)


@bp.post("/<int:org_id>/members/<int:user_id>/remove")
@login_required
def remove_member(org_id: int, user_id: int):
    """Remove someone from the team."""
    if user_id == current_user.id:
        return leave(org_id)
    try:
        team.remove_member(current_user, org_id, user_id)
    except DomainError as exc:
        return _failed(org_id, exc)
    commit()
    flash(_("The member was removed."), "success")
    return redirect(url_for("orgs.members", org_id=org_id), code=303)


@bp.post("/<int:org_id>/transfer")
@login_required
def transfer(org_id: int):
    """Hand the organisation to another member; you stay on as an admin."""
    membership = require_membership(current_user, org_id)
    if membership.role != "owner":
        return _failed(org_id, Forbidden(_("Only the owner can transfer ownership."),
                                         code="owner_only"))
    form = TransferForm()
    candidates = [m for m in orgs.list_members(current_user, org_id) if m.role != "owner"]
    form.new_owner.choices = select_choices([("", "—"), *[(str(m.user_id), m.user.display_name)
                                                          for m in candidates]])
    if not form.validate_on_submit():
        return _members_page(org_id, transfer_form=form, status=422)
    if form.confirm_name.data.strip() != membership.organization.name:
        form.confirm_name.errors = [_("Type %(name)s exactly to confirm.",
                                      name=membership.organization.name)]
        return _members_page(org_id, transfer_form=form, status=422)
    try:
        new_owner = team.transfer_ownership(current_user, org_id, int(form.new_owner.data))
    except DomainError as exc:
        reject_form(form, exc)
        return _members_page(org_id, transfer_form=form, status=exc.status)
    commit()
    flash(_("%(name)s now owns %(org)s. You are an admin.", name=new_owner.user.display_name,
            org=membership.organization.name), "success")
    return redirect(url_for("orgs.members", org_id=org_id), code=303)


@bp.post("/<int:org_id>/leave")
@login_required
def leave(org_id: int):
    """Leave the organisation (owners transfer ownership first)."""
    try:
        organization = team.leave_organization(current_user, org_id)
    except DomainError as exc:
        return _failed(org_id, exc)
    name = organization.name
    commit()
    flash(_("You left %(org)s.", org=name), "success")
    return redirect(url_for("orgs.index"), code=303)


@bp.route("/invitations/<secret>", methods=["GET", "POST"])
def accept_invitation(secret: str):
    """Show an invitation and accept it (log in first; you come back here afterwards)."""
    if not current_user.is_authenticated:
        flash(_("Log in with the invited e-mail address to accept the invitation. New to Qiao? "
                "Sign up with that address first, then open the link again."), "info")
        return redirect(url_for("auth.login", next=url_for("orgs.accept_invitation",
                                                          secret=secret)))
    try:
        preview = orgs.preview_invitation(current_user, secret)
    except NotFound as exc:
        return render_template("orgs/invitation.html", preview=None, problem=exc), exc.status
    if request.method == "POST" and preview.problem is None:
        try:
            membership = orgs.accept_invitation(current_user, secret)
        except DomainError as exc:
            rollback()
            return render_template("orgs/invitation.html", preview=preview,
                                   problem=exc), exc.status
        commit()
        flash(_("Welcome to %(org)s! You joined as %(role)s.",
                org=membership.organization.name, role=str(ROLE_LABELS[membership.role])),
              "success")
        return redirect(url_for("orgs.dashboard", org_id=membership.organization_id),
                        code=303)
    status = preview.problem.status if preview.problem else 200
    return render_template("orgs/invitation.html", preview=preview,
                           problem=preview.problem), status
