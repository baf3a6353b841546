"""Periodic clean-ups that work through a backlog in bounded, separately committed batches."""

from __future__ import annotations

from collections.abc import Callable

from app.core.transaction import commit


def in_committed_batches(step: Callable[[int], int], batch: int) -> int:
    """Run `step(limit=batch)` and commit until it handles fewer than `batch`; the total.

    Each batch commits on its own so a long backlog never holds one huge transaction.
    """
    total = 0
    while True:
        count = step(batch)
        commit()
        total += count
        if count < batch:
            return total
