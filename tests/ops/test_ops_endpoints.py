"""/healthz, /readyz, /metrics, request ids, JSON logs and the Redis fallbacks, in-process."""

from __future__ import annotations

import json
import logging

import pytest
from limits.storage import storage_from_string
from prometheus_client import REGISTRY

from app.extensions import db
from app.models import OutboxEmail
from app.ops.logs import JsonFormatter, RequestIdFilter
from app.ops.resilience import FailoverStorage
from tests.ops.live import free_port


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_healthz_answers_without_touching_the_database(client, monkeypatch):
    def no_database(*args, **kwargs):
        raise AssertionError("healthz must not query")

    monkeypatch.setattr(db.session, "execute", no_database)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_checks_the_database_and_each_redis(app, client, monkeypatch):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok"}}
    dead = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", dead)
    monkeypatch.setitem(app.config, "READYZ_TIMEOUT_SECONDS", 0.5)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "redis_broker": "unreachable"}


def test_readyz_is_503_when_the_database_is_away(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def away(*args, **kwargs):
        raise OperationalError("SELECT 1", None, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", away)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable",
                                   "checks": {"database": "unreachable"}}
    monkeypatch.undo()
    assert client.get("/healthz").status_code == 200


def test_readyz_with_a_live_redis(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
    response = client.get("/readyz")
    if response.get_json()["checks"]["redis_rate_limits"] != "ok":
        pytest.skip("no Redis on 127.0.0.1:6379")
    assert response.status_code == 200


def test_metrics_are_for_loopback_or_the_token_only(app, client, monkeypatch):
    assert client.get("/metrics").status_code == 200
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outside).status_code == 404
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-token")
    assert client.get("/metrics").status_code == 404  # the token is needed even on loopback
    assert client.get("/metrics", environ_base=outside,
                      headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", environ_base=outside,
                      headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    monkeypatch.setitem(app.config, "METRICS_ENABLED", False)
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}
                      ).status_code == 404


def test_metrics_count_latency_by_endpoint_and_show_queue_lengths(client):
    before = sample("qiao_request_duration_seconds_count", endpoint="ops.healthz",
                    method="GET", status="200")
    client.get("/healthz")
    client.get("/healthz")
    assert sample("qiao_request_duration_seconds_count", endpoint="ops.healthz",
                  method="GET", status="200") == before + 2
    db.session.add(OutboxEmail(to_address="a@example.test", subject="s", body_text="b",
                               purpose="test"))
    db.session.commit()
    text = client.get("/metrics").get_data(as_text=True)
    assert 'qiao_request_duration_seconds_bucket{endpoint="ops.healthz"' in text
    line = next(x for x in text.splitlines() if x.startswith('qiao_queue_length{queue="outbox'))
    assert float(line.split()[-1]) >= 1
    assert 'qiao_queue_length{queue="waiting_payments"}' in text


def test_webhook_outcomes_are_counted(client):
    before = sample("qiao_webhooks_total", provider="stripe", result="invalid_signature")
    response = client.post("/api/v1/webhooks/stripe", data=b"{}",
                           content_type="application/json",
                           headers={"Stripe-Signature": "t=1,v1=00"})
    assert response.status_code == 400
    assert sample("qiao_webhooks_total", provider="stripe",
                  result="invalid_signature") == before + 1


@pytest.mark.parametrize(("given", "echoed"), [
    ("req-42.abc", "req-42.abc"), ("bad id with spaces", None), ("x" * 200, None), ("", None)])
def test_request_id_is_echoed_or_made(client, given, echoed):
    response = client.get("/healthz", headers={"X-Request-ID": given} if given else {})
    request_id = response.headers["X-Request-ID"]
    if echoed:
        assert request_id == echoed
    else:
        assert len(request_id) == 32 and request_id != given


def test_json_log_lines_carry_the_request_id(app):
    formatter, request_filter = JsonFormatter(), RequestIdFilter()
    with app.test_request_context("/"):
        from flask import g

        g.request_id = "rid-1"
        record = logging.makeLogRecord({"name": "qiao.test", "levelname": "WARNING",
                                        "msg": "paid %s", "args": ("7",), "status": 201})
        request_filter.filter(record)
    line = json.loads(formatter.format(record))
    assert line["message"] == "paid 7" and line["request_id"] == "rid-1"
    assert line["level"] == "WARNING" and line["status"] == 201 and "time" in line
    outside = logging.makeLogRecord({"msg": "tick"})
    request_filter.filter(outside)
    assert json.loads(formatter.format(outside))["request_id"] is None


def test_rate_limit_storage_falls_back_to_memory_when_redis_is_down(caplog):
    from app.ops import resilience

    resilience.log.disabled = False
    storage = FailoverStorage(storage_from_string(f"redis://127.0.0.1:{free_port()}/0"))
    before = sample("qiao_redis_fallbacks_total", component="rate_limits")
    with caplog.at_level(logging.WARNING, logger="qiao.redis"):
        assert storage.incr("k", 60) == 1
    assert storage.degraded and "Redis unreachable" in caplog.text
    assert storage.incr("k", 60) == 2  # answered from memory, without waiting for Redis
    assert storage.get("k") == 2
    assert sample("qiao_redis_fallbacks_total", component="rate_limits") == before + 1


def test_a_broker_that_is_down_runs_the_job_in_process(app, monkeypatch, caplog):
    from kombu.exceptions import OperationalError

    from app.core import transaction
    from app.extensions import celery

    ran = []

    @celery.task(name="qiao.test_after_commit_job")
    def job(value):
        ran.append(value)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(job, "delay", broker_down)
    monkeypatch.setitem(celery.conf, "task_always_eager", False)
    monkeypatch.setattr(transaction.log, "disabled", False)
    before = sample("qiao_redis_fallbacks_total", component="broker")
    transaction.after_commit("qiao.test_after_commit_job", 7)
    with caplog.at_level(logging.WARNING, logger="qiao.jobs"):
        transaction.commit()
    assert ran == [7]
    assert "Celery broker unreachable" in caplog.text
    assert sample("qiao_redis_fallbacks_total", component="broker") == before + 1
