"""Organisation pages: merchant and brand portals, members and invitations."""

from flask import Blueprint

bp = Blueprint("orgs", __name__)

from app.orgs import placement_routes, report_routes, routes  # noqa: E402,F401
