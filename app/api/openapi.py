"""A small registry that builds the OpenAPI 3.1 document from the API's own routes.

Each endpoint declares its contract next to its code with `@operation(...)`;
schemas live in `SCHEMAS`, added to by each API module. A test checks that
every route under /api/v1 is described, so nothing ships undocumented.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from app.services.error_codes import ERROR_CODES

SCHEMAS: dict[str, dict[str, Any]] = {}
# Marks a response schema from `binary`; the key names the media type, not a JSON property.
MEDIA_TYPE_KEY = "x-qiao-media-type"


def ref(name: str) -> dict[str, str]:
    """A `$ref` to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def schema(name: str, definition: dict[str, Any]) -> dict[str, str]:
    """Register a component schema and return a reference to it."""
    SCHEMAS[name] = definition
    return ref(name)


def binary(media_type: str) -> dict[str, Any]:
    """A response body that is a file of `media_type` (e.g. a PDF), not JSON."""
    return {MEDIA_TYPE_KEY: media_type, "type": "string", "contentMediaType": media_type}


def list_of(item: dict[str, Any]) -> dict[str, Any]:
    """The paginated list envelope around `item`."""
    return {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {
            "items": {"type": "array", "items": item},
            "next_cursor": {"type": ["string", "null"]},
        },
    }


def operation(
    *,
    summary: str,
    tags: list[str],
    responses: dict[int, Any],
    request: dict[str, Any] | None = None,
    request_content_type: str = "application/json",
    body_required: bool = True,
    auth: bool = True,
    idempotent: bool = False,
    params: list[dict[str, Any]] | None = None,
    description: str | None = None,
) -> Callable:
    """Attach an OpenAPI operation to a view function."""

    def decorate(view: Callable) -> Callable:
        view.openapi = {
            "summary": summary,
            "tags": tags,
            "responses": responses,
            "request": request,
            "request_content_type": request_content_type,
            "body_required": body_required,
            "auth": auth,
            "idempotent": idempotent,
            "params": params or [],
            "description": description or (view.__doc__ or "").strip(),
        }
        return view

    return decorate


ERROR_STATUSES = {
    400: "Malformed request",
    401: "Missing or invalid credentials",
    403: "Not allowed",
    404: "Not found (or not yours)",
    409: "Conflict",
    413: "Body too large",
    422: "Validation failed",
    429: "Too many requests",
    503: "Temporarily unavailable (the database or a provider is busy): retry later",
}
RETRY_AFTER_HEADER = {"description": "Seconds to wait before retrying.",
                      "schema": {"type": "integer", "minimum": 0}}


# What a client can do next with an answer (OpenAPI links), by operationId and status:
# {link name: (target operationId, {parameter: runtime expression}, request body or None)}.
# Clients read them as documentation; the stateful fuzz run (tests/api/test_fuzz.py)
# follows them to chain requests on the objects it created.
NOTE = {"note_id": "$response.body#/id"}
STORE_PRODUCT = {"store_id": "$request.path.store_id", "product_id": "$response.body#/id"}
SHIPMENT = {"shipment_id": "$response.body#/id"}
MY_STORE = {"store_id": "$response.body#/memberships/0/store_id"}
LINKS: dict[str, dict[int, dict[str, tuple[str, dict[str, str], Any]]]] = {
    "me_get": {200: {"CreateProductInMyStore": ("create_product_post", MY_STORE, None),
                     "MyStoresOrders": ("list_store_orders_get", MY_STORE, None)}},
    "list_store_orders_get": {200: {"ShipTheOrder": (
        "create_shipment_post",
        {"store_id": "$request.path.store_id", "order_id": "$response.body#/items/0/id"},
        None)}},
    "create_note_post": {201: {"GetNote": ("get_note_get", NOTE, None),
                               "EditNote": ("update_note_patch", NOTE, None),
                               "DeleteNote": ("delete_note_delete", NOTE, None)}},
    "create_board_post": {201: {
        "RenameBoard": ("update_board_patch", {"board_id": "$response.body#/id"}, None),
        "BoardNotes": ("board_notes_get", {"board_id": "$response.body#/id"}, None)}},
    "add_cart_item_post": {201: {
        "ChangeQuantity": ("update_cart_item_patch",
                           {"item_id": "$response.body#/items/0/id"}, None),
        "QuoteTheCart": ("create_quote_post", {}, None)}},
    "create_quote_post": {201: {
        "GetQuote": ("get_quote_get", {"quote_id": "$response.body#/id"}, None),
        "PayTheQuote": ("start_payment_post", {"quote_id": "$response.body#/id"}, None)}},
    "create_product_post": {201: {
        "GetProduct": ("get_product_get", STORE_PRODUCT, None),
        "EditProduct": ("update_product_patch", STORE_PRODUCT, None),
        "ShopperView": ("get_public_product_get", {"product_id": "$response.body#/id"}, None),
        "AddVariantToCart": ("add_cart_item_post", {},
                             {"variant_id": "$response.body#/variants/0/id", "quantity": 1})}},
    "create_shipment_post": {201: {"GetShipment": ("get_shipment_get", SHIPMENT, None),
                                   "AddLeg": ("add_shipment_leg_post", SHIPMENT, None)}},
}


def _links(operation_id: str, status: int) -> dict[str, Any]:
    links = {}
    for name, (target, parameters, body) in LINKS.get(operation_id, {}).get(status, {}).items():
        links[name] = {"operationId": target, "parameters": parameters}
        if body is not None:
            links[name]["requestBody"] = body
    return links


def _response(status: int, body: Any) -> dict[str, Any]:
    if status == 204:
        return {"description": "No content"}
    if body is None and status in ERROR_STATUSES:
        return {"description": ERROR_STATUSES[status],
                "content": {"application/json": {"schema": ref("Error")}}}
    if body is None:
        return {"description": "OK" if status < 300 else "Error"}
    media_type = body.get(MEDIA_TYPE_KEY, "application/json")
    body = {key: value for key, value in body.items() if key != MEDIA_TYPE_KEY}
    return {"description": "OK" if status < 300 else ERROR_STATUSES.get(status, "Error"),
            "content": {media_type: {"schema": body}}}


def _path_params(rule: str) -> tuple[str, list[dict[str, Any]]]:
    import re

    params = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule):
        # `int` is app.web.converters.RowIdConverter: a row id, 1 to 2^31-1.
        kind = ({"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
                if converter == "int" else {"type": "string"})
        params.append({"name": name, "in": "path", "required": True, "schema": kind})
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), params


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document for every documented route of the `api` blueprint."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        spec = getattr(view, "openapi", None)
        if spec is None:
            continue
        path, path_params = _path_params(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation_id = f"{rule.endpoint.removeprefix('api.')}_{method.lower()}"
            op: dict[str, Any] = {
                "operationId": operation_id,
                "summary": spec["summary"],
                "description": spec["description"],
                "tags": spec["tags"],
                "parameters": [*path_params, *spec["params"]],
                "responses": {str(code): _response(code, body)
                              for code, body in spec["responses"].items()},
            }
            for code, response in op["responses"].items():
                links = _links(operation_id, int(code))
                if links:
                    response["links"] = links
            idempotency = getattr(view, "idempotency", None)
            if idempotency is not None or spec["idempotent"]:
                required = bool(idempotency and idempotency["required"])
                declared = any(p.get("name") == "Idempotency-Key" for p in op["parameters"])
                op["parameters"] += [] if declared else [{
                    "name": "Idempotency-Key", "in": "header", "required": required,
                    "schema": {"type": "string", "maxLength": 255},
                    "description": "Replays return the first response; reuse with another "
                                   "body answers 409 idempotency_key_reused (409 "
                                   "idempotency_in_progress while the first still runs).",
                }]
                # What app.api.core.idempotent itself can answer, whatever the view does.
                for status in (409, 422):
                    op["responses"].setdefault(str(status), _response(status, None))
            # Any operation can find the database busy (app.errors: 503 database_busy).
            op["responses"].setdefault("503", _response(503, None))
            op["responses"]["503"]["headers"] = {"Retry-After": RETRY_AFTER_HEADER}
            if spec["request"] is not None:
                # Endpoints whose body may be left out say so; the rest refuse a missing
                # one (json_body: 400 malformed_json / unsupported_media_type).
                op["requestBody"] = {"required": spec["body_required"], "content": {
                    spec["request_content_type"]: {"schema": spec["request"]}}}
            op["security"] = [{"bearerAuth": []}] if spec["auth"] else []
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Qiao API",
            "version": "1.0.0",
            "description": "Cross-border shoppable notes, catalog, checkout, logistics and "
                           "ads. Money is {amount: decimal string, currency: ISO 4217}.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(SCHEMAS.items())),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


schema("Error", {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "fields"],
        "properties": {
            # Examples plus a table rather than an enum: a client generated from an enum
            # would refuse a response carrying a code added later.
            "code": {
                "type": "string",
                "description": "Stable machine code; `x-error-codes` lists each with its "
                               "HTTP statuses and meaning.",
                "examples": sorted(ERROR_CODES),
                "x-error-codes": {code: {"statuses": list(entry.statuses),
                                         "meaning": entry.meaning}
                                  for code, entry in sorted(ERROR_CODES.items())},
            },
            "message": {"type": "string"},
            "fields": {"type": "object",
                       "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
    }},
})
schema("Money", {
    "type": "object",
    "required": ["amount", "currency"],
    "properties": {
        "amount": {"type": "string", "pattern": r"^-?[0-9]{1,15}(\.[0-9]{1,3})?$",
                   "maxLength": 20,
                   "description": "A plain decimal string: ASCII digits, at most 15 before "
                                  "the point, and exactly the currency's ISO 4217 exponent "
                                  "of digits after it — `1500` JPY, `19.99` USD, `1.250` "
                                  "KWD. Requests are held to the same rule: `19.9`, `20` "
                                  "(USD), `1e2`, `+5.00`, `1_000.00` or a JSON number answer "
                                  "422 `invalid_amount` naming the field.",
                   "examples": ["19.99", "1500", "1.250"]},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    },
})
