"""The brand advertising endpoints: the contract's fields, errors with field paths, 404s."""

from __future__ import annotations

from app.extensions import db
from app.services import ads
from tests.ads_factories import campaign_input, decide_note_review

pytest_plugins = ["tests.ads_fixtures", "tests.localstripe_server"]


def test_create_list_get_and_submit_a_campaign(client, api_token, make_brand):
    brand = make_brand()
    headers = api_token(brand.owner)
    url = f"/api/v1/brands/{brand.org.id}/campaigns"
    made = client.post(url, json=campaign_input(brand), headers=headers)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["status"] == "draft" and body["pricing"] == "cpc"
    assert body["bid"] == {"amount": "0.50", "currency": "USD"}
    assert body["budget"] == {"amount": "100.00", "currency": "USD"}
    assert body["daily_cap"] == {"amount": "20.00", "currency": "USD"}
    assert body["note_ids"] == [brand.note.id]
    assert body["targeting"] == {"countries": ["JP"], "languages": ["en", "ja"], "topics": []}
    listed = client.get(url, headers=headers).get_json()
    assert [c["id"] for c in listed["items"]] == [body["id"]] and listed["next_cursor"] is None
    assert client.get(f"{url}/{body['id']}", headers=headers).get_json()["name"] == \
        "Spring glow"
    submitted = client.post(f"{url}/{body['id']}/submit", headers=headers)
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "in_review"
    again = client.post(f"{url}/{body['id']}/submit", headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_campaign_transition"
    filtered = client.get(f"{url}?status=draft", headers=headers).get_json()
    assert filtered["items"] == []


def test_campaign_errors_name_their_fields(client, api_token, make_brand):
    brand, other = make_brand(), make_brand()
    headers = api_token(brand.owner)
    url = f"/api/v1/brands/{brand.org.id}/campaigns"
    bad = client.post(url, json=campaign_input(
        brand, budget={"amount": "0.10", "currency": "USD"}, daily_cap=None), headers=headers)
    assert bad.status_code == 422
    assert bad.get_json()["error"]["code"] == "budget_below_bid"
    assert "budget" in bad.get_json()["error"]["fields"]
    foreign = client.post(url, json=campaign_input(brand, note_ids=[other.note.id]),
                          headers=headers)
    assert foreign.get_json()["error"]["code"] == "note_not_promotable"
    assert "note_ids.0" in foreign.get_json()["error"]["fields"]
    several = client.post(url, json=campaign_input(
        brand, targeting={"countries": ["QQ"], "languages": ["xx"]}), headers=headers)
    fields = several.get_json()["error"]["fields"]
    assert {"targeting.countries", "targeting.languages"} <= set(fields)


def test_another_brand_gets_404_everywhere(client, api_token, make_brand):
    brand, other = make_brand(), make_brand()
    campaign = ads.create_campaign(brand.owner, brand.org.id, campaign_input(brand))
    db.session.commit()
    headers = api_token(other.owner)
    base = f"/api/v1/brands/{brand.org.id}"
    assert client.get(f"{base}/campaigns", headers=headers).status_code == 404
    assert client.get(f"{base}/balance", headers=headers).status_code == 404
    assert client.post(f"{base}/campaigns/{campaign.id}/submit",
                       headers=headers).status_code == 404
    assert client.get(f"/api/v1/brands/{other.org.id}/campaigns/{campaign.id}",
                      headers=headers).status_code == 404
    assert client.post(f"{base}/campaigns", json=campaign_input(brand),
                       headers=headers).status_code == 404


def test_the_balance_is_money(client, api_token, make_brand, make_org, make_user):
    brand = make_brand(balance=12_345)
    body = client.get(f"/api/v1/brands/{brand.org.id}/balance",
                      headers=api_token(brand.owner)).get_json()
    assert body["balance"] == {"amount": "123.45", "currency": "USD"}
    assert body["reserved"] == {"amount": "0.00", "currency": "USD"}
    owner = make_user()
    unopened = make_org("brand", owner=owner)
    response = client.get(f"/api/v1/brands/{unopened.id}/balance", headers=api_token(owner))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "ad_account_not_open"


def test_a_top_up_returns_what_stripe_js_needs(client, api_token, stripe_sandbox, make_brand):
    brand = make_brand()
    response = client.post(f"/api/v1/brands/{brand.org.id}/topups",
                           json={"amount": {"amount": "300.00", "currency": "USD"}},
                           headers={**api_token(brand.owner), "Idempotency-Key": "t-1"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "created" and body["intent_id"].startswith("pi_")
    assert body["client_secret"] and body["amount"] == {"amount": "300.00", "currency": "USD"}
    replay = client.post(f"/api/v1/brands/{brand.org.id}/topups",
                         json={"amount": {"amount": "300.00", "currency": "USD"}},
                         headers={**api_token(brand.owner), "Idempotency-Key": "t-1"})
    assert replay.get_json()["id"] == body["id"]
    wrong = client.post(f"/api/v1/brands/{brand.org.id}/topups",
                        json={"amount": {"amount": "3.00", "currency": "EUR"}},
                        headers=api_token(brand.owner))
    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "currency_mismatch"


def test_partnerships_through_the_api(client, api_token, make_brand, make_user, quick_note,
                                      reviewer):
    brand = make_brand(balance=50_000)
    creator = make_user()
    made = client.post(f"/api/v1/brands/{brand.org.id}/partnerships",
                       json={"creator_id": creator.id, "title": "Serum", "brief": "Review it",
                             "fee": {"amount": "200.00", "currency": "USD"}},
                       headers=api_token(brand.owner))
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["status"] == "proposed" and body["brand_name"] == brand.org.name
    creator_headers = api_token(creator)
    mine = client.get("/api/v1/me/partnerships", headers=creator_headers).get_json()
    assert [p["id"] for p in mine["items"]] == [body["id"]]
    assert client.post(f"/api/v1/partnerships/{body['id']}/accept",
                       headers=api_token(brand.owner)).status_code == 404
    accepted = client.post(f"/api/v1/partnerships/{body['id']}/accept",
                           headers=creator_headers)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    note = quick_note(creator, "Serum diary")
    db.session.commit()
    published = client.post(f"/api/v1/partnerships/{body['id']}/publish",
                            json={"note_id": note.id}, headers=creator_headers)
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    decide_note_review(reviewer, note.id)  # the approval pays the creator
    db.session.commit()
    balance = client.get(f"/api/v1/brands/{brand.org.id}/balance",
                         headers=api_token(brand.owner)).get_json()
    assert balance["balance"]["amount"] == "300.00"
    listed = client.get(f"/api/v1/brands/{brand.org.id}/partnerships",
                        headers=api_token(brand.owner)).get_json()
    assert listed["items"][0]["note_id"] == note.id
    declined = client.post(f"/api/v1/partnerships/{body['id']}/decline",
                           headers=creator_headers)
    assert declined.status_code == 409


def test_a_partnership_note_carries_its_label_in_the_notes_api(client, make_brand, make_user,
                                                               quick_note, reviewer):
    brand = make_brand(balance=50_000, name="Lumi Beauty")
    creator = make_user()
    note = quick_note(creator, "Serum diary")
    plain = quick_note(creator, "Tea")
    made = ads.propose_partnership(brand.owner, brand.org.id, creator_id=creator.id,
                                   title="Serum", brief="Review", fee="50")
    ads.accept_partnership(creator, made.id)
    ads.publish_partnership_note(creator, made.id, note.id)
    decide_note_review(reviewer, note.id)
    db.session.commit()
    body = client.get(f"/api/v1/notes/{note.id}").get_json()
    assert body["partnership"] == {"brand": "Lumi Beauty",
                                   "label": "Sponsored · with Lumi Beauty"}
    assert client.get(f"/api/v1/notes/{plain.id}").get_json()["partnership"] is None
