"""Checkout quote API: the landed cost of the cart for one address and currency, held briefly."""

from __future__ import annotations

from typing import Any

from app.api import bp
from app.api.core import api_user, idempotent, json_body, token_required
from app.api.openapi import operation, ref, schema
from app.api.serializers import timestamp
from app.core.transaction import commit
from app.models import Quote, QuoteGroup
from app.money import Money
from app.services.checkout import quotes
from app.services.checkout.shipping_rates import ADDRESS_FIELDS
from app.services.regions import SUPPORTED_CURRENCIES
from app.web.allowances import allowance_json

ADDRESS_SCHEMA = schema("ShippingAddress", {
    "type": "object", "required": ["name", "line1", "city", "country"],
    "properties": {name: {"type": "string", "maxLength": limit}
                   for name, limit in ADDRESS_FIELDS.items()},
    "description": "`country` is ISO 3166 alpha-2. `postal_code` is required for the US, GB, "
                   "CN, JP, CA, AU, EU countries and others whose carriers need it (checked "
                   "against the country's format where known); `region` (state, province) "
                   "for the US, CA, AU and CN; `phone` for CN. Errors name each field as "
                   "`shipping_address.<field>`.",
})
CREATE_QUOTE = schema("CreateQuoteRequest", {
    "type": "object", "required": ["currency", "shipping_address"],
    "properties": {"currency": {"type": "string", "enum": list(SUPPORTED_CURRENCIES)},
                   "shipping_address": ADDRESS_SCHEMA},
    "description": "Prices, totals and rates are never accepted from the client "
                   "(422 client_amount_refused).",
})
FX_RATE = schema("QuoteFxRate", {
    "type": "object", "required": ["currency", "as_of", "source", "rates"],
    "description": "The exchange rates the quote locked: one per store currency converted "
                   "into the presentment currency. `as_of` and `source` are those of the "
                   "oldest rate used (`identity` when nothing was converted).",
    "properties": {
        "currency": {"type": "string", "description": "The presentment currency."},
        "as_of": {"type": "string", "format": "date-time"},
        "source": {"type": "string", "examples": ["ecb", "manual", "identity"]},
        "rates": {"type": "array", "items": {
            "type": "object", "required": ["from", "to", "rate", "mid_rate", "source", "as_of"],
            "properties": {
                "from": {"type": "string"}, "to": {"type": "string"},
                "rate": {"type": "string", "description":
                         "Units of `to` per unit of `from`, conversion fee included."},
                "mid_rate": {"type": "string", "description": "The mid-market rate."},
                "source": {"type": "string"}, "as_of": {"type": "string",
                                                        "format": "date-time"}}}},
    },
})
QUOTE_LINE = {
    "type": "object",
    "required": ["variant_id", "quantity", "unit_price", "line_total"],
    "properties": {
        "id": {"type": "integer"}, "variant_id": {"type": "integer"},
        "product_id": {"type": "integer"}, "title": {"type": "string"},
        "sku": {"type": "string"}, "quantity": {"type": "integer"},
        "unit_price": ref("Money"), "line_total": ref("Money"),
        "unit_price_store": {**ref("Money"), "description": "In the store's currency."},
        "price_is_fixed": {"type": "boolean", "description":
                           "The catalog's fixed price in this currency (no conversion)."},
        "duty": ref("Money"), "tax": ref("Money"),
        "note_id": {"type": ["integer", "null"]},
    },
}
ALLOWANCE = {
    "type": "object", "required": ["code", "threshold", "goods", "description"],
    "description": "Which duty-free allowance decided the parcel's duty and import tax.",
    "properties": {
        "code": {"type": "string", "enum": [
            "domestic", "no_rule", "exempt", "duty_exempt", "tax_exempt", "flat_duty",
            "over_allowance", "no_allowance", "not_recorded"], "description":
            "`not_recorded`: the quote predates this record; `description` then says only "
            "whether duty or import tax is due."},
        "threshold": {"oneOf": [ref("Money"), {"type": "null"}],
                      "description": "The allowance, in the destination's currency."},
        "goods": {"oneOf": [ref("Money"), {"type": "null"}],
                  "description": "The parcel's value as the allowance counts it."},
        "preference": {"type": ["string", "null"], "description":
                       "The preference whose allowance applied (e.g. CUSMA courier "
                       "thresholds, by where the parcel ships from), if any."},
        "description": {"type": "string", "description":
                        "The sentence the quote page shows, in the request's language; empty "
                        "when the parcel crosses no border or meets no market rule."},
    },
}
QUOTE_GROUP = schema("QuoteGroup", {
    "type": "object",
    "required": ["store_id", "items", "shipping", "duties", "taxes", "collected_at_checkout",
                 "delivery_estimate", "total"],
    "properties": {
        "store_id": {"type": "integer"}, "store_name": {"type": "string"},
        "store_currency": {"type": "string"},
        "items": {"type": "array", "items": QUOTE_LINE},
        "items_total": ref("Money"),
        "shipping": ref("Money"),
        "shipping_zone": {"type": "string"}, "free_shipping": {"type": "boolean"},
        "duties": ref("Money"), "taxes": ref("Money"),
        "collected_at_checkout": {"type": "boolean", "description":
                                  "True: duties and taxes are paid now (delivered duty "
                                  "paid). False: they are an estimate due on delivery and "
                                  "not in `total`."},
        "due_on_delivery": {**ref("Money"), "description":
                            "Duties and taxes the carrier collects on delivery (an "
                            "estimate, not in `total`): all of them when "
                            "`collected_at_checkout` is false, else the part a per-item "
                            "limit leaves to delivery."},
        "charges": {"type": "array", "description":
                    "Each duty and tax with the rule it comes from and when it is paid.",
                    "items": {"type": "object", "properties": {
                        "kind": {"type": "string", "enum": ["duty", "tax", "region_tax"]},
                        "label": {"type": "string"}, "amount": ref("Money"),
                        "rule": {"type": "string"}, "source_url": {"type": "string"},
                        "due": {"type": "string", "enum": ["checkout", "delivery"]}}}},
        "delivery_estimate": {"type": "object", "required": ["min_days", "max_days"],
                              "properties": {"min_days": {"type": "integer"},
                                             "max_days": {"type": "integer"}}},
        "market_rule": {"type": "object", "properties": {
            "name": {"type": "string"}, "source": {"type": "string"}}},
        "allowance": ALLOWANCE,
        "total": {**ref("Money"), "description": "What this store's parcel costs now."},
    },
})
QUOTE_SCHEMA = schema("Quote", {
    "type": "object",
    "required": ["id", "reference", "state", "expires_at", "currency", "fx_rate", "groups",
                 "total"],
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string", "examples": ["QX-7KD2M9QF4A"]},
        "state": {"type": "string", "enum": ["open", "paying", "paid", "expired", "failed",
                                             "cancelled"]},
        "currency": {"type": "string"},
        "expires_at": {"type": "string", "format": "date-time", "description":
                       "Prices, rates and reserved stock hold until then; paying later "
                       "answers 409 quote_expired."},
        "created_at": {"type": "string", "format": "date-time"},
        "shipping_address": ADDRESS_SCHEMA,
        "fx_rate": FX_RATE,
        "groups": {"type": "array", "items": QUOTE_GROUP},
        "items_total": ref("Money"), "shipping": ref("Money"),
        "duties": {**ref("Money"), "description": "Duties charged now (DDP groups)."},
        "taxes": {**ref("Money"), "description": "Import taxes charged now (DDP groups)."},
        "due_on_delivery": {**ref("Money"), "description":
                            "Estimated duties and taxes the carrier collects (DDU groups)."},
        "total": {**ref("Money"), "description": "What is charged now."},
    },
})


def _money(minor: int, currency: str) -> dict[str, str]:
    return Money(minor, currency).to_api()


def _group_json(group: QuoteGroup, currency: str) -> dict[str, Any]:
    info = group.assessment or {}
    return {
        "store_id": group.store_id, "store_name": group.store.name,
        "store_currency": group.store_currency,
        "items": [{
            "id": line.id, "variant_id": line.variant_id, "product_id": line.product_id,
            "title": line.title, "sku": line.sku, "quantity": line.quantity,
            "unit_price": _money(line.unit_price_minor, currency),
            "line_total": _money(line.total_minor, currency),
            "unit_price_store": _money(line.unit_price_store_minor, group.store_currency),
            "price_is_fixed": line.is_fixed_price,
            "duty": _money(line.duty_minor, currency), "tax": _money(line.tax_minor, currency),
            "note_id": line.note_id,
        } for line in group.lines],
        "items_total": _money(group.items_minor, currency),
        "shipping": _money(group.shipping_minor, currency),
        "shipping_zone": info.get("shipping_zone", ""),
        "free_shipping": bool(info.get("free_shipping")),
        "duties": _money(group.duties_minor, currency),
        "taxes": _money(group.taxes_minor, currency),
        "collected_at_checkout": group.collected_at_checkout,
        "due_on_delivery": _money(group.due_on_delivery_minor, currency),
        "charges": [{"kind": c["kind"], "label": c["label"],
                     "amount": _money(c["amount_minor"], currency), "rule": c["rule"],
                     "source_url": c["source_url"],
                     "due": c.get("due", "checkout" if group.collected_at_checkout
                                  else "delivery")}
                    for c in info.get("charges", [])],
        "delivery_estimate": {"min_days": group.delivery_days_min,
                              "max_days": group.delivery_days_max},
        "market_rule": {"name": info.get("rule_name", ""), "source": info.get("source", "")},
        "allowance": allowance_json(info.get("relief"), duties_minor=group.duties_minor,
                                    taxes_minor=group.taxes_minor),
        "total": _money(group.total_minor, currency),
    }


def fx_rate_json(quote: Quote) -> dict[str, Any]:
    """The rates a quote locked, one per store currency."""
    rates: dict[str, dict[str, str]] = {}
    for group in quote.groups:
        fx = (group.assessment or {}).get("fx", {})
        rates.setdefault(group.store_currency, {
            "from": group.store_currency, "to": quote.currency, "rate": str(group.fx_rate),
            "mid_rate": fx.get("mid_rate", str(group.fx_rate)),
            "source": fx.get("source", quote.fx_source),
            "as_of": fx.get("as_of", timestamp(quote.fx_as_of))})
    return {"currency": quote.currency, "as_of": timestamp(quote.fx_as_of),
            "source": quote.fx_source, "rates": [rates[code] for code in sorted(rates)]}


def quote_json(quote: Quote) -> dict[str, Any]:
    """A quote as the API shows it."""
    currency = quote.currency
    due = sum(g.due_on_delivery_minor for g in quote.groups)
    return {
        "id": quote.id, "reference": quote.reference, "state": quotes.shown_state(quote),
        "currency": currency, "expires_at": timestamp(quote.expires_at),
        "created_at": timestamp(quote.created_at),
        "shipping_address": dict(quote.shipping_address),
        "fx_rate": fx_rate_json(quote),
        "groups": [_group_json(group, currency) for group in quote.groups],
        "items_total": _money(quote.items_minor, currency),
        "shipping": _money(quote.shipping_minor, currency),
        "duties": _money(quote.duties_minor, currency),
        "taxes": _money(quote.taxes_minor, currency),
        "due_on_delivery": _money(due, currency),
        "total": _money(quote.total_minor, currency),
    }


@bp.post("/checkout/quotes")
@operation(summary="Quote the cart's landed cost", tags=["checkout"], request=CREATE_QUOTE,
           idempotent=True,
           responses={201: QUOTE_SCHEMA, 400: None, 401: None, 409: None, 422: None})
@token_required("write")
@idempotent()
def create_quote():
    """Price, ship, tax and reserve the cart for 15 minutes, split per store.

    422: `unsupported_currency`, `invalid_address` (fields `shipping_address.<field>`),
    `empty_cart`, `restricted_destination`, `no_shipping_rate`,
    `consignment_limit_exceeded`, `client_amount_refused`. 409: `insufficient_stock`
    (fields `items.<cart item id>.quantity`), `stale_rate` / `rate_unavailable` (the
    currency cannot be priced now; choose another), `variant_unavailable`. A new quote
    cancels your other open quotes and releases their stock.
    """
    body = json_body()
    quotes.refuse_client_amounts(body)
    quote = quotes.create_quote(api_user(), body.get("currency"), body.get("shipping_address"))
    result = quote_json(quote)
    commit()
    return result, 201


@bp.get("/checkout/quotes/<int:quote_id>")
@operation(summary="One of your quotes", tags=["checkout"],
           responses={200: QUOTE_SCHEMA, 401: None, 404: None})
@token_required("read")
def get_quote(quote_id: int):
    """The quote with its breakdown; past `expires_at` its state reads `expired`."""
    return quote_json(quotes.get_quote(api_user(), quote_id))
