"""Locust scenario: shoppers browse Discover, notes, products and search, then buy in the sandbox.

Run it through `bench/locust_two_servers.py`, which starts what it needs (two servers
sharing PostgreSQL and Redis, localstripe, shoppers with API tokens) and hands this file
the servers and the data in `QIAO_LOCUST_DATA` (a JSON file). Each simulated shopper
keeps to one server and one API token (a cart is per account), like a phone behind a
load balancer with sticky connections; shoppers alternate between the two servers.

One journey: Discover, a note, a product page, a search (as a browser: cookies kept),
then through the JSON API add to cart, quote, open the payment, confirm the card at the
sandbox as Stripe.js does, and poll the quote until the webhook made it paid. The whole
journey is reported as the step "purchase (whole flow)"; a quote not paid within 15 s
is a failed flow.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid

from locust import HttpUser, between, events, task

with open(os.environ["QIAO_LOCUST_DATA"], encoding="utf-8") as data_file:
    DATA = json.load(data_file)
_SERVERS = itertools.cycle(DATA["servers"])
_TOKENS = iter(DATA["tokens"])
US_ADDRESS = {"name": "Mia Shopper", "line1": "350 Fifth Avenue", "line2": "",
              "city": "New York", "region": "NY", "postal_code": "10118", "country": "US",
              "phone": "+12125550100"}
PAID_WITHIN_SECONDS = 15


class Shopper(HttpUser):
    """A shopper who browses, then buys one item, again and again."""

    wait_time = between(0.5, 1.5)
    host = DATA["servers"][0]

    def on_start(self) -> None:
        self.client.base_url = next(_SERVERS)
        self.token = next(_TOKENS)

    def _api(self, method: str, path: str, name: str, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}"}
        if method == "POST":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        return self.client.request(method, f"/api/v1{path}", name=name, headers=headers,
                                   **kwargs)

    def _sandbox(self, path: str, name: str, form: dict, method: str = "POST"):
        return self.client.request(method, f"{DATA['sandbox']}{path}", name=name, data=form,
                                   headers={"Authorization": f"Bearer {DATA['sandbox_key']}"})

    @task
    def browse_and_buy(self) -> None:
        started = time.perf_counter()
        self.client.get("/", name="discover")
        self.client.get(f"/notes/{random.choice(DATA['notes'])}", name="note")  # noqa: S311
        product_id, variant_id = random.choice(DATA["on_sale"])  # noqa: S311
        self.client.get(f"/products/{product_id}", name="product")
        self.client.get(f"/search?q={random.choice(DATA['queries'])}", name="search")  # noqa: S311
        if self._api("POST", "/cart/items", "add to cart",
                     json={"variant_id": variant_id, "quantity": 1}).status_code != 201:
            return self._flow_failed(started, "add to cart")
        quote = self._api("POST", "/checkout/quotes", "quote",
                          json={"currency": "USD", "shipping_address": US_ADDRESS})
        if quote.status_code != 201:
            return self._flow_failed(started, "quote")
        quote_id = quote.json()["id"]
        payment = self._api("POST", f"/checkout/quotes/{quote_id}/payment", "payment")
        if payment.status_code != 201:
            return self._flow_failed(started, "payment")
        self._confirm_card(payment.json()["payment_intent_id"])
        deadline = time.monotonic() + PAID_WITHIN_SECONDS
        while time.monotonic() < deadline:
            state = self._api("GET", f"/checkout/quotes/{quote_id}", "quote poll (webhook)")
            if state.status_code == 200 and state.json().get("state") == "paid":
                return self._flow_done(started)
            time.sleep(0.2)
        return self._flow_failed(started, "not paid within 15 s")

    def _confirm_card(self, intent_id: str) -> None:
        """What Stripe.js does with the card element: a token, then confirm the intent."""
        token = self.client.post(f"{DATA['sandbox']}/v1/tokens", name="sandbox: card token",
                                 data={"card[number]": "4242424242424242",
                                       "card[exp_month]": "12", "card[exp_year]": "2034",
                                       "card[cvc]": "123", "key": DATA["sandbox_public_key"]})
        card = self._sandbox(f"/v1/tokens/{token.json()['id']}", "sandbox: read token", {},
                             method="GET")
        self._sandbox(f"/v1/payment_intents/{intent_id}", "sandbox: attach card",
                      {"payment_method": card.json()["card"]["id"]})
        self._sandbox(f"/v1/payment_intents/{intent_id}/confirm", "sandbox: confirm", {})

    def _flow_done(self, started: float) -> None:
        events.request.fire(request_type="FLOW", name="purchase (whole flow)",
                            response_time=(time.perf_counter() - started) * 1000,
                            response_length=0, exception=None, context={})

    def _flow_failed(self, started: float, step: str) -> None:
        events.request.fire(request_type="FLOW", name="purchase (whole flow)",
                            response_time=(time.perf_counter() - started) * 1000,
                            response_length=0, exception=RuntimeError(step), context={})
