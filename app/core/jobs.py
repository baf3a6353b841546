"""Celery wiring: a Redis broker in production, in-process execution when none is set.

Also the periodic schedule, shared by Celery beat and the embedded scheduler.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery import Task
from flask import Flask, has_app_context

from app.extensions import celery

# The periodic jobs, the one schedule both Celery beat (production) and the embedded
# scheduler beside `make run` (app.ops.scheduler) follow: (name, task, seconds between runs).
PERIODIC_JOBS: tuple[tuple[str, str, int], ...] = (
    ("retry-pending-emails", "qiao.retry_pending_emails", 300),
    ("release-expired-reservations", "qiao.release_expired_reservations", 60),
    ("expire-checkout-quotes", "qiao.expire_checkout_quotes", 60),
    ("reconcile-payments", "qiao.reconcile_payments", 300),
    ("sync-pending-refunds", "qiao.sync_pending_refunds", 300),
    ("poll-tracking", "qiao.poll_tracking", 900),
    ("adjust-ad-pacing", "qiao.adjust_ad_pacing", 300),
    ("advance-campaigns", "qiao.advance_campaigns", 60),
    ("settle-partnership-reviews", "qiao.settle_partnership_reviews", 60),
    ("sync-ad-topups", "qiao.sync_ad_topups", 300),
    ("expire-placement-holds", "qiao.expire_placement_holds", 60),
    ("update-placement-pacing", "qiao.update_placement_pacing", 300),
    ("roll-up-campaign-days", "qiao.roll_up_campaign_days", 3600),
    ("expire-coauthor-invitations", "qiao.expire_coauthor_invitations", 3600),
    ("advance-events", "qiao.advance_events", 60),
    ("fold-purchase-interests", "qiao.fold_purchase_interests", 600),
    ("decay-interests", "qiao.decay_interests", 86400),
    ("rescreen-stale-pending", "qiao.rescreen_stale_pending", 300),
)


def parse_job_intervals(value: str) -> dict[str, int]:
    """`JOB_INTERVALS` ("reconcile-payments=60,poll-tracking=600") as {name: seconds}."""
    known = {name for name, _task, _seconds in PERIODIC_JOBS}
    intervals: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        name, _, seconds = part.partition("=")
        name = name.strip()
        if name not in known or not seconds.strip().isdigit() or int(seconds) < 1:
            raise ValueError(f"JOB_INTERVALS: {part!r} is not <job>=<seconds> with a job of "
                             f"{', '.join(sorted(known))}")
        intervals[name] = int(seconds)
    return intervals


def periodic_jobs(config: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """The schedule with this deployment's `JOB_INTERVALS` overrides applied."""
    overrides = parse_job_intervals(config.get("JOB_INTERVALS", ""))
    return [(name, task, overrides.get(name, seconds)) for name, task, seconds in PERIODIC_JOBS]


def init_celery(app: Flask) -> None:
    """Configure the shared Celery instance for `app`."""
    broker = app.config["CELERY_BROKER_URL"]

    class AppContextTask(Task):
        def __call__(self, *args, **kwargs):
            # In-process tasks run inside the caller's app context (and session).
            if has_app_context():
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    celery.conf.update(
        broker_url=broker or "memory://",
        result_backend=app.config["CELERY_RESULT_BACKEND"] or None,
        task_always_eager=not broker,
        task_eager_propagates=True,
        task_ignore_result=True,
        # A broker that is down must fail a publish fast (commit() then runs the task
        # in-process), not hold the request through kombu's default retries.
        broker_connection_timeout=2,
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0,
                                   "interval_step": 0.5, "interval_max": 0.5},
        beat_schedule={name: {"task": task, "schedule": float(seconds)}
                       for name, task, seconds in periodic_jobs(app.config)},
    )
    celery.Task = AppContextTask
    celery.set_default()
    app.extensions["celery"] = celery

