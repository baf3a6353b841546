"""Organisations: merchant stores and brand accounts, their teams and invitations."""
