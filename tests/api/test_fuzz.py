"""The API against its own OpenAPI document, fuzzed: never a 5xx, never an undocumented answer.

Schemathesis generates requests from /api/v1/openapi.json and sends them to the app
in-process, as a shopper and as a merchant's staff (whose requests aim at their own
store, so the body parsers behind the permission check are reached too). The budget is
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

from app import create_app
from app.api.openapi import build_document
from tests.catalog_factories import make_shop

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance,
          content_type_conformance]


# The document depends on the routes only, so an app built here (no database touched)
# describes the session's app exactly; requests go to the session's app (`app=`).
schema = schemathesis.openapi.from_dict(build_document(create_app("testing")))


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
