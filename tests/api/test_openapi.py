"""The OpenAPI 3.1 document: valid, complete (every route documented), and a readable page."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from app.api.openapi import build_document

UNDOCUMENTED_BY_DESIGN = {"/api/v1/openapi.json", "/api/v1/docs"}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def api_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")]


def test_the_document_validates_as_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_the_validator_would_catch_a_broken_document(document):
    broken = {**document, "paths": {"/x": {"get": {"responses": {"200": {"content": 1}}}}}}
    with pytest.raises(OpenAPIValidationError):
        validate(broken, cls=OpenAPIV31SpecValidator)


def test_every_api_route_carries_an_openapi_description(app):
    missing = []
    for rule in api_rules(app):
        if rule.rule in UNDOCUMENTED_BY_DESIGN:
            continue
        spec = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if spec is None or not spec.get("summary") or not spec.get("responses"):
            missing.append(f"{sorted(rule.methods - {'HEAD', 'OPTIONS'})} {rule.rule}")
    assert not missing, "undocumented API routes (add @operation):\n" + "\n".join(missing)


def test_every_api_route_and_method_is_in_the_document(app, document):
    for rule in api_rules(app):
        if rule.rule in UNDOCUMENTED_BY_DESIGN:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in document["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], f"{method} {path}"


def test_operations_are_unique_and_described(document):
    ids = [op["operationId"] for methods in document["paths"].values()
           for op in methods.values()]
    assert len(ids) == len(set(ids))
    for methods in document["paths"].values():
        for op in methods.values():
            assert op["summary"] and op["responses"]
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"}


def test_the_contract_endpoints_are_documented(document):
    paths = document["paths"]
    assert set(paths["/api/v1/auth/token"]["post"]["responses"]) >= {"201", "401", "429"}
    assert paths["/api/v1/auth/token"]["post"]["security"] == []
    assert set(paths["/api/v1/users"]["post"]["responses"]) >= {"201", "409", "422"}
    assert any(p["name"] == "Idempotency-Key" for p in paths["/api/v1/users"]["post"]
               ["parameters"])
    me = paths["/api/v1/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}]
    assert me["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/User"}
    assert {p["name"] for p in paths["/api/v1/tokens"]["get"]["parameters"]} >= {
        "cursor", "limit"}
    user = document["components"]["schemas"]["User"]
    assert set(user["required"]) >= {"id", "email", "roles", "memberships"}
    membership = user["properties"]["memberships"]["items"]
    assert set(membership["required"]) >= {"organization_id", "kind", "role", "store_id"}
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_error_and_money_schemas(document):
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["properties"]["error"]["required"] == ["code", "message", "fields"]
    assert schemas["Money"]["properties"]["amount"]["type"] == "string"


def test_responses_match_the_documented_user_schema(client, make_user, api_token, document):
    from openapi_schema_validator import OAS31Validator

    body = client.get("/api/v1/me", headers=api_token(make_user())).get_json()
    schema = {**document["components"]["schemas"]["User"],
              "components": document["components"]}
    OAS31Validator(schema).validate(body)


def test_the_document_is_built_without_a_request(app):
    with app.app_context():
        assert build_document(app)["paths"]


def test_the_reference_page_renders(client, document):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Qiao API" in html
    for methods in document["paths"].values():
        for op in methods.values():
            assert f'id="{op["operationId"]}"' in html
    assert 'id="schema-User"' in html
    assert response.headers["Content-Security-Policy"]


def test_the_reference_page_in_chinese(client):
    response = client.get("/api/v1/docs", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in response.get_data(as_text=True)


def test_the_error_schema_lists_every_catalogued_code(document):
    from app.services.error_codes import ERROR_CODES

    code = document["components"]["schemas"]["Error"]["properties"]["error"]["properties"][
        "code"]
    assert code["examples"] == sorted(ERROR_CODES)
    table = code["x-error-codes"]
    assert set(table) == set(ERROR_CODES)
    assert table["idempotency_key_reused"] == {
        "statuses": [409], "meaning": ERROR_CODES["idempotency_key_reused"].meaning}
    assert table["invalid_credentials"]["statuses"] == [401]


def test_a_real_error_response_carries_a_documented_code(client, document):
    from openapi_schema_validator import OAS31Validator

    response = client.post("/api/v1/auth/token", json={"email": "nobody@example.com",
                                                      "password": "wrong"})
    assert response.status_code == 401
    body = response.get_json()
    schema = {**document["components"]["schemas"]["Error"],
              "components": document["components"]}
    OAS31Validator(schema).validate(body)
    code = body["error"]["code"]
    table = schema["properties"]["error"]["properties"]["code"]["x-error-codes"]
    assert response.status_code in table[code]["statuses"]


def test_the_reference_page_lists_the_error_codes(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert 'id="error-codes"' in html
    assert '<tr id="error-idempotency_key_reused"><td><code>idempotency_key_reused</code></td>' \
           "<td>409</td>" in html
