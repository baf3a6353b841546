"""Advertising: brand balances, campaigns, placements, sponsored notes, pacing and reports."""
