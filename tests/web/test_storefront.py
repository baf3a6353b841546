"""The storefront pages: a store, a product, browsing and search, as a shopper sees them."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from app.extensions import db
from app.models import NoteProductTag
from app.services.catalog import products as catalog
from app.services.catalog import stores
from app.storefront import routes as storefront_routes
from tests.catalog_factories import make_shop, png_bytes
from tests.conftest import csrf_from

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture
def shop(make_org, make_user):
    """A USD store in the US with warehouses in the US and China."""
    return make_shop(make_org, make_user)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def choose(client, **prefs):
    """Set the guest's display preferences through the header switcher."""
    token = csrf_from(client.get("/shop").get_data(as_text=True))
    response = client.post("/preferences", data={**prefs, "next": "/", "csrf_token": token})
    assert response.status_code == 303


def marked(html: str, name: str) -> str:
    """The text inside the element marked data-testid=name (tags stripped, spaces collapsed)."""
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)</(?:p|dd|div|a|span)>', html, re.S)
    assert match, f"no {name} on the page"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def card_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="product-card" data-product-id="(\d+)"', html)]


def sized_tee(shop, *, stock_s=10, stock_m=2, **fields):
    """A tee with a Size option (S, M) and stock in the US warehouse."""
    return shop.add_product(skus=("TEE-S", "TEE-M"), price="19.99",
                            stock={"TEE-S": {shop.us: stock_s}, "TEE-M": {shop.us: stock_m}}
                            if stock_s or stock_m else None, **fields)


# Store page ---------------------------------------------------------------------------------
def test_store_page_shows_the_store_its_products_and_categories(client, shop):
    stores.update_store_settings(shop.owner, shop.store.id, {
        "description": "Teas from Hangzhou.\nPicked by hand.",
        "return_policy": "Unopened tins within 30 days.", "sells_to": ["US", "JP"]})
    shop.store.origin_country = "CN"
    db.session.commit()
    tea = shop.add_product(skus=("LJ-1",), title="Longjing green tea", category="tea_coffee",
                           stock={"LJ-1": {shop.cn: 9}})
    cup = shop.add_product(skus=("CUP-1",), title="Celadon cup", category="home")
    shop.add_product(skus=("DRAFT-1",), title="Secret blend", status="draft")

    html = text(client.get(f"/stores/{shop.store.slug}"))
    assert f"<h1>{shop.store.name}</h1>" in html
    assert marked(html, "store-description") == "Teas from Hangzhou. Picked by hand."
    assert marked(html, "ships-from") == "China"
    assert marked(html, "sells-to").startswith("Japan, United States")
    assert "Ships to United States" in marked(html, "sells-to")
    assert marked(html, "return-policy") == "Unopened tins within 30 days."
    assert card_ids(html) == [cup.id, tea.id]  # newest first; drafts never shown
    assert "Secret blend" not in html
    assert ">Tea &amp; coffee</a>" in html and ">Home &amp; kitchen</a>" in html
    assert "$19.99" in html
    assert "Out of stock" in html  # the cup has no stock

    only_tea = text(client.get(f"/stores/{shop.store.slug}?category=tea_coffee"))
    assert card_ids(only_tea) == [tea.id]
    found = text(client.get(f"/stores/{shop.store.slug}?q=celadon"))
    assert card_ids(found) == [cup.id]


def test_store_page_says_when_it_does_not_ship_to_the_viewer(client, shop):
    stores.update_store_settings(shop.owner, shop.store.id, {"sells_to": ["US"]})
    db.session.commit()
    choose(client, ship_to_country="GB")
    html = text(client.get(f"/stores/{shop.store.slug}"))
    assert "Does not ship to United Kingdom" in marked(html, "sells-to")


def test_unknown_store_is_404(client):
    assert client.get("/stores/no-such-store").status_code == 404
    assert client.get("/stores/no-such-store/more").status_code == 404


def test_store_products_page_by_cursor(client, shop, monkeypatch):
    monkeypatch.setattr(storefront_routes, "PAGE_SIZE", 2)
    ids = [shop.add_product(skus=(f"P-{n}",), title=f"Product {n}").id for n in range(3)]
    html = text(client.get(f"/stores/{shop.store.slug}"))
    assert card_ids(html) == [ids[2], ids[1]]
    next_url = unescape(re.search(r'href="([^"]+)" data-load-more-products="([^"]+)"',
                                  html).group(1))
    more_url = unescape(re.search(r'data-load-more-products="([^"]+)"', html).group(1))
    assert next_url == f"/stores/{shop.store.slug}?after={ids[1]}"
    rest = text(client.get(next_url))
    assert card_ids(rest) == [ids[0]] and "data-load-more-products" not in rest
    fragment = text(client.get(more_url))  # what infinite scroll appends
    assert card_ids(fragment) == [ids[0]] and "<html" not in fragment
    assert 'data-product-page>' in fragment  # no further page


def test_store_notes_tab_lists_notes_tagging_its_products(client, shop, make_user, quick_note):
    tee = shop.add_product(skus=("TEE-1",))
    author = make_user()
    tagged = quick_note(author, "Wearing the tee")
    db.session.add(NoteProductTag(note_id=tagged.id, product_id=tee.id, image_position=0,
                                  x=50, y=50))
    quick_note(author, "Unrelated note")
    db.session.commit()
    html = text(client.get(f"/stores/{shop.store.slug}?tab=notes"))
    assert "Wearing the tee" in html and "Unrelated note" not in html


# Product page -------------------------------------------------------------------------------
def test_product_page_shows_gallery_variants_price_and_availability(client, shop):
    stores.update_store_settings(shop.owner, shop.store.id,
                                 {"return_policy": "Returns within 14 days."})
    tee = sized_tee(shop, title="Cotton tee", description="Soft.\nHeavyweight.",
                    brand_name="Qiao Basics", origin_country="PT")
    first = catalog.add_product_image(shop.owner, shop.store.id, tee.id, png_bytes(),
                                      alt_text="Front")
    second = catalog.add_product_image(shop.owner, shop.store.id, tee.id,
                                       png_bytes(color=(0, 0, 200)), alt_text="Back")
    db.session.commit()

    html = text(client.get(f"/products/{tee.id}"))
    assert '<h1 class="product-title">Cotton tee</h1>' in html
    assert marked(html, "description") == "Soft. Heavyweight."
    main = re.search(r'<img data-gallery-main src="([^"]+)"[^>]*alt="([^"]+)"', html)
    assert main.groups() == (f"/media/{first.keys['large']}", "Front")
    thumbs = re.findall(r'<a href="([^"]+)"\s+data-gallery-thumb', html)
    assert [unescape(t) for t in thumbs] == [
        f"/products/{tee.id}?image={first.id}&variant={tee.variants[0].id}",
        f"/products/{tee.id}?image={second.id}&variant={tee.variants[0].id}"]
    assert marked(html, "availability") == "In stock"
    assert '<span class="price" data-price>$19.99</span>' in html
    assert marked(html, "store-link") == shop.store.name
    assert marked(html, "ships-from") == "United States"
    assert marked(html, "return-policy") == "Returns within 14 days."
    assert "Portugal" in html  # made in
    # One select per option for the script, a list of variants for everyone else.
    assert re.search(r'<select data-option="Size">\s*<option value="S" selected>S</option>'
                     r'<option value="M">M</option>', html)
    picker = json.loads(unescape(re.search(
        r'<script type="application/json" id="variant-data">(.*?)</script>', html, re.S)
        .group(1)))
    assert [(v["sku"], v["options"], v["price"], v["state"], v["state_text"])
            for v in picker] == [("TEE-S", {"Size": "S"}, "$19.99", "in_stock", "In stock"),
                                 ("TEE-M", {"Size": "M"}, "$19.99", "low_stock",
                                  "Only 2 left")]
    assert "Only 2 left" in re.search(r'data-variant-list.*?</ul>', html, re.S).group(0)


def test_product_page_works_without_javascript_through_links(client, shop):
    tee = sized_tee(shop)
    catalog.add_product_image(shop.owner, shop.store.id, tee.id, png_bytes())
    back = catalog.add_product_image(shop.owner, shop.store.id, tee.id, png_bytes(),
                                     alt_text="Back")
    db.session.commit()
    medium = next(v for v in tee.variants if v.sku == "TEE-M")
    html = text(client.get(f"/products/{tee.id}?variant={medium.id}&image={back.id}"))
    assert re.search(r'data-gallery-main src="/media/[^"]+" [^>]*alt="Back"', html)
    assert '<span data-sku>TEE-M</span>' in html
    assert marked(html, "availability") == "Only 2 left"
    assert re.search(r'<li class="selected" aria-current="true">\s*<a href="[^"]+">M</a>', html)


def test_drafts_archived_and_unknown_products_are_404(client, shop):
    draft = shop.add_product(skus=("D-1",), status="draft")
    gone = shop.add_product(skus=("G-1",))
    catalog.archive_product(shop.owner, shop.store.id, gone.id)
    db.session.commit()
    for product_id in (draft.id, gone.id, 999999):
        response = client.get(f"/products/{product_id}")
        assert response.status_code == 404
        assert "Page not found" in response.get_data(as_text=True)


def test_restricted_destinations_and_countries_the_store_does_not_serve(client, shop):
    stores.update_store_settings(shop.owner, shop.store.id, {"sells_to": ["US", "JP", "GB"]})
    db.session.commit()
    tee = sized_tee(shop, restricted_countries=["JP"])
    choose(client, ship_to_country="JP")
    html = text(client.get(f"/products/{tee.id}"))
    assert marked(html, "availability") == "Does not ship to Japan"
    choose(client, ship_to_country="FR")
    html = text(client.get(f"/products/{tee.id}"))
    assert marked(html, "availability") == "Does not ship to France"
    choose(client, ship_to_country="GB")
    assert marked(text(client.get(f"/products/{tee.id}")), "availability") == "In stock"


def test_out_of_stock_product(client, shop):
    tee = sized_tee(shop, stock_s=0, stock_m=0)
    html = text(client.get(f"/products/{tee.id}"))
    assert marked(html, "availability") == "Out of stock"
    listing = text(client.get("/shop"))
    assert re.search(r'stock-out_of_stock">Out of stock</span>', listing)


def test_compare_at_price_is_struck_through(client, shop):
    product = catalog.create_product(shop.owner, shop.store.id, {
        "title": "Sale tee", "hs_code": "610910", "status": "active",
        "variants": [{"sku": "SALE-1", "price": "15.00", "compare_at_price": "25.00"}]})
    db.session.commit()
    html = text(client.get(f"/products/{product.id}"))
    assert re.search(r'<s class="compare-at" data-compare-at>\$25.00</s>', html)


def test_descriptions_and_titles_are_shown_as_text(client, shop):
    stores.update_store_settings(shop.owner, shop.store.id, {
        "description": '<img src=x onerror="alert(1)">', "return_policy": "<b>bold</b>"})
    db.session.commit()
    evil = shop.add_product(skus=("X-1",), title="<script>alert('t')</script>",
                            description="<script>alert('d')</script>")
    for url in (f"/products/{evil.id}", f"/stores/{shop.store.slug}",
                "/shop?q=%3Cscript%3E"):
        html = text(client.get(url))
        assert "<script>alert(" not in html and '<img src=x' not in html
        assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#39;d&#39;)&lt;/script&gt;" in text(
        client.get(f"/products/{evil.id}"))


def test_the_note_that_led_here_is_kept_for_the_cart(client, shop, make_user, quick_note):
    tee = sized_tee(shop)
    note = quick_note(make_user(), "Love this tee")
    tag = NoteProductTag(note_id=note.id, product_id=tee.id, image_position=0, x=10, y=20)
    db.session.add(tag)
    db.session.commit()
    tap = client.get(f"/t/{tag.id}")
    assert tap.status_code == 303
    assert tap.headers["Location"].endswith(f"/products/{tee.id}?note={note.id}")
    html = text(client.get(f"/products/{tee.id}?note={note.id}"))
    assert f'data-buy data-note-id="{note.id}"' in html
    assert f"note={note.id}" in re.search(r'data-variant-list.*?</ul>', html, re.S).group(0)
    # The notes tagging the product are shown under it.
    assert "Notes about this product" in html and "Love this tee" in html


def test_product_page_in_chinese(client, shop):
    tee = sized_tee(shop, title="Longjing tea", title_zh="龙井茶",
                    description="Spring harvest.", description_zh="明前采摘。")
    choose(client, locale="zh")
    response = client.get(f"/products/{tee.id}")
    html = text(response)
    assert '<html lang="zh-Hans">' in html
    assert '<h1 class="product-title">龙井茶</h1>' in html
    assert marked(html, "description") == "明前采摘。" and "Spring harvest." not in html
    assert marked(html, "ships-from") == "美国"
    # Chinese visitors see CNY by default; with no USD->CNY rate the page says why not.
    assert "US$19.99" in html
    translations = compiled_zh()
    for english in ("Sold by", "In stock", "Ships from"):
        if english in translations:  # compiled by `make`; tests/web/test_storefront_i18n.py
            assert translations[english] in html  # checks the catalog itself
    listing = text(client.get("/shop"))
    assert "龙井茶" in listing


def compiled_zh() -> dict[str, str]:
    from babel.messages.mofile import read_mo

    from app import ROOT

    mo = ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.mo"
    if not mo.exists():
        return {}
    with mo.open("rb") as handle:
        return {m.id: m.string for m in read_mo(handle) if isinstance(m.id, str) and m.string}


# Browse and search --------------------------------------------------------------------------
def test_browse_searches_filters_and_pages_across_stores(client, shop, make_org, make_user,
                                                         monkeypatch):
    monkeypatch.setattr(storefront_routes, "PAGE_SIZE", 2)
    other = make_shop(make_org, make_user)
    tea = shop.add_product(skus=("T-1",), title="Green tea", category="tea_coffee")
    mug = other.add_product(skus=("M-1",), title="Tea mug", category="home")
    scarf = other.add_product(skus=("S-1",), title="Silk scarf", category="fashion")
    shop.add_product(skus=("D-1",), title="Draft tea", status="draft")

    html = text(client.get("/shop"))
    assert card_ids(html) == [scarf.id, mug.id]
    assert other.store.name in html  # cards name their store
    assert "Tea &amp; coffee" in html and "Fashion &amp; accessories" in html
    next_url = unescape(re.search(r'href="([^"]+)" data-load-more-products', html).group(1))
    assert card_ids(text(client.get(next_url))) == [tea.id]

    assert card_ids(text(client.get("/shop?q=tea"))) == [mug.id, tea.id]
    assert card_ids(text(client.get("/shop?category=tea_coffee"))) == [tea.id]
    assert card_ids(text(client.get("/shop?q=tea&category=home"))) == [mug.id]
    empty = text(client.get("/shop?q=nothing-like-this"))
    assert card_ids(empty) == [] and "No products match “nothing-like-this”." in empty
    more = text(client.get(f"/shop/more?after={mug.id}"))
    assert card_ids(more) == [tea.id] and "<html" not in more


def test_shop_link_in_the_header(client):
    assert '<a href="/shop" data-nav="shop">Shop</a>' in text(client.get("/"))
