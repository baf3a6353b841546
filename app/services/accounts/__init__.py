"""Accounts: sign-up, log-in, passwords, e-mailed links, tokens, profiles, preferences, admin."""

from app.services.accounts.time_zones import (
    format_local_time,
    format_viewer_day,
    format_viewer_time,
    mail_time_zone,
)
from app.services.accounts.users import (
    normalize_email,
)

__all__ = [
    "format_local_time",
    "format_viewer_day",
    "format_viewer_time",
    "mail_time_zone",
    "normalize_email",
]
