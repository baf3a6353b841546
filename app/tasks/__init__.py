"""Celery tasks, one module per domain. Each task is an edge: it calls services and commits.

Services never import this package: they queue a task by its registered name with
`app.core.transaction.after_commit("qiao.…", …)`. Importing the package registers every task.
"""

from app.tasks import (  # noqa: F401
    ad_delivery,
    ad_placements,
    ads,
    catalog,
    inventory,
    logistics,
    mail,
    media,
    moderation,
    payments,
    social,
)
