"""The demo's photographs: product renders and table scenes in app/demo/photos/ (CC0, made
by app/demo/photos/render.py), and the few ways the seed reuses them.

A note's second picture is often a closer crop of the first, as people post; a scene that
was not rendered is stood in for by a collage of its products' photos.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageStat

from app.demo.note_texts import SCENE_PRODUCTS

PHOTOS_DIR = Path(__file__).resolve().parent / "photos"


def has_photo(name: str) -> bool:
    """Whether the render is there (table scenes may not have been rendered)."""
    return (PHOTOS_DIR / f"{name}.jpg").is_file()


def photo(name: str) -> bytes:
    """The JPEG of one render, as committed."""
    return (PHOTOS_DIR / f"{name}.jpg").read_bytes()


def picture(name: str) -> bytes:
    """A product photo, or a table scene: its render, or else a collage of its products'
    photos.
    """
    if has_photo(name) or name not in SCENE_PRODUCTS:
        return photo(name)
    return collage(SCENE_PRODUCTS[name])


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def close_up(name: str, zoom: float = 1.35) -> bytes:
    """The middle of a photo enlarged back to full size: a detail shot."""
    with Image.open(PHOTOS_DIR / f"{name}.jpg") as image:
        width, height = image.size
        w, h = int(width / zoom), int(height / zoom)
        left, top = (width - w) // 2, (height - h) // 2 + height // 20
        return _jpeg(image.crop((left, top, left + w, top + h)).resize(
            (width, height), Image.Resampling.LANCZOS))


def collage(names: list[str]) -> bytes:
    """Photos side by side on one portrait picture (two columns), as a flat-lay grid."""
    with Image.open(PHOTOS_DIR / f"{names[0]}.jpg") as first:
        width, height = first.size
    canvas = Image.new("RGB", (width, height), "#f4f1ec")
    columns = 2 if len(names) > 1 else 1
    rows = (len(names) + columns - 1) // columns
    cell_w, cell_h = width // columns, height // rows
    for index, name in enumerate(names):
        with Image.open(PHOTOS_DIR / f"{name}.jpg") as image:
            tile = image.copy()
        tile.thumbnail((cell_w - 8, cell_h - 8))
        x = (index % columns) * cell_w + (cell_w - tile.width) // 2
        y = (index // columns) * cell_h + (cell_h - tile.height) // 2
        canvas.paste(tile, (x, y))
    return _jpeg(canvas)


@cache
def _mean_colours() -> dict[str, tuple[float, ...]]:
    colours = {}
    for path in sorted(PHOTOS_DIR.glob("*.jpg")):
        if path.stem.startswith("scene-"):
            continue
        with Image.open(path) as image:
            # The middle of the frame, where the product stands, not the backdrop.
            w, h = image.size
            colours[path.stem] = tuple(ImageStat.Stat(
                image.convert("RGB").crop((w // 4, h // 4, 3 * w // 4, 3 * h // 4))).mean)
    return colours


def nearest_photo(colour: str, among: set[str] | None = None) -> str:
    """The product photo (of those `among`, if given) whose middle is closest to a
    "#rrggbb" colour.
    """
    target = tuple(int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    candidates = [(name, mean) for name, mean in _mean_colours().items()
                  if among is None or name in among]
    return min(candidates,
               key=lambda item: sum((a - b) ** 2 for a, b in zip(item[1], target,
                                                                  strict=True)))[0]
