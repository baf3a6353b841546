"""GET /api/v1/stores/{store_id}/orders/{order_id}/customs-documents/{kind}."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.checkout_factories", "tests.customs_factories"]


@pytest.fixture
def shop(make_checkout_shop):
    return make_checkout_shop(currency="USD", country="CN", price="25", stock=50)


def url(shop, order, kind):
    return f"/api/v1/stores/{shop.store.id}/orders/{order.id}/customs-documents/{kind}"


@pytest.mark.parametrize("kind", ["cn22", "cn23", "commercial-invoice", "packing-slip"])
def test_staff_get_each_document_as_pdf(client, api_token, shop, make_paid_order, read_pdf,
                                        kind):
    order = make_paid_order([(shop.variants[0], 2)])
    response = client.get(url(shop, order, kind), headers=api_token(shop.staff))
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/pdf"
    assert f'filename="{kind}-{order.checkout_reference}-{order.id}.pdf"' in \
        response.headers["Content-Disposition"]
    text = read_pdf(response.data)
    assert "090210" in text and "50.00" in text or kind == "packing-slip" and "090210" in text


def test_the_tracking_number_becomes_a_barcode(client, api_token, shop, make_paid_order,
                                               read_pdf):
    order = make_paid_order([(shop.variants[0], 1)])
    response = client.get(url(shop, order, "cn23") + "?tracking_number=LP00492755414105",
                          headers=api_token(shop.staff))
    assert "LP00492755414105" in read_pdf(response.data)
    bad = client.get(url(shop, order, "cn23") + "?tracking_number=%3Cb%3E",
                     headers=api_token(shop.staff))
    assert bad.status_code == 422
    assert bad.get_json()["error"]["code"] == "invalid_tracking_number"


def test_cn22_over_300_sdr_is_refused_with_its_code(client, api_token, shop,
                                                    make_paid_order):
    order = make_paid_order([(shop.variants[0], 20)])  # 500 USD
    response = client.get(url(shop, order, "cn22"), headers=api_token(shop.staff))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "cn23_required"
    assert client.get(url(shop, order, "cn23"),
                      headers=api_token(shop.staff)).status_code == 200


def test_another_stores_staff_get_404(client, api_token, shop, make_paid_order,
                                      make_checkout_shop):
    order = make_paid_order([(shop.variants[0], 1)])
    rival = make_checkout_shop(currency="USD", country="US", with_product=False)
    headers = api_token(rival.owner)
    assert client.get(url(shop, order, "cn23"), headers=headers).status_code == 404
    assert client.get(url(rival, order, "cn23"), headers=headers).status_code == 404


def test_unknown_kind_is_404(client, api_token, shop, make_paid_order):
    order = make_paid_order([(shop.variants[0], 1)])
    response = client.get(url(shop, order, "cn99"), headers=api_token(shop.staff))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_document"


def test_unpaid_order_is_409(client, api_token, shop, make_paid_order):
    from app.extensions import db

    order = make_paid_order([(shop.variants[0], 1)])
    order.status = "cancelled"
    db.session.commit()
    response = client.get(url(shop, order, "packing-slip"), headers=api_token(shop.staff))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "order_not_shippable"


def test_a_token_is_required(client, shop, make_paid_order):
    order = make_paid_order([(shop.variants[0], 1)])
    assert client.get(url(shop, order, "cn23")).status_code == 401


def test_documented_as_a_pdf_response(client):
    document = client.get("/api/v1/openapi.json").get_json()
    path = "/api/v1/stores/{store_id}/orders/{order_id}/customs-documents/{kind}"
    responses = document["paths"][path]["get"]["responses"]
    assert list(responses["200"]["content"]) == ["application/pdf"]
    assert list(responses["422"]["content"]) == ["application/json"]
