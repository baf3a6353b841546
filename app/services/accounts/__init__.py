"""Accounts: sign-up, log-in, passwords, e-mailed links, tokens, profiles, preferences, admin."""
