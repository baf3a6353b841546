"""Payments: a quote paid through the provider, webhooks, refunds and reconciliation."""

from app.services.payments.refunds import (
    REFUND_ROLE,
    RefundRequest,
    request_refund,
    submit_refund,
)

__all__ = [
    "REFUND_ROLE",
    "RefundRequest",
    "request_refund",
    "submit_refund",
]
