"""The unit of work at the edge: commit once, then run the side effects it queued.

Services flush and never commit; they queue side effects (e-mail, jobs) with
`after_commit`. Routes, CLI commands and jobs end with `commit()`, which
dispatches those effects only once the rows they depend on are durable. With
no Celery broker configured, tasks run in-process right after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.extensions import db

_PENDING_KEY = "qiao_after_commit"


def after_commit(task: Any, *args: Any) -> None:
    """Queue Celery task `task(*args)` to be dispatched after the next commit."""
    db.session.info.setdefault(_PENDING_KEY, []).append((task, args))


def commit() -> None:
    """Commit the session, then dispatch every side effect queued in it."""
    db.session.commit()
    pending: list[tuple[Any, tuple]] = db.session.info.pop(_PENDING_KEY, [])
    for task, args in pending:
        task.delay(*args)


def rollback() -> None:
    """Roll back and forget the side effects the failed work had queued."""
    db.session.rollback()
    db.session.info.pop(_PENDING_KEY, None)


def in_transaction(work: Callable[[], Any]) -> Any:
    """Run `work`, commit on success, roll back (and re-raise) on any error."""
    try:
        result = work()
    except BaseException:
        rollback()
        raise
    commit()
    return result
