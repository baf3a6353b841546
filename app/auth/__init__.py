"""Sign-up, log-in and -out, e-mail verification and password reset."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import routes  # noqa: E402,F401
