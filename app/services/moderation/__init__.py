"""Moderation: rules per market, screening, the review queue, decisions and appeals."""
