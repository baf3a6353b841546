"""GET /api/v1/brands/{organization_id}/campaigns/{campaign_id}/report: contract, 422, 404."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from app.extensions import db
from app.models import CampaignNote, utcnow
from tests.ad_delivery_factories import promoted_note
from tests.ad_report_factories import add_click, add_impressions, paid_order
from tests.catalog_factories import make_shop

pytest_plugins = ["tests.ad_placement_factories"]


def url(brand, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return (f"/api/v1/brands/{brand.org.id}/campaigns/{brand.campaign.id}/report"
            + (f"?{query}" if query else ""))


def test_the_report_as_the_contract_says(client, api_token, ad_brand, make_org, make_user):
    brand = ad_brand()
    note = promoted_note(brand.owner)
    brand.campaign.campaign_notes = [CampaignNote(note_id=note.id, position=0)]
    product = make_shop(make_org, make_user).add_product(skus=("S-1",), price="25.00")
    shopper = make_user()
    day = utcnow().date() - timedelta(days=3)
    at = datetime.combine(day, time(9), tzinfo=UTC)
    add_impressions(brand.campaign, at, 8, user=shopper)
    add_click(brand.campaign, at, user=shopper, charged_minor=50)
    paid_order(product, shopper, at + timedelta(hours=1), note_id=note.id)
    db.session.commit()
    answer = client.get(url(brand, **{"from": (day - timedelta(days=1)).isoformat(),
                                      "to": day.isoformat()}),
                        headers=api_token(brand.owner))
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["campaign_id"] == brand.campaign.id and body["currency"] == "USD"
    assert body["time_zone"] == "UTC"
    assert [d["date"] for d in body["days"]] == [(day - timedelta(days=1)).isoformat(),
                                                 day.isoformat()]
    assert body["days"][1] == {
        "date": day.isoformat(), "impressions": 8, "reach": 1, "clicks": 1, "ctr": "0.1250",
        "spend": {"amount": "0.50", "currency": "USD"},
        "ecpm": {"amount": "62.50", "currency": "USD"},
        "ecpc": {"amount": "0.50", "currency": "USD"}, "orders": 1,
        "gmv": {"amount": "25.00", "currency": "USD"}, "roas": "50.00"}
    assert body["days"][0]["spend"] == {"amount": "0.00", "currency": "USD"}
    assert body["days"][0]["ecpm"] is None and body["days"][0]["roas"] is None
    assert body["totals"]["orders"] == 1


def test_bad_dates_answer_422_naming_the_field(client, api_token, ad_brand):
    brand = ad_brand()
    headers = api_token(brand.owner)
    for params, field in (({"from": "2026-02-30"}, "from"), ({"to": "soon"}, "to"),
                          ({"from": "2026-03-02", "to": "2026-03-01"}, "to")):
        answer = client.get(url(brand, **params), headers=headers)
        assert answer.status_code == 422, params
        error = answer.get_json()["error"]
        assert error["code"] == "invalid_report_dates" and field in error["fields"]


def test_another_brand_gets_404(client, api_token, ad_brand):
    brand, other = ad_brand(), ad_brand()
    assert client.get(url(brand), headers=api_token(other.owner)).status_code == 404
    own_org_other_campaign = (f"/api/v1/brands/{other.org.id}/campaigns/"
                              f"{brand.campaign.id}/report")
    assert client.get(own_org_other_campaign,
                      headers=api_token(other.owner)).status_code == 404
    assert client.get(url(brand)).status_code == 401
