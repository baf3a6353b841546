"""Each line of a cart, checkout, quote, order (shopper's and merchant's) and the order e-mail
shows its product's first photo; a product without one gets a blank square."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxEmail
from app.services.catalog import products as catalog
from tests.catalog_factories import png_bytes

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server"]


def thumbs(html: str) -> list[str]:
    """The thumbnail URLs of a page, in order."""
    return re.findall(r'<img class="line-thumb[^"]*" src="([^"]+)"', html)


def test_every_step_after_the_product_shows_its_photo(
        app, client, login, make_checkout_shop, make_user, make_quote, make_sandbox_order):
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    product = shop.products[0]
    catalog.add_product_image(shop.owner, shop.store.id, product.id, png_bytes(), alt_text="x")
    # A second, later photo: the thumbnail is the first one.
    catalog.add_product_image(shop.owner, shop.store.id, product.id,
                              png_bytes(color=(0, 90, 200)))
    unphotographed = shop.add_product(skus=("CUP-1",), title="Plain cup")
    db.session.commit()
    thumb = f"/media/{product.images[0].keys['thumb']}"

    shopper = make_user(ship_to_country="US", currency="USD")
    quote = make_quote(shopper, [(shop.variants[0], 1), (unphotographed.variants[0], 1)],
                       currency="USD", country="US")
    login(shopper)
    for page in ("/cart", "/checkout", f"/checkout/quotes/{quote.id}"):
        html = client.get(page).get_data(as_text=True)
        assert thumbs(html) == [thumb], page
        assert 'class="line-thumb thumb-' in html.split(thumb)[1], page  # the blank square

    order = make_sandbox_order(shop, shopper=shopper)
    assert thumbs(client.get(f"/orders/{order.id}").get_data(as_text=True)) == [thumb]
    assert thumb in thumbs(client.get("/orders").get_data(as_text=True))

    merchant = app.test_client()
    login(shop.staff, target=merchant)
    merchant_page = merchant.get(f"/merchant/stores/{shop.store.id}/orders/{order.id}")
    assert thumbs(merchant_page.get_data(as_text=True)) == [thumb]
    queue = merchant.get(f"/merchant/stores/{shop.store.id}/orders").get_data(as_text=True)
    assert thumbs(queue) == [thumb]

    email = db.session.scalar(select(OutboxEmail).where(
        OutboxEmail.to_address == shopper.email, OutboxEmail.purpose == "order_confirmation"))
    # Absolute, through the site (like the order link), so a mail client can load it.
    assert f'<img src="http://localhost{thumb}"' in email.body_html
    assert f"http://localhost/orders/{order.id}" in email.body_html
    assert "Dragon Well tea" in email.body_html and "<img" not in email.body_text
