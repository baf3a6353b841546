"""Cross-organisation access: every organisation- or store-scoped route refuses outsiders.

The routes are discovered from `app.url_map` (any rule with an `org_id` or `store_id`
parameter, HTML and API alike), so a route added later is checked without touching
this file. The outsider owns another organisation (the strongest role a stranger can
have); for every method of every such route they must get 403 or 404, see none of the
other organisation's data, and change nothing.

API endpoints documented as public (`@operation(auth=False)`, e.g. a store's catalog for
shoppers) may answer, but must not show the team's private data (members, invitations).
Required query parameters documented for an endpoint are sent, so the check is about
access and not about a missing parameter.
"""

from __future__ import annotations

import uuid

import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from app.core.transaction import commit
from app.extensions import db
from app.models import Invitation, Membership, Organization, Store
from app.services.orgs import organizations as orgs
from app.web.links import site_links
from tests.conftest import csrf_from

SCOPE_PARAMS = {"org_id", "store_id"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
VICTIM_NAME = "Victim Secret Organisation"
VICTIM_OWNER = "victim-owner@example.com"
VICTIM_STAFF = "victim-staff@example.com"
VICTIM_INVITEE = "victim-invitee@example.com"
# Whatever a form or JSON body might ask for: the request must fail on access, not on input.
FORM_BODY = {"email": "attacker-friend@example.com", "role": "admin", "name": "Hijacked",
             "confirm_name": VICTIM_NAME, "kind": "merchant", "title": "Hijacked",
             "quantity": "5", "mode": "set"}


def scoped_rules(app):
    """Every rule whose URL names an organisation or a store."""
    return sorted((rule for rule in app.url_map.iter_rules()
                   if SCOPE_PARAMS & set(rule.arguments)), key=lambda r: r.rule)


@pytest.fixture
def world(make_org, make_user):
    """A victim merchant with a team and an invitation, and an outsider who owns a shop."""
    victim_owner = make_user(VICTIM_OWNER, display_name="Victim Owner")
    victim_staff = make_user(VICTIM_STAFF, display_name="Victim Staff")
    victim = make_org("merchant", owner=victim_owner, members={victim_staff: "staff"},
                      name=VICTIM_NAME)
    invitation, _secret = orgs.invite_member(victim_owner, victim.id, VICTIM_INVITEE, "staff",
                                             links=site_links)
    commit()
    attacker = make_user("attacker@example.com", display_name="Attacker")
    own = make_org("merchant", owner=attacker, name="Attacker Shop")
    make_org("brand", owner=attacker, name="Attacker Brand")
    return {"victim": victim, "victim_owner": victim_owner, "victim_staff": victim_staff,
            "invitation": invitation, "attacker": attacker, "own": own}


def url_values(rule, world) -> dict:
    """Values for the rule's parameters, all pointing at the victim's things."""
    victim = world["victim"]
    known = {"org_id": victim.id, "store_id": victim.store.id,
             "user_id": world["victim_staff"].id, "invitation_id": world["invitation"].id,
             "role": "admin"}
    values = {}
    for name in rule.arguments:
        if name in known:
            values[name] = known[name]
        else:
            converter = rule._converters.get(name)
            values[name] = 1 if isinstance(converter, IntegerConverter) else "x"
    return values


def snapshot(victim_id: int) -> dict:
    """Everything an outsider might try to change about the victim."""
    db.session.expire_all()
    org = db.session.get(Organization, victim_id)
    store = db.session.scalar(select(Store).where(Store.organization_id == victim_id))
    return {
        "org": (org.name, org.slug, org.kind),
        "store": (store.name, store.slug, store.base_currency, store.origin_country,
                  store.description),
        "members": sorted(db.session.execute(select(Membership.user_id, Membership.role).where(
            Membership.organization_id == victim_id)).all()),
        "invitations": sorted(db.session.execute(select(
            Invitation.id, Invitation.email, Invitation.role, Invitation.revoked_at,
            Invitation.accepted_at).where(Invitation.organization_id == victim_id)).all()),
    }


def leaks(body: str, *, public: bool = False) -> list[str]:
    markers = (VICTIM_OWNER, VICTIM_STAFF, VICTIM_INVITEE) if public else \
        (VICTIM_NAME, VICTIM_OWNER, VICTIM_STAFF, VICTIM_INVITEE)
    return [marker for marker in markers if marker in body]


def api_spec(app, rule) -> dict:
    return getattr(app.view_functions[rule.endpoint], "openapi", None) or {}


def required_query(spec: dict) -> dict:
    """A value for every required query parameter the endpoint documents."""
    values = {}
    for param in spec.get("params", []):
        if param.get("in") == "query" and param.get("required"):
            kind = param.get("schema", {}).get("type")
            values[param["name"]] = 1 if kind == "integer" else "x"
    return values


def test_discovery_finds_the_organisation_routes(app):
    rules = scoped_rules(app)
    assert rules, "no route with an org_id or store_id parameter was discovered"
    endpoints = {rule.endpoint for rule in rules}
    expected = {"orgs.dashboard", "orgs.members", "orgs.invite", "orgs.revoke_invitation",
                "orgs.change_role", "orgs.remove_member", "orgs.transfer", "orgs.leave",
                "admin.organization_detail", "api.get_organization", "api.list_members",
                "api.list_invitations", "api.create_invitation"}
    assert expected <= endpoints, f"not discovered: {sorted(expected - endpoints)}"


def test_the_harness_sees_data_when_access_is_allowed(app, world, login):
    """A control: the victim's own owner does see the markers this test looks for."""
    browser = app.test_client()
    login(world["victim_owner"], target=browser)
    response = browser.get(f"/orgs/{world['victim'].id}/members")
    assert response.status_code == 200
    assert set(leaks(response.get_data(as_text=True))) == {VICTIM_NAME, VICTIM_OWNER,
                                                           VICTIM_STAFF, VICTIM_INVITEE}


def test_html_routes_refuse_members_of_other_organisations(app, world, login):
    browser = app.test_client()
    login(world["attacker"], target=browser)
    before = snapshot(world["victim"].id)
    token = csrf_from(browser.get("/orgs/new").get_data(as_text=True))
    problems, checked = [], 0
    for rule in scoped_rules(app):
        if rule.endpoint.startswith("api."):
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **url_values(rule, world))
        for method in sorted(set(METHODS) & rule.methods):
            data = {**FORM_BODY, "csrf_token": token,
                    "new_owner": str(world["attacker"].id)} if method != "GET" else None
            response = browser.open(url, method=method, data=data)
            checked += 1
            body = response.get_data(as_text=True)
            if response.status_code not in (403, 404):
                problems.append(f"{method} {url} -> {response.status_code}")
            if leaks(body):
                problems.append(f"{method} {url} shows {leaks(body)}")
    assert checked >= 9, f"only {checked} HTML requests were checked"
    assert not problems, "outsiders got through:\n" + "\n".join(problems)
    assert snapshot(world["victim"].id) == before


def test_api_routes_refuse_members_of_other_organisations(app, client, world, api_token):
    headers = api_token(world["attacker"])
    before = snapshot(world["victim"].id)
    problems, checked = [], 0
    for rule in scoped_rules(app):
        if not rule.endpoint.startswith("api."):
            continue
        spec = api_spec(app, rule)
        public = spec.get("auth") is False
        with app.test_request_context():
            url = url_for(rule.endpoint, **url_values(rule, world), **required_query(spec))
        for method in sorted(set(METHODS) & rule.methods):
            kwargs = {}
            if method != "GET":
                kwargs["json"] = {**FORM_BODY, "new_owner_id": world["attacker"].id,
                                  "items": [], "variants": []}
                kwargs["headers"] = {**headers, "Idempotency-Key": uuid.uuid4().hex}
            else:
                kwargs["headers"] = headers
            response = client.open(url, method=method, **kwargs)
            checked += 1
            body = response.get_data(as_text=True)
            if public:
                if response.status_code >= 500:
                    problems.append(f"{method} {url} (public) -> {response.status_code}")
            elif response.status_code not in (403, 404):
                problems.append(f"{method} {url} -> {response.status_code} {body[:200]}")
            elif response.get_json() is None or "error" not in response.get_json():
                problems.append(f"{method} {url} did not answer the JSON error shape")
            if leaks(body, public=public):
                problems.append(f"{method} {url} shows {leaks(body, public=public)}")
    assert checked >= 4, f"only {checked} API requests were checked"
    assert not problems, "outsiders got through:\n" + "\n".join(problems)
    assert snapshot(world["victim"].id) == before


def test_the_outsiders_own_organisation_still_works(client, world, api_token):
    """The same token does reach the outsider's own organisation: the 404s above are real."""
    own = world["own"]
    response = client.get(f"/api/v1/organizations/{own.id}", headers=api_token(world["attacker"]))
    assert response.status_code == 200 and response.get_json()["name"] == "Attacker Shop"
