"""Product tags on notes: which products a creator may tag, checking requested pins, and
counting taps on them.

A creator tags any live product, and their own stores' drafts too; a tag on another
store's product is an affiliate tag (attribution on the order line).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.core.transaction import after_commit
from app.extensions import db
from app.models import Membership, NoteProductTag, Product, Store, User
from app.services.errors import NotFound, ValidationFailed
from app.services.fields import MAX_ID

MAX_TAGS_PER_IMAGE = 10


@dataclass(frozen=True)
class TagInput:
    """A requested product tag: a pin at (x %, y %) on image `image_index` (0-based)."""

    image_index: Any
    x: Any
    y: Any
    product_id: Any


def taggable_products(user: User, limit: int = 200) -> list[Product]:
    """Live and draft products of the stores the user works for (newest first)."""
    return list(db.session.scalars(
        select(Product).join(Store, Store.id == Product.store_id)
        .join(Membership, Membership.organization_id == Store.organization_id)
        .where(Membership.user_id == user.id, Product.status != "archived")
        .order_by(Product.id.desc()).limit(limit)))


def record_tag_click(tag_id: int) -> NoteProductTag:
    """A tap on a live product tag (attributed to its note); else NotFound.

    The tap is counted by a queued job after the request commits, so following a tag
    (a GET) neither writes nor waits on the tag's row lock.
    """
    tag = db.session.get(NoteProductTag, tag_id)
    if tag is None or not tag.note.is_published or tag.product.status != "active":
        raise NotFound(_("No such product."), code="product_not_found")
    after_commit("qiao.count_tag_click", tag.id)
    return tag


def count_tag_click(tag_id: int) -> None:
    """Add one tap to a tag's click count (the job queued by record_tag_click)."""
    db.session.execute(update(NoteProductTag).where(NoteProductTag.id == tag_id)
                       .values(click_count=NoteProductTag.click_count + 1),
                       execution_options={"synchronize_session": False})


# Writing ----------------------------------------------------------------------------------


def validated_tags(author: User, tags: list[TagInput], image_count: int
                    ) -> list[NoteProductTag]:
    """Check each requested tag; the error names every bad one by its index."""
    errors: list[str] = []
    resolved: list[NoteProductTag] = []
    product_ids = {t.product_id for t in tags if isinstance(t.product_id, int)
                   and not isinstance(t.product_id, bool) and 1 <= t.product_id <= MAX_ID}
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_(product_ids)))} if product_ids else {}
    member_store_ids = set(db.session.scalars(
        select(Store.id).join(Membership, Membership.organization_id == Store.organization_id)
        .where(Membership.user_id == author.id))) if products else set()
    per_image: dict[int, int] = {}
    for number, tag in enumerate(tags, start=1):
        problem = _tag_problem(tag, image_count, products, member_store_ids)
        if problem:
            errors.append(_("Tag %(n)d: %(problem)s", n=number, problem=problem))
            continue
        per_image[tag.image_index] = per_image.get(tag.image_index, 0) + 1
        if per_image[tag.image_index] > MAX_TAGS_PER_IMAGE:
            errors.append(_("Tag %(n)d: at most %(max)d tags per image.", n=number,
                            max=MAX_TAGS_PER_IMAGE))
            continue
        product = products[tag.product_id]
        resolved.append(NoteProductTag(
            image_position=tag.image_index, x=float(tag.x), y=float(tag.y),
            product_id=product.id, is_affiliate=product.store_id not in member_store_ids))
    if errors:
        raise ValidationFailed(errors[0], code="invalid_product_tag",
                               fields={"product_tags": errors})
    return resolved


def _tag_problem(tag: TagInput, image_count: int, products: dict[int, Product],
                 member_store_ids: set[int]) -> str | None:
    if not isinstance(tag.image_index, int) or isinstance(tag.image_index, bool) \
            or not 0 <= tag.image_index < image_count:
        return _("it points at an image the note does not have (the note has %(n)d).",
                 n=image_count)
    for name, value in (("x", tag.x), ("y", tag.y)):
        if not isinstance(value, int | float) or isinstance(value, bool) \
                or not math.isfinite(value) or not 0 <= value <= 100:
            return _("%(axis)s must be a percentage from 0 to 100.", axis=name)
    product = products.get(tag.product_id)
    own_store = product is not None and product.store_id in member_store_ids
    if product is None or (product.status == "draft" and not own_store):
        return _("no such product.")
    if product.status == "archived":
        return _("the product is archived and can no longer be tagged.")
    return None
