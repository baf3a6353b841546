"""The embedded scheduler: one schedule with beat, leases shared by every server."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from app.core import jobs
from app.extensions import celery, db
from app.models import JobLease, utcnow
from app.ops import scheduler

CALLS: list[str] = []


@celery.task(name="qiao.test_scheduled_job")
def _counting_job() -> int:
    CALLS.append("ran")
    return len(CALLS)


@celery.task(name="qiao.test_failing_job")
def _failing_job() -> int:
    raise RuntimeError("boom")


@pytest.fixture
def one_job(app, monkeypatch):
    CALLS.clear()
    schedule = [("test-job", "qiao.test_scheduled_job", 60)]
    monkeypatch.setattr(scheduler, "periodic_jobs", lambda config: schedule)
    scheduler.ensure_lease_rows()
    return schedule


def test_beat_and_the_embedded_scheduler_read_one_schedule(app):
    beat = celery.conf.beat_schedule
    assert {name: (entry["task"], entry["schedule"]) for name, entry in beat.items()} == {
        name: (task, float(seconds)) for name, task, seconds in jobs.periodic_jobs(app.config)}
    assert {"qiao.reconcile_payments", "qiao.expire_checkout_quotes",
            "qiao.retry_pending_emails"} <= {task for _n, task, _s in jobs.PERIODIC_JOBS}
    for _name, task, _seconds in jobs.PERIODIC_JOBS:
        assert task in celery.tasks


def test_job_intervals_override_the_schedule():
    config = {"JOB_INTERVALS": "reconcile-payments=7, poll-tracking=600"}
    intervals = {name: seconds for name, _task, seconds in jobs.periodic_jobs(config)}
    assert intervals["reconcile-payments"] == 7 and intervals["poll-tracking"] == 600
    assert intervals["expire-checkout-quotes"] == 60
    for bad in ("reconcile-payments", "no-such-job=5", "reconcile-payments=0",
                "reconcile-payments=soon"):
        with pytest.raises(ValueError, match="JOB_INTERVALS"):
            jobs.parse_job_intervals(bad)


def test_a_due_job_runs_once_across_two_servers(one_job):
    first = scheduler.run_due_jobs(holder="host-a:1:1")
    second = scheduler.run_due_jobs(holder="host-b:2:1")
    assert [run.outcome for run in first] == ["ran"]
    assert [run.outcome for run in second] == ["not due or held elsewhere"]
    assert CALLS == ["ran"]
    lease = db.session.get(JobLease, "test-job")
    assert lease.locked_until is None and lease.last_result == "ok: 1"
    # Once its interval has passed, whichever server looks first runs it again.
    later = utcnow() + timedelta(seconds=61)
    assert [r.outcome for r in scheduler.run_due_jobs(holder="host-b:2:1", now=later)] == ["ran"]
    assert CALLS == ["ran", "ran"]


def test_a_held_lease_is_not_taken_until_it_runs_out(one_job):
    now = utcnow()
    assert scheduler.acquire_lease("test-job", 60, holder="host-a:1:1", now=now,
                                   lease_seconds=30)
    # Another server, even once the interval has passed, waits while the lease is held.
    assert not scheduler.acquire_lease("test-job", 0, holder="host-b:2:1",
                                       now=now + timedelta(seconds=29))
    # A holder that died mid-job frees it when the lease runs out.
    assert scheduler.acquire_lease("test-job", 0, holder="host-b:2:1",
                                   now=now + timedelta(seconds=31))
    # The late release of the first holder must not free the second's lease.
    scheduler.release_lease("test-job", holder="host-a:1:1", result="ok: 0")
    assert db.session.get(JobLease, "test-job").holder == "host-b:2:1"
    assert db.session.get(JobLease, "test-job").locked_until is not None


def test_a_failing_job_is_logged_released_and_does_not_stop_the_others(app, monkeypatch,
                                                                      caplog):
    monkeypatch.setattr(scheduler.log, "disabled", False)  # Alembic's fileConfig disables it
    CALLS.clear()
    schedule = [("failing", "qiao.test_failing_job", 60),
                ("fine", "qiao.test_scheduled_job", 60)]
    monkeypatch.setattr(scheduler, "periodic_jobs", lambda config: schedule)
    scheduler.ensure_lease_rows()
    runs = scheduler.run_due_jobs(holder="host-a:1:1")
    assert [run.outcome for run in runs] == ["failed", "ran"]
    failed = db.session.get(JobLease, "failing")
    assert failed.locked_until is None and failed.last_result == "failed: RuntimeError"
    assert "periodic job failing failed" in caplog.text


def test_leases_of_a_dead_local_scheduler_are_reclaimed_at_start(one_job):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = scheduler.holder_id().partition(":")[0]
    later = utcnow() + timedelta(minutes=5)
    lease = db.session.get(JobLease, "test-job")
    lease.holder, lease.locked_until = f"{host}:{dead.pid}:1", later
    db.session.add(JobLease(name="alive-elsewhere", holder=f"other-host:{dead.pid}:1",
                            locked_until=later))
    db.session.add(JobLease(name="alive-here", holder=f"{host}:{scheduler.os.getppid()}:1",
                            locked_until=later))
    db.session.commit()
    assert scheduler.reclaim_dead_leases() == ["test-job"]
    assert db.session.get(JobLease, "test-job").locked_until is None
    assert db.session.get(JobLease, "alive-elsewhere").locked_until is not None
    assert db.session.get(JobLease, "alive-here").locked_until is not None


def test_status_lists_every_job(one_job, runner):
    scheduler.run_due_jobs(holder="host-a:1:1")
    [line] = scheduler.job_status()
    assert line.startswith("test-job: every 60s, free, last started") and "(ok: 1)" in line


def test_reconcile_job_waits_the_configured_age(app, monkeypatch):
    from app.services.payments import reconcile as reconcile_service
    from app.tasks import payments as payment_tasks

    seen = {}

    def fake_reconcile(*, links, older_than):
        seen["older_than"] = older_than
        return ["payment 7 (pi_x on sandbox): succeeded"]

    monkeypatch.setattr(reconcile_service, "reconcile_payments", fake_reconcile)
    monkeypatch.setitem(app.config, "RECONCILE_MIN_AGE_SECONDS", 42)
    assert payment_tasks.reconcile_payments.run() == 1
    assert seen["older_than"] == timedelta(seconds=42)


def test_the_sandbox_runner_starts_the_scheduler_unless_turned_off(monkeypatch):
    from app import sandbox

    started = []
    monkeypatch.setattr(sandbox.subprocess, "Popen",
                        lambda command, env: started.append(command) or "process")
    assert sandbox.start_scheduler({"EMBEDDED_SCHEDULER": "false"}) is None
    assert sandbox.start_scheduler({}) == "process"
    assert started[0][-2:] == ["jobs", "schedule"]
