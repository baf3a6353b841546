"""The removed-image blocklist: perceptual hashes, so a re-post with a new crop or
compression is recognised.

pHash (DCT of a 32×32 grey thumbnail) survives re-compression, resizing and colour tweaks;
it does not survive a large crop. So when a moderator removes an image its hash is stored
for the whole image and for a few crops of it (centre 90 % and 80 %, each edge trimmed by
15 %), and an upload matches when its hash lies within MODERATION_PHASH_MAX_DISTANCE bits
(Hamming) of any of them. The comparison is a linear scan over 64-bit integers, cheap up
to a few hundred thousand rows; past that a BK-tree or multi-index hashing would replace it.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import imagehash
from PIL import Image, ImageOps, ImageStat
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.models.moderation_rules import ModerationImageHash
from app.providers.media import media_storage

# The longest side an image is reduced to before hashing and classifying.
WORKING_SIZE = 640
# (name, (left, top, right, bottom) as fractions of the width and height).
CROPS: tuple[tuple[str, tuple[float, float, float, float]], ...] = (
    ("full", (0.0, 0.0, 1.0, 1.0)),
    ("centre90", (0.05, 0.05, 0.95, 0.95)),
    ("centre80", (0.10, 0.10, 0.90, 0.90)),
    ("trim_left", (0.15, 0.0, 1.0, 1.0)),
    ("trim_right", (0.0, 0.0, 0.85, 1.0)),
    ("trim_top", (0.0, 0.15, 1.0, 1.0)),
    ("trim_bottom", (0.0, 0.0, 1.0, 0.85)),
)


def working_image(data: bytes) -> Image.Image:
    """The image decoded at a reduced size (JPEG decodes straight to ~1/8 scale: fast)."""
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (WORKING_SIZE, WORKING_SIZE))
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((WORKING_SIZE, WORKING_SIZE))
    return image


# Below this grey-level standard deviation an image is (nearly) one flat colour: its pHash
# carries no information (flat images all hash alike), so it is neither blocked nor compared.
MIN_DETAIL = 6.0


def has_detail(image: Image.Image) -> bool:
    """Whether the image has enough detail for its pHash to identify it."""
    return ImageStat.Stat(image.convert("L")).stddev[0] >= MIN_DETAIL


def image_phash(image: Image.Image) -> str:
    """The 64-bit pHash of `image` as 16 hex digits."""
    return str(imagehash.phash(image))


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


@dataclass(frozen=True)
class ImageHashHit:
    """An upload that is close to an image removed before."""

    hash_id: int
    distance: int
    reason_code: str
    variant: str


def find_removed_image(phash: str, max_distance: int) -> ImageHashHit | None:
    """The closest removed image within `max_distance` bits of `phash`, if any."""
    value = int(phash, 16)
    best: ImageHashHit | None = None
    rows = db.session.execute(select(ModerationImageHash.id, ModerationImageHash.phash,
                                     ModerationImageHash.reason_code,
                                     ModerationImageHash.variant))
    for row_id, stored, reason_code, variant in rows:
        distance = (value ^ int(stored, 16)).bit_count()
        if distance <= max_distance and (best is None or distance < best.distance):
            best = ImageHashHit(row_id, distance, reason_code, variant)
    return best


def block_removed_image(actor: User | None, data: bytes, *, reason_code: str,
                        source_type: str = "", source_id: int | None = None) -> int:
    """Remember a removed image (whole and cropped) so it cannot be posted again.

    Returns how many hashes were added (0 when the same bytes were blocked before).
    """
    digest = hashlib.sha256(data).hexdigest()
    known = set(db.session.scalars(select(ModerationImageHash.variant)
                                   .where(ModerationImageHash.image_digest == digest)))
    image = working_image(data)
    if not has_detail(image):
        return 0
    width, height = image.size
    added = 0
    for variant, (left, top, right, bottom) in CROPS:
        if variant in known:
            continue
        crop = image.crop((int(left * width), int(top * height),
                           max(int(right * width), 1), max(int(bottom * height), 1)))
        if not has_detail(crop):
            continue
        db.session.add(ModerationImageHash(
            phash=image_phash(crop), image_digest=digest, variant=variant,
            reason_code=reason_code, source_type=source_type, source_id=source_id,
            added_by_id=actor.id if actor is not None else None))
        added += 1
    db.session.flush()
    return added


def _stored_image_keys(row) -> list[str]:
    """The stored rendition of each image of a note, product or profile row."""
    keys: list[str] = []
    for image in getattr(row, "images", None) or []:
        renditions = image.keys or {}
        for name in ("display", "large", "medium"):
            if name in renditions:
                keys.append(renditions[name])
                break
    avatar = getattr(row, "avatar_path", None)
    if isinstance(avatar, str) and avatar:
        keys.append(avatar)
    return keys


def block_images_of(row, actor: User | None, reason_code: str, source_type: str) -> int:
    """Block every image of a removed item (screening compares the same renditions)."""
    if row is None:
        return 0
    added = 0
    for key in _stored_image_keys(row):
        try:
            data = media_storage().read(key)
        except (OSError, ValueError):
            continue  # already gone from storage: nothing to compare against
        added += block_removed_image(actor, data, reason_code=reason_code,
                                     source_type=source_type, source_id=row.id)
    return added
