"""A return whose photos the object store refuses is not created (tests/s3_server.py)."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from app.extensions import db
from app.models import ReturnRequest
from tests.catalog_factories import png_bytes

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server",
                  "tests.shipment_factories", "tests.returns_factories", "tests.s3_server"]


def test_a_refused_photo_means_no_return_and_no_objects(client, login, post_form,
                                                        make_delivered_order, s3_server,
                                                        s3_bucket, s3_storage):
    delivered = make_delivered_order()
    login(delivered.shopper)
    line = delivered.order.lines[0]
    s3_server.uploads_left = 2  # the first photo's two renditions, then a refusal
    response = post_form(
        f"/orders/{delivered.order.id}/returns",
        {f"qty-{line.id}": "1", "reason": "damaged", "comment": "Lid cracked",
         "photos": [(io.BytesIO(png_bytes()), "lid.png"),
                    (io.BytesIO(png_bytes(color=(0, 90, 0))), "box.png")]},
        page=f"/orders/{delivered.order.id}/returns/new", content_type="multipart/form-data")
    assert response.status_code == 503
    assert "The image could not be stored right now" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ReturnRequest.id))) == 0
    assert s3_server.keys(s3_bucket) == []
