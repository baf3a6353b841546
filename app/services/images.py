"""The image upload pipeline shared by avatars, product photos and notes.

Every upload is opened with Pillow, checked against size and pixel limits
(decompression bombs are refused), turned upright by its EXIF orientation,
re-encoded without metadata (so EXIF and GPS data are dropped) and resized
to the requested renditions as WebP.
"""

from __future__ import annotations

import io
import logging
import uuid
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from app.providers.media import MediaStoreError, media_storage
from app.services.errors import DomainError, ValidationFailed

log = logging.getLogger(__name__)

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000  # about 8,000 x 6,000; more is treated as a decompression bomb


class MediaUnavailable(DomainError):
    """The media store refused the upload or could not be reached; nothing was kept."""

    code = "media_unavailable"
    status = 503


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
        raise ValidationFailed(_("The file is empty."), fields={field: [_("The file is empty.")]})
    if len(data) > max_bytes:
        limit = max_bytes // (1024 * 1024)
        message = _("Images can be at most %(n)d MB.", n=limit)
        raise ValidationFailed(message, fields={field: [message]})
    image = _open_checked(data, field)
    icc_profile = image.info.get("icc_profile") or b""
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    stem = f"{prefix}/{uuid.uuid4().hex}"
    encoded: dict[str, bytes] = {}
    by_size: dict[tuple[int, int], bytes] = {}  # a small upload is not enlarged: encode once
    for name, longest_side in renditions.items():
        copy = image.copy()
        copy.info.clear()  # EXIF (camera, GPS), XMP and comments stay behind
        copy.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
        if copy.size not in by_size:
            buffer = io.BytesIO()
            # Only the colour profile goes along, so wide-gamut photos keep their colours.
            copy.save(buffer, "WEBP", quality=82, method=4, exif=b"", xmp=b"",
                      icc_profile=icc_profile)
            by_size[copy.size] = buffer.getvalue()
        encoded[name] = by_size[copy.size]
    keys = _upload(encoded, stem, field)
    return StoredImage(keys=keys, width=image.width, height=image.height)


def _upload(encoded: dict[str, bytes], stem: str, field: str) -> dict[str, str]:
    """Store every rendition, or none: a refusal removes the ones already stored."""
    storage = media_storage()
    keys: dict[str, str] = {}
    try:
        for name, data in encoded.items():
            key = f"{stem}-{name}.webp"
            storage.save(key, data, "image/webp")
            keys[name] = key
    except MediaStoreError as exc:
        log.warning("media: upload refused: %s", exc)
        for key in keys.values():
            storage.delete(key)
        message = _("The image could not be stored right now, so nothing was saved. "
                    "Please try again in a few minutes.")
        raise MediaUnavailable(message, fields={field: [message]}) from None
    return keys


def discard_stored(keys: Iterable[str]) -> None:
    """Remove stored renditions whose rows were rolled back (a failure only logs)."""
    storage = media_storage()
    for key in keys:
        storage.delete(key)


def _open_checked(data: bytes, field: str) -> Image.Image:
    bad = ValidationFailed(
        _("The file is not a JPEG, PNG or WebP image, or it is damaged."),
        fields={field: [_("The file is not a JPEG, PNG or WebP image, or it is damaged.")]},
    )
    too_many_pixels = ValidationFailed(
        _("The image has too many pixels."),
        fields={field: [_("The image has too many pixels (at most %(n)s).", n=f"{MAX_PIXELS:,}")]},
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns about large images; the size is checked here, before decoding.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_FORMATS:
                raise bad
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise too_many_pixels
            probe.verify()  # checks the file's structure; the object is unusable afterwards
            image = Image.open(io.BytesIO(data))
            image.load()
    except ValidationFailed:
        raise
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise bad from None
    return image
