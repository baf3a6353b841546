"""Logistics API: customs documents of a store's orders (shipments and tracking come next)."""

from __future__ import annotations

from flask import Response, request

from app.api import bp
from app.api.core import api_user, token_required
from app.api.openapi import binary, operation
from app.core.transaction import commit
from app.services.logistics import customs_documents as customs


@bp.get("/stores/<int:store_id>/orders/<int:order_id>/customs-documents/<kind>")
@operation(
    summary="A customs document of an order, as PDF", tags=["logistics"],
    params=[
        {"name": "tracking_number", "in": "query", "required": False,
         "schema": {"type": "string", "maxLength": 60},
         "description": "Printed as a Code 128 barcode (6-40 letters and digits; spaces "
                        "and dashes are ignored)."},
    ],
    responses={200: binary("application/pdf"), 401: None, 403: None, 404: None, 409: None,
               422: None},
    description="Merchant staff. `kind` is `cn22`, `cn23`, `commercial-invoice` or "
                "`packing-slip`; another kind, or another store's order, answers 404. "
                "422 `cn23_required` when a CN22 is asked for contents worth more than "
                "300 SDR, `customs_data_missing` (per SKU in `fields`) when an item lacks "
                "its HS code, origin or weight, `invalid_tracking_number`; 409 "
                "`order_not_shippable` for an unpaid, cancelled or refunded order, "
                "`no_active_warehouse`, and the fx service's `stale_rate` / "
                "`rate_unavailable` when a CN22's value cannot be converted to SDR.")
@token_required("read")
def get_customs_document(store_id: int, order_id: int, kind: str):
    """The document drawn from the order's lines, HS codes, origins, weights and values."""
    document = customs.render_customs_document(
        api_user(), store_id, order_id, kind,
        tracking_number=request.args.get("tracking_number"))
    commit()  # only the token's throttled last-used time; the document writes nothing
    return Response(document.content, mimetype=document.media_type, headers={
        "Content-Disposition": f'inline; filename="{document.filename}"',
        "Cache-Control": "private, no-store"})
