"""The embedded scheduler: the beat schedule run beside a server that has no Celery broker.

`flask jobs schedule` (started beside the server by `python -m app.sandbox run`, i.e.
`make run`) wakes every `SCHEDULER_TICK_SECONDS` and runs each periodic job of
`app.core.jobs.PERIODIC_JOBS` that is due, in this process. A job is taken with one
conditional UPDATE of its `job_leases` row (lease free or run out, interval elapsed since
its last start), so any number of servers sharing the database run each job once per
interval and never two at once; a holder killed mid-job frees the job when its lease
(`JOB_LEASE_SECONDS`) runs out. Production keeps Celery beat, which reads the same schedule.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.core.database import is_busy
from app.core.jobs import periodic_jobs
from app.core.metrics import JOB_RUNS
from app.core.transaction import commit, rollback
from app.extensions import celery, db
from app.models import JobLease, utcnow

log = logging.getLogger("qiao.scheduler")


@dataclass(frozen=True)
class JobRun:
    """What one tick did with one job."""

    name: str
    outcome: str  # "ran", "failed", "not due or held elsewhere"


def holder_id() -> str:
    """Who holds a lease: host, process and thread (shown by `flask jobs status`)."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:200]


def ensure_lease_rows() -> None:
    """One lease row per scheduled job; servers starting together may race to insert it."""
    known = set(db.session.scalars(select(JobLease.name)))
    for name, _task, _seconds in periodic_jobs(current_app.config):
        if name in known:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(JobLease(name=name))
        except IntegrityError:
            pass  # another server inserted it first
    commit()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reclaim_dead_leases() -> list[str]:
    """Free leases held by schedulers of this host whose process is gone (killed mid-job),
    so a restarted server does not wait for the lease to run out. Returns the job names.
    """
    host = socket.gethostname()
    freed = []
    for lease in db.session.scalars(select(JobLease).where(JobLease.locked_until > utcnow())):
        lease_host, _, rest = (lease.holder or "").partition(":")
        pid = rest.partition(":")[0]
        if lease_host == host and pid.isdigit() and int(pid) != os.getpid() \
                and not _alive(int(pid)):
            released = db.session.execute(
                update(JobLease).where(JobLease.name == lease.name,
                                       JobLease.holder == lease.holder)
                .values(locked_until=None, last_result="failed: holder died")
                .execution_options(synchronize_session=False)).rowcount
            if released:
                freed.append(lease.name)
    commit()
    if freed:
        log.warning("embedded scheduler: freed the leases of %s, held by a process that died",
                    ", ".join(freed))
    return freed


def acquire_lease(name: str, interval: int, *, holder: str, now: datetime | None = None,
                  lease_seconds: int | None = None) -> bool:
    """Take job `name` if its lease is free and `interval` seconds passed since its start."""
    now = now or utcnow()
    lease = lease_seconds or int(current_app.config["JOB_LEASE_SECONDS"])
    taken = db.session.execute(
        update(JobLease)
        .where(JobLease.name == name,
               or_(JobLease.locked_until.is_(None), JobLease.locked_until <= now),
               or_(JobLease.last_started_at.is_(None),
                   JobLease.last_started_at <= now - timedelta(seconds=interval)))
        .values(holder=holder, locked_until=now + timedelta(seconds=lease),
                last_started_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    commit()
    return taken


def release_lease(name: str, *, holder: str, result: str) -> None:
    """Give the lease back (only if still ours) and record how the run ended."""
    db.session.execute(
        update(JobLease)
        .where(and_(JobLease.name == name, JobLease.holder == holder))
        .values(locked_until=None, last_finished_at=utcnow(), last_result=result[:200])
        .execution_options(synchronize_session=False))
    commit()


def run_due_jobs(*, holder: str | None = None, now: datetime | None = None) -> list[JobRun]:
    """Run, one after the other in this process, every job that is due and not held."""
    holder = holder or holder_id()
    runs = []
    for name, task_name, interval in periodic_jobs(current_app.config):
        if not acquire_lease(name, interval, holder=holder, now=now):
            runs.append(JobRun(name, "not due or held elsewhere"))
            continue
        started = time.monotonic()
        try:
            count = celery.tasks[task_name].run()
            result, outcome = f"ok: {count}", "ran"
            log.info("periodic job %s: %s (%.2f s)", name, count, time.monotonic() - started)
        except Exception as exc:
            rollback()
            result, outcome = f"failed: {type(exc).__name__}", "failed"
            log.exception("periodic job %s failed", name)
        JOB_RUNS.labels(job=name, outcome=outcome).inc()
        release_lease(name, holder=holder, result=result)
        runs.append(JobRun(name, outcome))
    return runs


def job_status() -> list[str]:
    """One line per scheduled job: interval, who holds it until when, its last run."""
    leases = {lease.name: lease for lease in db.session.scalars(select(JobLease))}
    lines = []
    for name, _task, interval in periodic_jobs(current_app.config):
        lease = leases.get(name)
        if lease is None:
            lines.append(f"{name}: every {interval}s, never run")
            continue
        held = (f"held by {lease.holder} until {lease.locked_until:%Y-%m-%d %H:%M:%S}Z"
                if lease.locked_until and lease.locked_until > utcnow() else "free")
        last = (f"last started {lease.last_started_at:%Y-%m-%d %H:%M:%S}Z ({lease.last_result})"
                if lease.last_started_at else "never run")
        lines.append(f"{name}: every {interval}s, {held}, {last}")
    return lines


def run_forever(app: Flask, *, stop: threading.Event | None = None) -> None:
    """Tick until `stop` is set (or forever); a failing tick is logged and the next one tried."""
    stop = stop or threading.Event()
    tick = float(app.config["SCHEDULER_TICK_SECONDS"])
    holder = holder_id()
    started = False
    while not stop.is_set():
        try:
            with app.app_context():
                if not started:
                    # Retried each tick: under `make run` the demo seed holds SQLite's write
                    # lock for a while as the scheduler starts.
                    ensure_lease_rows()
                    reclaim_dead_leases()
                    started = True
                    log.info("embedded scheduler %s: %s", holder,
                             ", ".join(f"{name} every {seconds}s"
                                       for name, _task, seconds in periodic_jobs(app.config)))
                run_due_jobs(holder=holder)
        except Exception as exc:
            # The database busy or away for a moment must not end the scheduler.
            if is_busy(exc):
                log.warning("embedded scheduler: the database is busy; trying again in %s s",
                            tick)
            else:
                log.exception("embedded scheduler: tick failed; trying again in %s s", tick)
        stop.wait(tick)
