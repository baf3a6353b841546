"""The API against its own OpenAPI document, fuzzed: never a 5xx, never an undocumented answer.

Schemathesis generates requests from /api/v1/openapi.json and sends them to the app
in-process, as a shopper and as a merchant's staff (whose requests aim at their own
store, so the body parsers behind the permission check are reached too). Each operation
is fuzzed on its own, then short scenarios follow the document's links (create a note,
then read, edit and delete it; create a product, put its variant in the cart, quote the
cart and pay the quote...) so requests also reach objects that exist. The budget is
small and derandomized so `make test` stays quick and CI reproducible; `make fuzz`
raises it (FUZZ_EXAMPLES) for a longer campaign.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.api.openapi import build_document
from app.extensions import db, limiter
from tests.catalog_factories import make_shop

pytest_plugins = ["tests.checkout_factories", "tests.customs_factories",
                  "tests.localstripe_server"]
pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
SCENARIOS = 2 * EXAMPLES  # per role, of up to 6 linked requests each
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance,
          content_type_conformance]


# The document depends on the routes only, so an app built here (no database touched)
# describes the session's app exactly; requests go to the session's app (`app=`).
schema = schemathesis.openapi.from_dict(build_document(create_app("testing")))
# Scenarios follow the document's own links only: links guessed from field names chain
# unrelated operations (a product id into a note's path) and spend the budget on 404s.
schema.config.phases.stateful.inference.algorithms = []


@pytest.fixture
def shopper(make_user, api_token):
    """A shopper's bearer headers."""
    return api_token(make_user())


@pytest.fixture
def merchant(make_org, make_user, api_token):
    """A store owner's bearer headers and their store's id."""
    shop = make_shop(make_org, make_user)
    return api_token(shop.owner), shop.store.id


def _fuzz(app, case, headers, store_id=None):
    if store_id is not None and "store_id" in (case.path_parameters or {}):
        case.path_parameters["store_id"] = store_id
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)


BUDGET = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))


@schema.parametrize()
@BUDGET
def test_as_a_shopper(app, case, shopper):
    _fuzz(app, case, shopper)


@schema.parametrize()
@BUDGET
def test_as_store_staff(app, case, merchant):
    _fuzz(app, case, *merchant)


def _scenarios(app, headers, store_id=None):
    """Run linked scenarios of a few steps each; every response passes CHECKS."""

    class Scenarios(schema.as_state_machine()):
        # Each scenario starts from the same data: what one wrote is rolled back (and the
        # rate limits reset), or a replayed scenario would meet another's board names.
        def setup(self):
            self.outer_session = db.session
            connection = self.outer_session.get_bind()
            self.savepoint = connection.begin_nested()
            db.session = scoped_session(sessionmaker(
                bind=connection, join_transaction_mode="create_savepoint"))
            limiter.reset()

        def teardown(self):
            db.session.remove()
            db.session = self.outer_session
            self.savepoint.rollback()

        def before_call(self, case):
            if store_id is not None and "store_id" in (case.path_parameters or {}):
                case.path_parameters["store_id"] = store_id

        def get_call_kwargs(self, case):
            return {"app": app, "headers": headers}

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, checks=CHECKS, headers=headers)

    Scenarios.run(settings=settings(BUDGET, max_examples=SCENARIOS, stateful_step_count=6))


def test_linked_scenarios_as_a_shopper(app, shopper, stripe_sandbox):
    _scenarios(app, shopper)


def test_linked_scenarios_as_store_staff(app, make_checkout_shop, make_paid_order, api_token,
                                         fx_snapshot, stripe_sandbox):
    # A store that can sell (warehouse, shipping zones, rates) and has a paid order, so a
    # scenario can go from the store to a new product, the cart, a quote and a payment,
    # or from the store's orders to a shipment.
    shop = make_checkout_shop(currency="USD", country="US", stock=20)
    make_paid_order([(shop.variants[0], 1)])
    _scenarios(app, api_token(shop.owner), shop.store.id)


def test_every_link_leads_to_an_operation_and_fills_its_path():
    """A link naming a missing operation or parameter would silently chain nothing."""
    document = build_document(create_app("testing"))
    operations = {op["operationId"]: (path, op) for path, methods in document["paths"].items()
                  for op in methods.values()}
    links = [(source, link) for source in operations.values()
             for response in source[1]["responses"].values()
             for link in response.get("links", {}).values()]
    assert len(links) >= 15
    for (_path, source), link in links:
        target_path, target = operations[link["operationId"]]
        needed = {p["name"] for p in target["parameters"] if p["in"] == "path"}
        assert needed <= set(link["parameters"]), (source["operationId"], link)
        assert set(link["parameters"]) <= needed, (source["operationId"], link)
