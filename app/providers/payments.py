"""Card payments behind a small interface: Stripe, or the local Stripe sandbox.

STRIPE_SECRET_KEY chooses the provider: set, it is real Stripe (js.stripe.com serves
Stripe.js); empty, it is localstripe on loopback at STRIPE_SANDBOX_URL, which also
serves a stand-in Stripe.js at /js.stripe.com/v3/. Both speak the same API through the
official SDK, each with its own StripeClient so no global SDK setting leaks.

Every call that creates something carries our own idempotency key, stored on our row
before the call, so a retry after a crash cannot create a second intent or refund.

Amounts cross this interface as Money (ISO minor units); the Stripe provider converts to
and from Stripe's own units (app.providers.stripe_amounts) and reports, through
`amount_rules`, which amounts it can charge at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

import stripe
from flask import current_app

from app.money import Money
from app.providers import stripe_amounts

_EXTENSION_KEY = "qiao_payments"
SANDBOX_SECRET_KEY = "sk_test_qiao_sandbox"
SANDBOX_PUBLISHABLE_KEY = "pk_test_qiao_sandbox"
SANDBOX_WEBHOOK_SECRET = "whsec_qiao_sandbox"
WEBHOOK_TOLERANCE_SECONDS = 300


class PaymentProviderError(Exception):
    """The provider refused the request or could not be reached."""

    def __init__(self, message: str, *, code: str = "", unavailable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.unavailable = unavailable


class InvalidSignature(Exception):
    """A webhook whose signature does not match its body (or is too old)."""


@dataclass(frozen=True)
class Intent:
    """What we need of a PaymentIntent.

    `amount` is None when the provider's amount is no whole amount of the currency (such
    an intent was not created by us and matches no payment).
    """

    id: str
    status: str
    amount: Money | None
    currency: str  # upper-case ISO code
    client_secret: str
    metadata: dict[str, str] = field(default_factory=dict)
    last_error: str = ""


@dataclass(frozen=True)
class ProviderRefund:
    """A refund as the provider reports it."""

    id: str
    status: str  # pending, succeeded, failed, canceled, requires_action
    amount: Money
    metadata: dict[str, str] = field(default_factory=dict)
    failure_reason: str = ""  # why a failed or canceled refund did not go through


@dataclass(frozen=True)
class AmountRules:
    """Which amounts the provider can charge in one currency."""

    step: Money  # every chargeable amount is a multiple of this
    minimum: Money | None  # the provider's own listed minimum, if it lists one
    maximum: Money


class PaymentProvider(Protocol):
    """Creates and inspects card payments and refunds; verifies webhooks."""

    name: str
    is_sandbox: bool
    publishable_key: str
    js_url: str

    def amount_rules(self, currency: str) -> AmountRules:
        """The step, minimum and maximum of a card payment in `currency`."""

    def create_intent(self, amount: Money, *, idempotency_key: str,
                      metadata: dict[str, str]) -> Intent:
        """A new intent for `amount`; the same key returns the same intent."""

    def retrieve_intent(self, intent_id: str) -> Intent:
        """The intent as the provider knows it now."""

    def cancel_intent(self, intent_id: str) -> Intent:
        """Cancel an unpaid intent so it can no longer be charged."""

    def refund(self, intent_id: str, amount: Money, *, idempotency_key: str,
               metadata: dict[str, str]) -> ProviderRefund:
        """Return `amount` of a succeeded intent to the card."""

    def retrieve_refund(self, refund_id: str, currency: str) -> ProviderRefund:
        """One refund as the provider knows it now (`currency`: the refund's)."""

    def list_refunds(self, intent_id: str, currency: str) -> list[ProviderRefund]:
        """Every refund of the intent, wherever it was made (ours or the dashboard's)."""

    def verify_event(self, payload: bytes, signature: str) -> dict[str, Any]:
        """The event in a webhook body whose signature checks out; InvalidSignature if not."""


def _intent(resource: Any) -> Intent:
    obj = resource.to_dict() if hasattr(resource, "to_dict") else resource
    error = obj.get("last_payment_error") or {}
    currency = str(obj["currency"]).upper()
    try:
        amount: Money | None = stripe_amounts.from_stripe_amount(int(obj["amount"]), currency)
    except ValueError:  # a fraction of an ISO unit, or a currency we do not know
        amount = None
    return Intent(
        id=obj["id"], status=obj["status"], amount=amount, currency=currency,
        client_secret=obj.get("client_secret") or "",
        metadata={k: str(v) for k, v in (obj.get("metadata") or {}).items()},
        last_error=(error.get("message") or error.get("code") or "") if error else "",
    )


def _translate(exc: stripe.StripeError) -> PaymentProviderError:
    unavailable = isinstance(exc, (stripe.APIConnectionError, stripe.RateLimitError)) or (
        exc.http_status is not None and exc.http_status >= 500)
    return PaymentProviderError(exc.user_message or str(exc), code=exc.code or "",
                                unavailable=unavailable)


class StripeProvider:
    """Stripe through the official SDK."""

    name = "stripe"
    is_sandbox = False

    def __init__(self, secret_key: str, publishable_key: str, webhook_secret: str, *,
                 api_base: str | None = None, js_url: str = "https://js.stripe.com/v3/"
                 ) -> None:
        addresses = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(secret_key, base_addresses=addresses,
                                          max_network_retries=2)
        self.publishable_key = publishable_key
        self.webhook_secret = webhook_secret
        self.js_url = js_url

    def amount_rules(self, currency: str) -> AmountRules:
        """Stripe's rules for `currency` (see app.providers.stripe_amounts)."""
        return AmountRules(step=stripe_amounts.charge_step(currency),
                           minimum=stripe_amounts.minimum_charge(currency),
                           maximum=stripe_amounts.maximum_charge(currency))

    def create_intent(self, amount: Money, *, idempotency_key: str,
                      metadata: dict[str, str]) -> Intent:
        """PaymentIntent.create with our idempotency key; cards only (the card element)."""
        stripe_amount = stripe_amounts.to_stripe_amount(amount)
        try:
            return _intent(self.client.v1.payment_intents.create(
                params={"amount": stripe_amount, "currency": amount.currency.lower(),
                        "payment_method_types": ["card"], "metadata": metadata},
                options={"idempotency_key": idempotency_key}))
        except stripe.StripeError as exc:
            raise _translate(exc) from None

    def retrieve_intent(self, intent_id: str) -> Intent:
        """PaymentIntent.retrieve."""
        try:
            return _intent(self.client.v1.payment_intents.retrieve(intent_id))
        except stripe.StripeError as exc:
            raise _translate(exc) from None

    def cancel_intent(self, intent_id: str) -> Intent:
        """PaymentIntent.cancel."""
        try:
            return _intent(self.client.v1.payment_intents.cancel(intent_id))
        except stripe.StripeError as exc:
            raise _translate(exc) from None

    def refund(self, intent_id: str, amount: Money, *, idempotency_key: str,
               metadata: dict[str, str]) -> ProviderRefund:
        """Refund.create against the intent with our idempotency key."""
        stripe_amount = stripe_amounts.to_stripe_amount(amount)
        try:
            refund = self.client.v1.refunds.create(
                params={"payment_intent": intent_id, "amount": stripe_amount,
                        "metadata": metadata},
                options={"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise _translate(exc) from None
        # A refund is in its intent's currency, which is the currency we asked in.
        return ProviderRefund(id=refund["id"], status=refund["status"],
                              amount=stripe_amounts.from_stripe_amount(int(refund["amount"]),
                                                                       amount.currency))

    def retrieve_refund(self, refund_id: str, currency: str) -> ProviderRefund:
        """Refund.retrieve."""
        try:
            refund = self.client.v1.refunds.retrieve(refund_id).to_dict()
        except stripe.StripeError as exc:
            raise _translate(exc) from None
        return ProviderRefund(
            id=refund["id"], status=refund["status"],
            amount=stripe_amounts.from_stripe_amount(int(refund["amount"]), currency),
            metadata={k: str(v) for k, v in (refund.get("metadata") or {}).items()},
            failure_reason=refund.get("failure_reason") or "")

    def list_refunds(self, intent_id: str, currency: str) -> list[ProviderRefund]:
        """Refund.list for the intent (at most 100: a top-up is refunded a few times)."""
        try:
            page = self.client.v1.refunds.list(params={"payment_intent": intent_id,
                                                      "limit": 100})
        except stripe.StripeError as exc:
            raise _translate(exc) from None
        refunds = [refund.to_dict() for refund in page.data]
        return [ProviderRefund(
            id=refund["id"], status=refund["status"],
            amount=stripe_amounts.from_stripe_amount(int(refund["amount"]), currency),
            metadata={k: str(v) for k, v in (refund.get("metadata") or {}).items()})
            for refund in refunds]

    def verify_event(self, payload: bytes, signature: str) -> dict[str, Any]:
        """Check the Stripe-Signature header against the raw body, then parse it."""
        if not self.webhook_secret:
            raise InvalidSignature("no webhook signing secret is configured")
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"), signature, self.webhook_secret,
                WEBHOOK_TOLERANCE_SECONDS)
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
            raise InvalidSignature(str(exc)) from None
        try:
            event = json.loads(payload)
        except ValueError as exc:
            raise InvalidSignature(f"the signed body is not JSON: {exc}") from None
        if not isinstance(event, dict) or not isinstance(event.get("id"), str):
            raise InvalidSignature("the signed body is not an event")
        return event


class SandboxStripeProvider(StripeProvider):
    """Stripe's API as localstripe implements it, on loopback.

    localstripe's Stripe.js cannot confirm a card payment from the card element (its
    confirmCardPayment only completes 3-D Secure), so the sandbox checkout page turns
    the card into a token with Stripe.js and `confirm_with_token` attaches and confirms
    it from the server.
    """

    name = "stripe-sandbox"
    is_sandbox = True

    def __init__(self, url: str, webhook_secret: str) -> None:
        url = url.rstrip("/")
        super().__init__(SANDBOX_SECRET_KEY, SANDBOX_PUBLISHABLE_KEY, webhook_secret,
                         api_base=url, js_url=f"{url}/js.stripe.com/v3/")
        self.url = url

    def confirm_with_token(self, intent_id: str, token_id: str) -> Intent:
        """Attach the card behind a Stripe.js token to the intent and confirm it."""
        try:
            token = self.client.v1.tokens.retrieve(token_id)
            self.client.v1.payment_intents.update(
                intent_id, params={"payment_method": token["card"]["id"]})
            return _intent(self.client.v1.payment_intents.confirm(intent_id))
        except stripe.CardError as exc:
            # The decline is recorded on the intent; report it as the intent now stands.
            try:
                return self.retrieve_intent(intent_id)
            except PaymentProviderError:
                raise _translate(exc) from None
        except stripe.StripeError as exc:
            raise _translate(exc) from None


def payment_provider() -> PaymentProvider:
    """The configured provider for the current app (built once per app)."""
    app = current_app._get_current_object()
    if _EXTENSION_KEY not in app.extensions:
        config = app.config
        if config.get("STRIPE_SECRET_KEY"):
            provider: PaymentProvider = StripeProvider(
                config["STRIPE_SECRET_KEY"], config.get("STRIPE_PUBLISHABLE_KEY", ""),
                config.get("STRIPE_WEBHOOK_SECRET", ""))
        else:
            provider = SandboxStripeProvider(
                config["STRIPE_SANDBOX_URL"],
                config.get("STRIPE_WEBHOOK_SECRET") or SANDBOX_WEBHOOK_SECRET)
        app.extensions[_EXTENSION_KEY] = provider
    return app.extensions[_EXTENSION_KEY]


def reset_payment_provider() -> None:
    """Forget the chosen provider so the next call reads the configuration again (tests)."""
    current_app.extensions.pop(_EXTENSION_KEY, None)
