"""Beacons: requests a page sends on its own, which must never rewrite the session cookie.

A beacon (a Discover view, an ad impression) can be answered after the page that sent it
is gone. With a permanent session every answer carries the cookie, so a late answer would
put back the session the beacon was sent with: after a log-out or a log-in as someone else,
the browser would hold the previous session, and its language, again.
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
    """The signed-cookie session, left untouched by answers to beacons."""

    def save_session(self, app: Flask, session, response) -> None:
        """Write the cookie as usual, except in the answer to a beacon."""
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if getattr(view, "is_beacon", False):
            return
        super().save_session(app, session, response)
