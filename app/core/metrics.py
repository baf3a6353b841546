"""Prometheus metrics every layer may count into (prometheus-client).

Under gunicorn each worker is a process of its own: with `PROMETHEUS_MULTIPROC_DIR` set
(gunicorn.conf.py sets it) the client writes these to files there and `/metrics` adds up
every worker's. Queue lengths are not kept here: `/metrics` reads them when it is scraped
(app.ops.metrics).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUEST_LATENCY = Histogram(
    "qiao_request_duration_seconds", "Time to answer a request, by endpoint.",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
PAYMENT_OUTCOMES = Counter(
    "qiao_payment_outcomes_total",
    "What a payment became when Qiao learnt of it, by where it learnt it.",
    ["source", "outcome"])
WEBHOOKS = Counter(
    "qiao_webhooks_total", "Provider webhooks received, by result.", ["provider", "result"])
JOB_RUNS = Counter(
    "qiao_periodic_job_runs_total", "Periodic jobs run by the embedded scheduler.",
    ["job", "outcome"])
REDIS_FALLBACKS = Counter(
    "qiao_redis_fallbacks_total",
    "Calls that found Redis unreachable and carried on without it.", ["component"])


def outcome_label(text: str) -> str:
    """A short, bounded label from an outcome sentence (no ids in label values)."""
    words = [w for w in text.split() if not any(ch.isdigit() for ch in w)]
    return " ".join(words)[:40] or "unknown"
