"""Running Qiao on more than one machine: health and readiness, metrics, structured logs,
request ids, Redis fallbacks and the embedded scheduler.
"""

from flask import Blueprint

bp = Blueprint("ops", __name__)

from app.ops import routes  # noqa: E402,F401 - registers the views on bp
