"""Celery wiring: a Redis broker in production, in-process execution when none is set."""

from __future__ import annotations

from celery import Task
from flask import Flask, has_app_context

from app.extensions import celery


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
        beat_schedule={
            "retry-pending-emails": {"task": "qiao.retry_pending_emails", "schedule": 300.0},
            "release-expired-reservations": {"task": "qiao.release_expired_reservations",
                                             "schedule": 60.0},
            "expire-checkout-quotes": {"task": "qiao.expire_checkout_quotes", "schedule": 60.0},
            "reconcile-payments": {"task": "qiao.reconcile_payments", "schedule": 300.0},
            "poll-tracking": {"task": "qiao.poll_tracking", "schedule": 900.0},
            "adjust-ad-pacing": {"task": "qiao.adjust_ad_pacing",
                                 "schedule": float(app.config["ADS_PACING_INTERVAL_SECONDS"])},
            "advance-campaigns": {"task": "qiao.advance_campaigns", "schedule": 60.0},
            "sync-ad-topups": {"task": "qiao.sync_ad_topups", "schedule": 300.0},
            "expire-placement-holds": {"task": "qiao.expire_placement_holds",
                                       "schedule": 60.0},
            "update-placement-pacing": {"task": "qiao.update_placement_pacing",
                                        "schedule": 300.0},
            "roll-up-campaign-days": {"task": "qiao.roll_up_campaign_days",
                                      "schedule": 3600.0},
        },
    )
    celery.Task = AppContextTask
    celery.set_default()
    app.extensions["celery"] = celery

