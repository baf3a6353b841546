"""Request latency by endpoint, and the metrics page put together when it is scraped."""

from __future__ import annotations

import logging
import os
import time

import redis
from flask import Flask, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from app.core.metrics import REQUEST_LATENCY
from app.core.transaction import rollback
from app.services.backlog import backlog_counts

log = logging.getLogger("qiao.metrics")
_STARTED = "qiao_request_started"


def register_metrics(app: Flask) -> None:
    """Time every request (by endpoint, not by URL: ids would make a label per object)."""

    @app.before_request
    def _start_timer() -> None:
        g.setdefault(_STARTED, time.perf_counter())

    @app.after_request
    def _observe(response):
        started = g.get(_STARTED)
        if started is not None:
            REQUEST_LATENCY.labels(endpoint=request.endpoint or "unmatched",
                                   method=request.method,
                                   status=str(response.status_code)).observe(
                time.perf_counter() - started)
        return response


class QueueCollector:
    """Queue lengths read at scrape time: the Celery queue in Redis, the jobs' backlogs."""

    def collect(self):  # noqa: D102
        gauge = GaugeMetricFamily("qiao_queue_length",
                                  "Work waiting: the Celery broker's queue and the rows "
                                  "the periodic jobs have yet to handle.", labels=["queue"])
        broker = current_app.config["CELERY_BROKER_URL"]
        if broker.startswith(("redis://", "rediss://")):
            client = redis.Redis.from_url(broker, socket_timeout=1, socket_connect_timeout=1)
            try:
                gauge.add_metric(["celery"], client.llen("celery"))
            except (redis.RedisError, OSError) as exc:
                log.warning("metrics: the Celery broker did not answer: %s", exc)
            finally:
                client.close()
        try:
            for name, count in backlog_counts().items():
                gauge.add_metric([name], count)
        except Exception as exc:
            rollback()
            log.warning("metrics: the database did not answer: %s", exc)
        yield gauge


def render_metrics() -> tuple[bytes, str]:
    """Every worker's metrics (multi-process mode under gunicorn) plus the queue lengths."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    queues = CollectorRegistry()
    queues.register(QueueCollector())
    return generate_latest(registry) + generate_latest(queues), CONTENT_TYPE_LATEST
