"""Accounts: sign-up, log-in, passwords, e-mailed links, tokens, profiles, preferences, admin."""

from app.services.accounts.users import (
    normalize_email,
)

__all__ = [
    "normalize_email",
]
