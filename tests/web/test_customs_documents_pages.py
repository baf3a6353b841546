"""Merchant order page: download links for the customs documents and the PDFs behind them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from app.extensions import db

pytest_plugins = ["tests.checkout_factories", "tests.customs_factories"]

ROOT = Path(__file__).resolve().parents[2]
KINDS = ["cn22", "cn23", "commercial-invoice", "packing-slip"]


@pytest.fixture
def shop(make_checkout_shop):
    return make_checkout_shop(currency="USD", country="CN", price="25", stock=50)


def page_of(shop, order):
    return f"/merchant/stores/{shop.store.id}/orders/{order.id}"


def test_the_order_page_links_the_four_documents(client, login, shop, make_paid_order,
                                                 read_pdf):
    order = make_paid_order([(shop.variants[0], 2)])
    login(shop.staff)
    html = client.get(page_of(shop, order)).get_data(as_text=True)
    links = re.findall(r'href="([^"]+)" data-kind="([^"]+)"', html)
    assert [kind for _href, kind in links] == KINDS
    for href, kind in links:
        assert href == f"{page_of(shop, order)}/documents/{kind}.pdf"
        response = client.get(href)
        assert response.status_code == 200, kind
        assert response.mimetype == "application/pdf"
        assert "090210" in read_pdf(response.data)


def test_every_new_string_has_a_chinese_translation():
    method_map = [("app/services/logistics/customs_documents.py", "python"),
                  ("templates/merchant/orders/detail.html", "jinja2")]
    # (msgid, msgctxt): one English word may have two meanings ("Pending" of a refund).
    found = {(message if isinstance(message, str) else message[0], context)
             for _file, _line, message, _comments, context in extract_from_dir(
                 str(ROOT), method_map=method_map, keywords=DEFAULT_KEYWORDS)}
    assert {("Packing slip", None), ("Commercial invoice", None),
            ("No such document.", None)} <= found
    with (ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)

    def translated(msgid: str, context: str | None) -> bool:
        entry = catalog.get(msgid, context=context)
        return entry is not None and bool(entry.string) and not entry.fuzzy

    assert sorted(key for key in found if not translated(*key)) == []
    assert catalog["Packing slip"].string == "装箱单"


def test_cn22_over_the_limit_explains_what_to_print(client, login, shop, make_paid_order):
    order = make_paid_order([(shop.variants[0], 20)])  # 500 USD, above 300 SDR
    login(shop.staff)
    response = client.get(f"{page_of(shop, order)}/documents/cn22.pdf")
    assert response.status_code == 422
    assert "CN23" in response.get_data(as_text=True)


def test_another_stores_owner_gets_404(client, login, shop, make_paid_order,
                                                        make_checkout_shop):
    order = make_paid_order([(shop.variants[0], 1)])
    rival = make_checkout_shop(currency="USD", country="US", with_product=False)
    login(rival.owner)
    assert client.get(f"{page_of(shop, order)}/documents/cn23.pdf").status_code == 404
    assert client.get(f"/merchant/stores/{rival.store.id}/orders/{order.id}/documents/"
                      "cn23.pdf").status_code == 404


def test_an_unknown_kind_is_404(client, login, shop, make_paid_order):
    order = make_paid_order([(shop.variants[0], 1)])
    login(shop.staff)
    assert client.get(f"{page_of(shop, order)}/documents/cn99.pdf").status_code == 404


def test_a_cancelled_order_offers_no_documents(client, login, shop, make_paid_order):
    order = make_paid_order([(shop.variants[0], 1)])
    order.status = "cancelled"
    db.session.commit()
    login(shop.staff)
    assert 'data-testid="customs-documents"' not in client.get(
        page_of(shop, order)).get_data(as_text=True)
    assert client.get(f"{page_of(shop, order)}/documents/packing-slip.pdf").status_code == 409


def test_documents_are_get_only(client, login, shop, make_paid_order):
    order = make_paid_order([(shop.variants[0], 1)])
    login(shop.staff)
    assert client.post(f"{page_of(shop, order)}/documents/cn23.pdf").status_code == 405
