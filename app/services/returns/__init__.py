"""Returns: a shopper sends delivered units back, the merchant decides, receives and refunds.

Only the edges (routes, API, tasks) use this package; it builds on logistics (the return
parcel is tracked like any other), payments (the refund), inventory (the restock) and
markets (whether duty and tax go back too).
"""

from app.services.returns.receiving import (
    receive_return,
    settle_refunded_returns,
    settle_return_refund,
)
from app.services.returns.requests import (
    InvalidReturnTransition,
    NotReturnable,
    Returnable,
    ReturnQuantityExceeded,
    ReturnWindowClosed,
    add_return_parcel,
    approve_return,
    cancel_return,
    get_return,
    get_store_return,
    list_order_returns,
    list_store_returns,
    order_returns,
    refuse_return,
    request_return,
    returnable_lines,
)

__all__ = [
    "InvalidReturnTransition",
    "NotReturnable",
    "ReturnQuantityExceeded",
    "ReturnWindowClosed",
    "Returnable",
    "add_return_parcel",
    "approve_return",
    "cancel_return",
    "get_return",
    "get_store_return",
    "list_order_returns",
    "list_store_returns",
    "order_returns",
    "receive_return",
    "refuse_return",
    "request_return",
    "returnable_lines",
    "settle_refunded_returns",
    "settle_return_refund",
]
