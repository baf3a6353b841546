"""Payments: a quote paid through the provider, webhooks, refunds and reconciliation."""
