"""The image upload pipeline shared by avatars, product photos and notes.

Every upload is opened with Pillow, checked against size and pixel limits
(decompression bombs are refused), turned upright by its EXIF orientation,
re-encoded without metadata (so EXIF and GPS data are dropped) and resized
to the requested renditions as WebP.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from app.providers.media import media_storage
from app.services.errors import ValidationFailed

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000  # about 8,000 x 6,000; more is treated as a decompression bomb


@dataclass(frozen=True)
class StoredImage:
    """The keys of each stored rendition, by name."""

    keys: dict[str, str]
    width: int
    height: int


def process_image(
    data: bytes,
    *,
    field: str,
    prefix: str,
    renditions: dict[str, int],
    max_bytes: int = MAX_BYTES,
) -> StoredImage:
    """Validate `data` and store one WebP per rendition (name -> longest side in pixels)."""
    if not data:
        raise ValidationFailed("The file is empty.", fields={field: ["The file is empty."]})
    if len(data) > max_bytes:
        limit = max_bytes // (1024 * 1024)
        raise ValidationFailed(f"Images can be at most {limit} MB.",
                               fields={field: [f"Images can be at most {limit} MB."]})
    image = _open_checked(data, field)
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    stem = f"{prefix}/{uuid.uuid4().hex}"
    keys: dict[str, str] = {}
    for name, longest_side in renditions.items():
        copy = image.copy()
        copy.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        copy.save(buffer, "WEBP", quality=82, method=4)  # no exif= argument: metadata dropped
        key = f"{stem}-{name}.webp"
        media_storage().save(key, buffer.getvalue(), "image/webp")
        keys[name] = key
    return StoredImage(keys=keys, width=image.width, height=image.height)


def _open_checked(data: bytes, field: str) -> Image.Image:
    bad = ValidationFailed(
        "The file is not a JPEG, PNG or WebP image, or it is damaged.",
        fields={field: ["The file is not a JPEG, PNG or WebP image, or it is damaged."]},
    )
    try:
        probe = Image.open(io.BytesIO(data))
        if probe.format not in ALLOWED_FORMATS:
            raise bad
        width, height = probe.size
        if width * height > MAX_PIXELS:
            raise ValidationFailed(
                "The image has too many pixels.",
                fields={field: [f"The image has too many pixels (at most {MAX_PIXELS:,})."]},
            )
        probe.verify()  # checks the file's structure; the object is unusable afterwards
        image = Image.open(io.BytesIO(data))
        image.load()
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise bad from None
    return image
