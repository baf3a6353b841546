"""The return pages: the shopper asks and sends the parcel, the merchant decides and receives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlalchemy import event, select

from app import ROOT
from app.core.transaction import commit
from app.extensions import db
from app.models import ReturnRequest
from app.services import returns
from app.web.links import site_links
from app.web.times import format_when
from tests.conftest import csrf_from
from tests.logistics_factories import yunexpress_number

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server",
                  "tests.shipment_factories", "tests.returns_factories"]


@pytest.fixture
def switch_to(client, login):
    """Log out whoever is logged in, then log `user` in."""

    def switch(user):
        token = csrf_from(client.get("/").get_data(as_text=True))
        client.post("/auth/logout", data={"csrf_token": token})
        login(user)

    return switch


def new_url(delivered):
    return f"/orders/{delivered.order.id}/returns/new"


def ask(post_form, delivered, quantity="1", **changes):
    line = delivered.order.lines[0]
    return post_form(f"/orders/{delivered.order.id}/returns",
                     {f"qty-{line.id}": quantity, "reason": "damaged",
                      "comment": "Lid cracked", **changes}, page=new_url(delivered))


def merchant_url(delivered, made, step=""):
    return f"/merchant/stores/{delivered.shop.store.id}/returns/{made.id}{step}"


def test_the_order_page_offers_a_return_with_its_deadline(app, client, login, switch_to,
                                                          make_delivered_order):
    delivered = make_delivered_order(days_ago=3)
    login(delivered.shopper)
    html = client.get(f"/orders/{delivered.order.id}").get_data(as_text=True)
    assert 'data-testid="return-offer"' in html
    deadline = delivered.shipment.delivered_at + timedelta(days=30)
    with app.test_request_context():  # the viewer's zone and language: UTC, English
        assert format_when(deadline) in html
    waiting = make_delivered_order(days_ago=None)
    switch_to(waiting.shopper)
    assert 'data-testid="return-offer"' not in client.get(
        f"/orders/{waiting.order.id}").get_data(as_text=True)


def test_the_shopper_asks_and_sees_the_status(client, login, switch_to, post_form, outbox,
                                              make_delivered_order):
    delivered = make_delivered_order(quantities=(2,))
    login(delivered.shopper)
    form = client.get(new_url(delivered)).get_data(as_text=True)
    assert f'name="qty-{delivered.order.lines[0].id}"' in form and 'max="2"' in form
    response = ask(post_form, delivered)
    assert response.status_code == 302
    made = db.session.scalar(select(ReturnRequest))
    assert response.headers["Location"].endswith(f"/returns/{made.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="requested"' in page and "Lid cracked" in page
    assert outbox(purpose="return_requested")
    order_page = client.get(f"/orders/{delivered.order.id}").get_data(as_text=True)
    assert f"/returns/{made.id}" in order_page
    switch_to(delivered.shop.staff)
    notices = client.get("/notifications").get_data(as_text=True)
    assert 'data-testid="return-notice"' in notices
    assert f"/merchant/stores/{delivered.shop.store.id}/returns/{made.id}" in notices


def test_too_many_units_show_the_error_next_to_the_line(client, login, post_form,
                                                        make_delivered_order):
    delivered = make_delivered_order(quantities=(2,))
    login(delivered.shopper)
    response = ask(post_form, delivered, quantity="3")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Only 2 of" in html and 'role="alert"' in html
    assert db.session.scalar(select(ReturnRequest.id)) is None


def test_the_merchant_approves_the_shopper_sends_and_the_owner_receives(
        client, login, switch_to, post_form, stripe_sandbox, make_delivered_order):
    delivered = make_delivered_order(quantities=(2,))
    login(delivered.shopper)
    ask(post_form, delivered)
    made = db.session.scalar(select(ReturnRequest))
    switch_to(delivered.shop.staff)
    listing = client.get(f"/merchant/stores/{delivered.shop.store.id}/returns?status=requested")
    assert f"/returns/{made.id}" in listing.get_data(as_text=True)
    assert 'data-testid="no-returns"' in client.get(
        f"/merchant/stores/{delivered.shop.store.id}/returns?status=refunded"
    ).get_data(as_text=True)
    refused = post_form(merchant_url(delivered, made, "/refuse"), {"reason": ""},
                        page=merchant_url(delivered, made))
    assert refused.status_code == 422
    approved = post_form(merchant_url(delivered, made, "/approve"), {},
                         page=merchant_url(delivered, made))
    assert approved.status_code == 302 and made.status == "approved"
    # Staff below admin see why they cannot receive.
    assert 'data-testid="receive-return"' not in client.get(
        merchant_url(delivered, made)).get_data(as_text=True)

    switch_to(delivered.shopper)
    shopper_page = f"/returns/{made.id}"
    number = yunexpress_number()
    sent = post_form(shopper_page + "/parcel", {"carrier": "yunexpress",
                                                "tracking_number": number}, page=shopper_page)
    assert sent.status_code == 302
    page = client.get(shopper_page).get_data(as_text=True)
    assert 'data-status="in_transit"' in page and number in page
    assert 'data-testid="shipment"' in page  # the return parcel's timeline

    switch_to(delivered.shop.owner)
    line = delivered.order.lines[0]
    received = post_form(merchant_url(delivered, made, "/receive"),
                         {f"received-{line.id}": "1", f"restock-{line.id}": "1",
                          f"warehouse-{line.id}": str(delivered.shop.warehouse.id)},
                         page=merchant_url(delivered, made))
    assert received.status_code == 302
    db.session.refresh(made)
    assert made.status == "refunded" and made.refund.state == "succeeded"
    page = client.get(merchant_url(delivered, made)).get_data(as_text=True)
    assert 'data-testid="return-refund"' in page and number in page
    order_page = client.get(f"/merchant/stores/{delivered.shop.store.id}/orders/"
                            f"{delivered.order.id}").get_data(as_text=True)
    assert 'data-testid="order-returns"' in order_page
    switch_to(delivered.shopper)
    assert 'data-testid="return-refund"' in client.get(shopper_page).get_data(as_text=True)


def test_other_people_get_404(client, login, switch_to, post_form, make_delivered_order,
                              make_user, make_checkout_shop):
    delivered = make_delivered_order()
    login(delivered.shopper)
    ask(post_form, delivered)
    made = db.session.scalar(select(ReturnRequest))
    switch_to(make_user())
    assert client.get(f"/returns/{made.id}").status_code == 404
    assert client.get(new_url(delivered)).status_code == 404
    other = make_checkout_shop()
    switch_to(other.owner)
    assert client.get(merchant_url(delivered, made)).status_code == 404
    assert client.get(f"/merchant/stores/{other.store.id}/returns/{made.id}").status_code == 404


def test_pages_in_chinese(client, login, post_form, make_delivered_order):
    delivered = make_delivered_order()
    delivered.shopper.locale = "zh"
    db.session.commit()
    login(delivered.shopper)
    html = client.get(new_url(delivered)).get_data(as_text=True)
    assert "退货" in html and "Return items" not in html
    ask(post_form, delivered)
    made = db.session.scalar(select(ReturnRequest))
    page = client.get(f"/returns/{made.id}").get_data(as_text=True)
    assert "已申请" in page


def test_every_return_string_has_a_chinese_translation():
    method_map = [("app/services/returns/**.py", "python"), ("app/checkout/returns_*.py", "python"),
                  ("app/merchant/returns_*.py", "python"), ("app/web/returns.py", "python"),
                  ("templates/returns/**.html", "jinja2"),
                  ("templates/merchant/returns/**.html", "jinja2"),
                  ("templates/email/return_update.txt", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    found = {message for _f, _l, message, _c, _x in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords)}
    assert {"Return items", "Arrived damaged", "No such return."} <= found
    with (ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    assert sorted(m for m in found if m not in catalog or not catalog[m].string
                  or catalog[m].fuzzy) == []


def test_the_merchant_sets_the_return_window(client, login, make_checkout_shop):
    from tests.web.test_merchant_products import field_errors, form_values, text

    shop = make_checkout_shop()
    login(shop.owner)
    url = f"/merchant/stores/{shop.store.id}/settings"
    data = form_values(text(client.get(url)), "settings-form")
    assert data["return_window_days"] == "30"
    too_long = client.post(url, data={**data, "return_window_days": "400"})
    assert too_long.status_code == 422
    assert any("at most 365" in e for e in field_errors(text(too_long), "return_window_days"))
    saved = client.post(url, data={**data, "return_window_days": "0"})
    assert saved.status_code == 303
    db.session.refresh(shop.store)
    assert shop.store.return_window_days == 0


def test_photos_upload_with_the_request_and_show_on_both_pages(client, login, switch_to,
                                                               post_form,
                                                               make_delivered_order):
    import io

    from tests.catalog_factories import png_bytes

    delivered = make_delivered_order()
    login(delivered.shopper)
    assert 'enctype="multipart/form-data"' in client.get(new_url(delivered)).get_data(
        as_text=True)
    response = ask(post_form, delivered, photos=(io.BytesIO(png_bytes()), "lid.png"))
    assert response.status_code == 302
    made = db.session.scalar(select(ReturnRequest))
    assert len(made.photos) == 1
    assert 'data-testid="return-photos"' in client.get(
        f"/returns/{made.id}").get_data(as_text=True)
    bad = ask(post_form, delivered, photos=(io.BytesIO(b"text"), "notes.txt"))
    assert bad.status_code == 422 and "Photo 1" in bad.get_data(as_text=True)
    switch_to(delivered.shop.staff)
    assert 'data-testid="return-photos"' in client.get(
        merchant_url(delivered, made)).get_data(as_text=True)


def test_the_returns_list_runs_the_same_queries_for_1_or_4_returns(client, login, post_form,
                                                                   make_delivered_order):
    delivered = make_delivered_order(quantities=(4,))
    login(delivered.shopper)

    def queries_for_list() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = client.get(f"/merchant/stores/{delivered.shop.store.id}/returns")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert response.status_code == 200
        return len(statements)

    line_id = delivered.order.lines[0].id

    def add_return():
        returns.request_return(delivered.shopper, delivered.order.id,
                               lines=[{"order_line_id": line_id, "quantity": 1}],
                               reason="other", links=site_links)
        commit()  # sends the queued e-mails now, not during the page under count

    add_return()
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/auth/logout", data={"csrf_token": token})
    login(delivered.shop.staff)
    # Each count follows a warm-up request: a commit expires what the test session held.
    queries_for_list()
    one = queries_for_list()
    for _ in range(3):
        add_return()
    queries_for_list()
    assert queries_for_list() == one


def test_the_merchant_can_enter_the_return_parcel(client, login, switch_to, post_form,
                                                 make_delivered_order):
    delivered = make_delivered_order()
    login(delivered.shopper)
    ask(post_form, delivered)
    made = db.session.scalar(select(ReturnRequest))
    switch_to(delivered.shop.staff)
    post_form(merchant_url(delivered, made, "/approve"), {},
              page=merchant_url(delivered, made))
    bad = post_form(merchant_url(delivered, made, "/parcel"),
                    {"carrier": "yunexpress", "tracking_number": "YT12"},
                    page=merchant_url(delivered, made))
    assert bad.status_code == 422 and made.status == "approved"
    number = yunexpress_number()
    sent = post_form(merchant_url(delivered, made, "/parcel"),
                     {"carrier": "yunexpress", "tracking_number": number},
                     page=merchant_url(delivered, made))
    assert sent.status_code == 302
    db.session.refresh(made)
    assert made.status == "in_transit" and made.shipment.tracking_number == number
    assert 'data-testid="return-parcel"' in client.get(
        merchant_url(delivered, made)).get_data(as_text=True)
