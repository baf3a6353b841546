"""Paying for demo orders: at the Stripe sandbox when it is up, so they can be refunded.

Under `make run` the seed runs while the sandbox (localstripe) is up, so each demo order
is paid as a shopper pays: `prepare_payment`, `open_payment_intent`, a card token made
as Stripe.js makes it, and the confirmation recorded through `record_intent_outcome`.
When no sandbox answers (the tests, a seed run on its own) or a real Stripe key is set
(the demo never charges a real card), the payment is recorded as succeeded directly:
those orders look the same but a refund of them fails at the provider.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime

from app.extensions import db
from app.models import Order, Payment, Quote, User
from app.providers.payments import (
    SANDBOX_PUBLISHABLE_KEY,
    PaymentProviderError,
    SandboxStripeProvider,
    payment_provider,
)
from app.services.payments.quote_payments import (
    fulfil_payment,
    open_payment_intent,
    prepare_payment,
    record_intent_outcome,
)
from app.web.links import site_links

TEST_CARD = "4242424242424242"


class DemoPayments:
    """Pays the seed's quotes at the sandbox while it answers, else directly."""

    def __init__(self) -> None:
        provider = payment_provider()
        self.sandbox = provider if isinstance(provider, SandboxStripeProvider) else None
        self.direct = 0  # demo orders paid without the provider in this run

    def _card_token(self) -> str | None:
        """A test-card token from the sandbox, as Stripe.js creates it; None if unreachable."""
        if self.sandbox is None:
            return None
        data = urllib.parse.urlencode({
            "card[number]": TEST_CARD, "card[exp_month]": "12", "card[exp_year]": "2034",
            "card[cvc]": "123", "key": SANDBOX_PUBLISHABLE_KEY}).encode()
        request = urllib.request.Request(f"{self.sandbox.url}/v1/tokens", data=data,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - loopback
                return json.load(answer)["id"]
        except (urllib.error.URLError, OSError, ValueError, KeyError):
            self.sandbox = None  # not up: the rest of this seed pays directly
            return None

    def pay(self, shopper: User, quote: Quote, idempotency_key: str, *,
            placed_at: datetime) -> list[Order]:
        """The quote's orders, paid at the sandbox if it answers."""
        token = self._card_token()
        if token is not None:
            payment = prepare_payment(shopper, quote.id, links=site_links)
            # The demo's own key, by which a re-seed finds the order and skips it.
            payment.idempotency_key = idempotency_key
            try:
                session = open_payment_intent(payment, links=site_links)
                intent = self.sandbox.confirm_with_token(session.intent_id, token)
            except PaymentProviderError as exc:
                raise RuntimeError(f"the sandbox refused demo payment {idempotency_key}: "
                                   f"{exc.message}") from None
            if intent.status != "succeeded":
                raise RuntimeError(f"demo payment {idempotency_key} is {intent.status} "
                                   "at the sandbox")
            # Recorded when the story says the shopper paid, not when the seed ran.
            record_intent_outcome(intent, links=site_links, now=placed_at)
            return fulfil_payment(payment, links=site_links, now=placed_at)
        self.direct += 1
        payment = Payment(quote_id=quote.id, idempotency_key=idempotency_key,
                          intent_id=f"pi_demo_{uuid.uuid4().hex[:20]}", state="created",
                          currency=quote.currency, amount_minor=quote.total_minor)
        db.session.add(payment)
        db.session.flush()
        return fulfil_payment(payment, links=site_links, now=placed_at)

    def note(self) -> str:
        """A line for the seed's output when some orders could not be paid at the sandbox."""
        if not self.direct:
            return ""
        return (f"{self.direct} demo order(s) were paid without the Stripe sandbox (it was "
                "not reachable, or a real Stripe key is set): refunds of those orders will "
                "fail. Seed under `make run` to pay them at the sandbox.")
