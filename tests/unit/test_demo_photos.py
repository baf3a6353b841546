"""The demo catalogue's photographs: one committed render per product, HS codes that fit
what the product is, and notes that tag only products their pictures show."""

from __future__ import annotations

import io

from PIL import Image

from app.demo.catalog import BROOKLYN, TEA_HOUSE
from app.demo.note_texts import GIFT_NOTES, PRODUCT_NOTES, SCENE_NOTES, SCENE_PRODUCTS
from app.demo.photo_library import PHOTOS_DIR, close_up, collage, nearest_photo, picture

PRODUCTS = TEA_HOUSE["products"] + BROOKLYN["products"]


def test_every_demo_product_has_its_own_photograph():
    names = [spec["photo"] for spec in PRODUCTS]
    assert len(names) == len(set(names)) == 60
    for name in names:
        with Image.open(PHOTOS_DIR / f"{name}.jpg") as image:
            assert image.format == "JPEG" and image.size == (640, 800)
    assert "CC0" in (PHOTOS_DIR / "README.md").read_text()


def test_both_stores_span_six_categories_with_fitting_hs_codes():
    for spec in (TEA_HOUSE, BROOKLYN):
        assert len(spec["products"]) == 30
        assert len({p["category"] for p in spec["products"]}) >= 6
    chapters = {p["photo"]: p["hs_code"].replace(".", "")[:2] for p in PRODUCTS}
    # Knitted apparel is chapter 61, woven 62; tea 09, cosmetics 33, ceramics 69.
    assert chapters["crewneck-tee"] == chapters["crew-socks"] == "61"
    assert chapters["flannel-shirt"] == chapters["selvedge-jeans"] == "62"
    assert chapters["longjing-tin"] == chapters["puerh-cake"] == "09"
    assert chapters["carved-lipstick"] == chapters["matte-lipstick"] == "33"
    assert chapters["gaiwan"] == chapters["stoneware-vase"] == "69"


def test_notes_are_written_about_the_products_they_show():
    assert set(PRODUCT_NOTES) == {spec["photo"] for spec in PRODUCTS}
    assert set(SCENE_NOTES) == set(SCENE_PRODUCTS)
    shown = {name for products in SCENE_PRODUCTS.values() for name in products}
    shown |= {name for *_text, products in GIFT_NOTES for name in products}
    assert shown <= set(PRODUCT_NOTES)
    assert 2 * len(PRODUCT_NOTES) + len(SCENE_NOTES) + len(GIFT_NOTES) == 150


def test_pictures_made_from_the_renders_are_full_size_jpegs():
    for data in (close_up("soy-candle"), collage(["soy-candle", "enamel-mug", "hot-sauce"]),
                 picture("scene-cosy")):
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG" and image.size == (640, 800)
    assert nearest_photo("#2e3d5e") != nearest_photo("#e7e1d0")  # navy tee vs cream blouse


def test_the_moderation_demos_flagged_notes_show_photographs_not_flat_colour():
    from app.demo.moderation import FLAGGED_NOTES, LIFTED_PHOTO_ZOOM

    for *_text, name in FLAGGED_NOTES:
        with Image.open(io.BytesIO(close_up(name, LIFTED_PHOTO_ZOOM))) as image:
            colours = image.convert("RGB").getcolors(maxcolors=64)
            assert colours is None, f"{name}: fewer than 64 colours, not a photograph"
