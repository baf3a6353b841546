"""Customs documents: the declaration data, the CN22/CN23 rule, tax numbers, the PDFs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Warehouse, utcnow
from app.services.errors import NotFound, ValidationFailed
from app.services.fx.conversion import StaleRate
from app.services.logistics import customs_documents as customs

pytest_plugins = ["tests.checkout_factories", "tests.customs_factories"]

IOSS = "IM2760000001"


@pytest.fixture
def tea_shop(make_checkout_shop):
    # A Hangzhou store selling in USD keeps the arithmetic easy to follow: 25 USD a tin.
    return make_checkout_shop(currency="USD", country="CN", price="25", stock=50,
                              weight_grams=250, hs_code="090210", title="Dragon Well tea")


def render(shop, order, kind, **kwargs):
    return customs.render_customs_document(shop.staff, shop.store.id, order.id, kind,
                                           compress=False, **kwargs)


def test_declaration_gathers_lines_weights_values_and_parties(tea_shop, make_paid_order):
    order = make_paid_order([(tea_shop.variants[0], 3)], currency="USD", country="US")
    declaration = customs.gather_customs_declaration(tea_shop.staff, tea_shop.store.id,
                                                     order.id)
    (line,) = declaration.lines
    assert (line.description, line.quantity, line.hs_code, line.origin_country) == (
        "Dragon Well tea", 3, "090210", "CN")
    assert line.net_weight_grams == 750
    assert str(line.value.amount) == "75.00" and line.value.currency == "USD"
    assert str(declaration.total_value.amount) == "75.00"
    assert declaration.sender.name == tea_shop.store.name
    assert declaration.sender.country == "CN"
    assert declaration.recipient.name == "Mia Shopper"
    assert declaration.recipient.country == "US"
    assert declaration.category == "Sale of goods"
    assert declaration.reference == f"{order.checkout_reference}-{order.id}"


def test_cn23_pdf_shows_hs_codes_values_and_the_tracking_number(read_pdf, tea_shop,
                                                                make_paid_order):
    order = make_paid_order([(tea_shop.variants[0], 2), (tea_shop.variants[1], 1)])
    document = render(tea_shop, order, "cn23", tracking_number="rr 473 124 829 cn")
    assert document.content.startswith(b"%PDF-")
    assert document.filename == f"cn23-{order.checkout_reference}-{order.id}.pdf"
    text = read_pdf(document.content)
    assert "CUSTOMS DECLARATION CN 23" in text
    assert text.count("090210") == 2
    assert "50.00" in text and "75.00" in text  # a line value and the total
    assert "Sale of goods" in text
    assert "RR473124829CN" in text  # the barcode's human-readable line
    assert "0.750" in text  # total net weight in kg


def test_every_kind_renders_and_compressed_output_is_a_pdf(read_pdf, tea_shop,
                                                           make_paid_order):
    order = make_paid_order([(tea_shop.variants[0], 1)])
    for kind in customs.DOCUMENT_KINDS:
        pdf = customs.render_customs_document(tea_shop.owner, tea_shop.store.id, order.id,
                                              kind).content
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF"), kind
        assert "090210" in read_pdf(pdf), kind


def test_cn22_up_to_300_sdr_and_refused_above(read_pdf, tea_shop, make_paid_order, app):
    app.config["CUSTOMS_USD_PER_SDR"] = "1.36"  # 300 SDR = 408.00 USD
    small = make_paid_order([(tea_shop.variants[0], 16)])  # 400 USD
    assert "CN 22" in read_pdf(render(tea_shop, small, "cn22").content)
    large = make_paid_order([(tea_shop.variants[0], 17)])  # 425 USD
    with pytest.raises(customs.Cn23Required) as refused:
        render(tea_shop, large, "cn22")
    assert (refused.value.code, refused.value.status) == ("cn23_required", 422)
    assert "CN 23" in read_pdf(render(tea_shop, large, "cn23").content)


def test_the_sdr_limit_is_exact_at_the_boundary(tea_shop, make_paid_order, app):
    order = make_paid_order([(tea_shop.variants[0], 16)])  # 400.00 USD
    app.config["CUSTOMS_USD_PER_SDR"] = str(Decimal("400") / 300)  # 300 SDR ~ 400.00 USD
    declaration = customs.gather_customs_declaration(tea_shop.staff, tea_shop.store.id,
                                                     order.id)
    app.config["CUSTOMS_USD_PER_SDR"] = "1.3333333333333333333333333334"  # just above
    assert customs.fits_cn22(declaration)
    app.config["CUSTOMS_USD_PER_SDR"] = "1.3333333333333333333333333333"  # just below
    assert not customs.fits_cn22(declaration)


def test_cn22_in_another_currency_goes_through_the_fx_rate(tea_shop, make_paid_order, app,
                                                           fx_snapshot):
    order = make_paid_order([(tea_shop.variants[0], 2)], currency="EUR", country="DE")
    declaration = customs.gather_customs_declaration(tea_shop.staff, tea_shop.store.id,
                                                     order.id)
    usd = customs.value_in_usd(declaration.total_value)
    assert usd.currency == "USD" and usd.minor > 0
    assert customs.fits_cn22(declaration)
    # A stale rate is refused with the fx service's own error, not guessed around.
    fx_snapshot.as_of = utcnow() - timedelta(days=30)
    db.session.commit()
    with pytest.raises(StaleRate):
        render(tea_shop, order, "cn22")


def test_ioss_is_printed_for_an_eu_order_with_tax_collected_at_checkout(
        read_pdf, tea_shop, make_paid_order, app):
    app.config["PLATFORM_IOSS_NUMBER"] = IOSS
    ddp = make_paid_order([(tea_shop.variants[0], 2)], currency="EUR", country="DE")
    assert ddp.collected_at_checkout  # about EUR 46: under the EUR 150 IOSS ceiling
    for kind in ("cn22", "cn23", "commercial-invoice"):
        assert f"IOSS: {IOSS}" in read_pdf(render(tea_shop, ddp, kind).content), kind
    assert "DDP" in read_pdf(render(tea_shop, ddp, "commercial-invoice").content)


def test_no_ioss_when_duties_and_taxes_are_due_on_delivery(read_pdf, tea_shop, make_paid_order,
                                                           app):
    app.config["PLATFORM_IOSS_NUMBER"] = IOSS
    ddu = make_paid_order([(tea_shop.variants[0], 10)], currency="EUR", country="DE")
    assert not ddu.collected_at_checkout  # about EUR 230: above the IOSS ceiling
    for kind in ("cn23", "commercial-invoice", "packing-slip"):
        assert IOSS not in read_pdf(render(tea_shop, ddu, kind).content), kind
    assert "DAP" in read_pdf(render(tea_shop, ddu, "commercial-invoice").content)


def test_tax_registration_by_destination(app):
    app.config.update(PLATFORM_IOSS_NUMBER=IOSS, PLATFORM_UK_VAT_NUMBER="GB123456789",
                      PLATFORM_AU_GST_NUMBER="", PLATFORM_SG_GST_NUMBER="M90312345A")
    assert customs.tax_registration_for("fr", True) == ("IOSS", IOSS)
    assert customs.tax_registration_for("GB", True) == ("UK VAT", "GB123456789")
    assert customs.tax_registration_for("SG", True) == ("SG GST", "M90312345A")
    assert customs.tax_registration_for("SG", False) is None
    assert customs.tax_registration_for("AU", True) is None  # not configured: not printed
    assert customs.tax_registration_for("US", True) is None
    assert customs.tax_registration_for("DE", False) is None


def test_chinese_titles_and_addresses_render(read_pdf, make_checkout_shop, make_paid_order,
                                             checkout_address):
    shop = make_checkout_shop(currency="CNY", country="CN", price="180", stock=10,
                              title="西湖龙井 明前特级", hs_code="090210", title_en=None)
    address = checkout_address("CN", name="王小红", line1="南京路88号", city="上海")
    order = make_paid_order([(shop.variants[0], 1)], currency="CNY", country="CN",
                            address=address)
    for kind in customs.DOCUMENT_KINDS:
        text = read_pdf(render(shop, order, kind).content)
        assert "西湖龙井 明前特级" in text, kind
        assert "王小红" in text and "南京路88号" in text, kind


def test_the_english_title_is_the_description_when_there_is_one(read_pdf, make_checkout_shop,
                                                                 make_paid_order):
    shop = make_checkout_shop(currency="USD", country="CN", title="龙井茶",
                              title_en="Longjing green tea", stock=5)
    order = make_paid_order([(shop.variants[0], 1)])
    text = read_pdf(render(shop, order, "cn23").content)
    assert "Longjing green tea" in text and "龙井茶" not in text


def test_symbols_a_font_cannot_carry_do_not_break_the_pdf(read_pdf, make_checkout_shop,
                                                          make_paid_order):
    shop = make_checkout_shop(currency="USD", country="CN", title="Tea 🍵\x07 gift box",
                              stock=5)
    order = make_paid_order([(shop.variants[0], 1)])
    assert "Tea ?  gift box" in read_pdf(render(shop, order, "packing-slip").content)


def test_another_stores_staff_and_strangers_get_404(tea_shop, make_paid_order,
                                                    make_checkout_shop, make_user):
    order = make_paid_order([(tea_shop.variants[0], 1)])
    rival = make_checkout_shop(currency="USD", country="US", with_product=False)
    with pytest.raises(NotFound):
        customs.render_customs_document(rival.owner, rival.store.id, order.id, "cn23")
    with pytest.raises(NotFound):
        customs.render_customs_document(rival.owner, tea_shop.store.id, order.id, "cn23")
    with pytest.raises(NotFound):
        customs.render_customs_document(make_user(), tea_shop.store.id, order.id, "cn23")


def test_unknown_kind_is_404(tea_shop, make_paid_order):
    order = make_paid_order([(tea_shop.variants[0], 1)])
    with pytest.raises(NotFound) as missing:
        render(tea_shop, order, "cn99")
    assert missing.value.code == "unknown_document"


def test_unpaid_and_cancelled_orders_get_no_documents(tea_shop, make_paid_order):
    order = make_paid_order([(tea_shop.variants[0], 1)])
    for status in ("pending_payment", "cancelled", "refunded"):
        order.status = status
        db.session.commit()
        with pytest.raises(customs.OrderNotShippable) as refused:
            render(tea_shop, order, "packing-slip")
        assert (refused.value.code, refused.value.status) == ("order_not_shippable", 409)


def test_refunded_units_are_not_declared(tea_shop, make_paid_order):
    order = make_paid_order([(tea_shop.variants[0], 3), (tea_shop.variants[1], 1)])
    order.lines[0].refunded_quantity = 1
    order.lines[1].refunded_quantity = 1
    order.status = "partially_refunded"
    db.session.commit()
    declaration = customs.gather_customs_declaration(tea_shop.staff, tea_shop.store.id,
                                                     order.id)
    assert [(line.sku, line.quantity) for line in declaration.lines] == [
        (order.lines[0].sku, 2)]


def test_missing_customs_data_is_named_per_sku(make_checkout_shop, make_paid_order):
    shop = make_checkout_shop(currency="USD", country="CN", stock=5)
    order = make_paid_order([(shop.variants[0], 1)])
    # The merchant cleared them after the sale (drafts may lack them, too).
    shop.products[0].hs_code = None
    shop.products[0].weight_grams = None
    db.session.commit()
    with pytest.raises(customs.CustomsDataMissing) as refused:
        render(shop, order, "cn23")
    assert refused.value.code == "customs_data_missing"
    assert list(refused.value.fields) == [shop.variants[0].sku]
    assert "HS code" in refused.value.fields[shop.variants[0].sku][0]
    # A packing slip does not need them.
    assert render(shop, order, "packing-slip").content.startswith(b"%PDF-")


def test_a_bad_tracking_number_is_refused(tea_shop, make_paid_order):
    order = make_paid_order([(tea_shop.variants[0], 1)])
    with pytest.raises(ValidationFailed) as refused:
        render(tea_shop, order, "cn23", tracking_number="RR47<script>")
    assert refused.value.code == "invalid_tracking_number"


def test_the_sender_is_an_active_warehouse_in_the_stores_country(tea_shop, make_paid_order):
    order = make_paid_order([(tea_shop.variants[0], 1)])
    tea_shop.warehouse.is_active = False
    db.session.add_all([
        Warehouse(store_id=tea_shop.store.id, name="LA", city="Los Angeles", country="US"),
        Warehouse(store_id=tea_shop.store.id, name="Hangzhou", address_line1="1 Longjing Rd",
                  city="Hangzhou", country="CN"),
    ])
    db.session.commit()
    declaration = customs.gather_customs_declaration(tea_shop.staff, tea_shop.store.id,
                                                     order.id)
    assert declaration.sender.address_lines == ("1 Longjing Rd", "Hangzhou")
    for warehouse in db.session.scalars(
            select(Warehouse).where(Warehouse.store_id == tea_shop.store.id)):
        warehouse.is_active = False
    db.session.commit()
    with pytest.raises(customs.NoShippingWarehouse):
        render(tea_shop, order, "packing-slip")


def test_a_ten_line_order_spans_pages_without_losing_lines(read_pdf, make_checkout_shop,
                                                           make_paid_order):
    skus = tuple(f"LONG-{n:02d}" for n in range(10))
    shop = make_checkout_shop(currency="USD", country="CN", skus=skus, stock=5, price="3",
                              title="Hand-rolled jasmine pearl green tea, spring harvest "
                                    "from the Fujian highlands, loose leaf in a tin")
    order = make_paid_order([(variant, 1) for variant in shop.variants])
    text = read_pdf(render(shop, order, "cn22").content)
    assert text.count("090210") == 10
    assert "continued, page 2" in text
