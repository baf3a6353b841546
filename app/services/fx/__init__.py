"""Exchange rates: snapshots from a rate source or an admin, and conversion between currencies."""

from app.services.fx.conversion import (
    LockedRate,
    RateUnavailable,
    StaleRate,
    convert,
    lock_rate,
    track_rate_writes,
)

__all__ = [
    "LockedRate",
    "RateUnavailable",
    "StaleRate",
    "convert",
    "lock_rate",
    "track_rate_writes",
]
