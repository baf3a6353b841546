"""The unit of work at the edge: commit once, then run the side effects it queued.

Services flush and never commit; they queue side effects (e-mail, jobs) with
`after_commit`. Routes, CLI commands and jobs end with `commit()`, which
dispatches those effects only once the rows they depend on are durable. Tasks are
named (`"qiao.deliver_email"`), never imported, so services stay below the task modules
that call them. With no Celery broker configured, tasks run in-process right after
the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.extensions import celery, db

_PENDING_KEY = "qiao_after_commit"


def after_commit(task_name: str, *args: Any) -> None:
    """Queue the Celery task registered as `task_name` to run with `args` after the commit."""
    if task_name not in celery.tasks:
        # Fail where the task is queued, not later in a worker, when a name is mistyped.
        raise LookupError(f"no Celery task is registered as {task_name!r}")
    db.session.info.setdefault(_PENDING_KEY, []).append((task_name, args))


def commit() -> None:
    """Commit the session, then dispatch every side effect queued in it."""
    db.session.commit()
    pending: list[tuple[str, tuple]] = db.session.info.pop(_PENDING_KEY, [])
    for task_name, args in pending:
        celery.tasks[task_name].delay(*args)


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
