"""Discover traffic for guaranteed placements: the page reports each first page viewed.

GET requests write nothing, so the Discover page does not count itself: its script
(static/js/discover_views.js) posts once per page load with the page's CSRF token, and
this counts one view for the viewer's region, the country the placements are sold for.
"""

from __future__ import annotations

from app.core.transaction import commit
from app.extensions import limiter
from app.models import utcnow
from app.notes import bp
from app.notes.routes import audience
from app.services.ads import placements
from app.web.beacons import beacon


@bp.post("/feed/discover-views")
@beacon
@limiter.limit("60 per minute")
def discover_view():
    """Count one Discover first page viewed in the viewer's country (204)."""
    placements.record_discover_view(audience().region, utcnow())
    commit()
    return "", 204
