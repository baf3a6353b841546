"""`/healthz` (the process answers), `/readyz` (its database and Redis answer), `/metrics`."""

from __future__ import annotations

import ipaddress
import secrets

from flask import Response, abort, current_app, request
from sqlalchemy import text

from app.core.transaction import rollback
from app.extensions import db
from app.ops import bp
from app.ops.metrics import render_metrics
from app.ops.redis_links import redis_reachable, redis_urls


@bp.get("/healthz")
def healthz():
    """Liveness: the process serves requests. Touches nothing else (a load balancer must
    not restart every server because the database is away).
    """
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Readiness: the database and every configured Redis answer; 503 names what does not."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        rollback()
        current_app.logger.warning("readyz: database unreachable: %s", exc)
        checks["database"] = "unreachable"
    timeout = float(current_app.config["READYZ_TIMEOUT_SECONDS"])
    for name, url in redis_urls(current_app.config).items():
        checks[name] = "ok" if redis_reachable(url, timeout=timeout) else "unreachable"
    ready = all(state == "ok" for state in checks.values())
    return {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503


def _loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
def metrics():
    """Prometheus text format: with METRICS_TOKEN set, for its bearer only; else loopback."""
    config = current_app.config
    if not config["METRICS_ENABLED"]:
        abort(404)
    token = config["METRICS_TOKEN"]
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not secrets.compare_digest(given.encode(), token.encode()):
            abort(404)
    elif not _loopback(request.remote_addr):
        abort(404)
    body, content_type = render_metrics()
    return Response(body, content_type=content_type)
