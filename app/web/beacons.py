"""Beacons and background requests: answers that must not put an old session back.

A beacon (a Discover view, an ad impression) can be answered after the page that sent it
is gone. With a permanent session every answer carries the cookie, so a late answer would
put back the session the beacon was sent with: after a log-out or a log-in as someone else,
the browser would hold the previous session, and its language, again.

A page's own fetch (the tag picker's product search) can race a navigation the same way:
answered after a form's redirect, its cookie would drop the redirect's flash message. Such
an answer sends the cookie only when its view changed the session; navigations alone
refresh the cookie's expiry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

View = TypeVar("View", bound=Callable)


def beacon(view: View) -> View:
    """Mark a view as a beacon endpoint: it reads the session but never sends it back."""
    view.is_beacon = True  # type: ignore[attr-defined]
    return view


class BeaconSafeSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, left untouched by answers to beacons and sent back by a
    page's other background requests only when they changed it.
    """

    def should_set_cookie(self, app: Flask, session) -> bool:
        """Refresh an unchanged session from navigations only, never from a page's fetch."""
        if session.modified:
            return True
        # Browsers send Sec-Fetch-Mode; a client without it (curl, an app) counts as a
        # navigation, as before.
        if request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate":
            return False
        return super().should_set_cookie(app, session)

    def save_session(self, app: Flask, session, response) -> None:
        """Write the cookie as usual, except in the answer to a beacon."""
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if getattr(view, "is_beacon", False):
            return
        super().save_session(app, session, response)
