"""The unit of work at the edge: commit once, then run the side effects it queued.

Services flush and never commit; they queue side effects (e-mail, jobs) with
`after_commit`. Routes, CLI commands and jobs end with `commit()`, which
dispatches those effects only once the rows they depend on are durable. Tasks are
named (`"qiao.deliver_email"`), never imported, so services stay below the task modules
that call them. With no Celery broker configured, tasks run in-process right after
the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from app.core.metrics import REDIS_FALLBACKS
from app.extensions import celery, db

log = logging.getLogger("qiao.jobs")

_PENDING_KEY = "qiao_after_commit"


def after_commit(task_name: str, *args: Any) -> None:
    """Queue the Celery task registered as `task_name` to run with `args` after the commit."""
    if task_name not in celery.tasks:
        # Fail where the task is queued, not later in a worker, when a name is mistyped.
        raise LookupError(f"no Celery task is registered as {task_name!r}")
    db.session.info.setdefault(_PENDING_KEY, []).append((task_name, args))


def screen_after_commit(target_type: str, item: Any) -> None:
    """Queue the screening job of a created or edited note, comment, listing or profile.

    With a Celery broker the job runs a while after the commit, so a visible item waits as
    "pending" (shown to its author only) until it has run; in-process jobs screen right
    after the commit, so the item keeps its state there. Held, removed or age-gated items
    keep theirs: screening can only make them stricter.
    """
    if not celery.conf.task_always_eager and item.moderation_state == "visible":
        item.moderation_state = "pending"
    after_commit("qiao.screen_content", target_type, item.id)


def commit() -> None:
    """Commit the session, then dispatch every side effect queued in it."""
    db.session.commit()
    pending: list[tuple[str, tuple]] = db.session.info.pop(_PENDING_KEY, [])
    for task_name, args in pending:
        task = celery.tasks[task_name]
        try:
            task.delay(*args)
        except Exception as exc:
            if task.app.conf.task_always_eager:
                raise
            # The rows are committed: a broker that cannot be reached must not turn the
            # request into an error. The task runs here instead, a little slower.
            log.warning("Celery broker unreachable (%s); running %s in-process", exc,
                        task_name)
            REDIS_FALLBACKS.labels(component="broker").inc()
            task.apply(args=args)


def rollback() -> None:
    """Roll back and forget the side effects the failed work had queued."""
    db.session.rollback()
    db.session.info.pop(_PENDING_KEY, None)


def rollback_and_keep(exc: BaseException | None = None) -> None:
    """Roll back, then run and commit what a refusal asks to keep (its `after_rollback`)."""
    rollback()
    keep = getattr(exc, "after_rollback", None)
    if callable(keep):
        keep()
        commit()


def in_transaction(work: Callable[[], Any]) -> Any:
    """Run `work`, commit on success, roll back (and re-raise) on any error."""
    try:
        result = work()
    except BaseException as exc:
        rollback_and_keep(exc)
        raise
    commit()
    return result
