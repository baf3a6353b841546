"""Payments: a quote paid through the provider, webhooks, refunds and reconciliation."""

from app.services.payments.charge_limits import check_chargeable
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
    "check_chargeable",
    "submit_refund",
]
