"""Demo co-created notes: the Chinese demo creator writing with creators abroad.

Two published notes, each with both sides' images and text (Chinese and English) and
shoppable tags whose sales are split between the two creators, and one open invitation
that `creator@example.com` can accept. Everything goes through the co-authoring service,
invitation to agreement, as in the app. Safe to run twice: it does nothing once any
co-created note exists.
"""

from __future__ import annotations

from sqlalchemy import select

from app.demo.notes import _products_by_photo
from app.demo.photo_library import picture
from app.extensions import db
from app.models import NoteCoauthor, User
from app.services.social import coauthoring, notes
from app.services.social.notes import ImageUpload
from app.services.social.product_tags import TagInput

# author, co-author, (title, body) of each, photos of each (app/demo/photos/), and the
# products tagged (by photo name: each is pinned on the author's picture of it); no
# products for the open invitation, which stays a draft.
COAUTHORED = [
    ("creator@example.com", "sophie@example.com",
     ("世界各地的茶：杭州 × 伦敦", "明前龙井用 80 度的水，玻璃杯里看茶叶慢慢舒展 #茶 #龙井"),
     ("Tea around the world: London", "Across the border it is Earl Grey, a splash of milk "
      "and a rainy window. Same leaf, two cups #tea"),
     ["longjing-tin", "celadon-cups"], ["enamel-mug", "scene-cosy"],
     ["longjing-tin", "celadon-cups"]),
    ("creator@example.com", "ana@example.com",
     ("一只帆布包，从布鲁克林到杭州", "装得下一本书、一罐茶和相机，周末去西湖刚刚好 #通勤包"),
     ("One tote, Brooklyn to Hangzhou", "I carry mine to the farmers market every Saturday; "
      "seeing it by West Lake made my week #tote"),
     ["waxed-tote", "osmanthus-oolong"], ["scene-weekend-bag", "card-wallet"],
     ["waxed-tote", "osmanthus-oolong"]),
    ("sophie@example.com", "creator@example.com",
     ("Autumn lipsticks, two cities", "My five favourite shades for London's grey days "
      "#lipstick"),
     ("", ""), ["matte-lipstick", "carved-lipstick"], [], []),
]


def _images(names: list[str], seed: int) -> list[ImageUpload]:
    return [ImageUpload(picture(name), f"co-{seed}-{i}-{name}.jpg")
            for i, name in enumerate(names)]


def seed_coauthored_notes() -> list[str]:
    """Two published co-created notes and one open invitation (once)."""
    if db.session.scalar(select(NoteCoauthor.id).limit(1)) is not None:
        return ["Co-created notes: already there"]
    users = {u.email: u for u in db.session.scalars(select(User))}
    products = _products_by_photo()
    published = invited = 0
    for number, (author_email, partner_email, (title, body), (their_title, their_body),
                 pictures, their_pictures, tagged) in enumerate(COAUTHORED):
        author, partner = users.get(author_email), users.get(partner_email)
        if author is None or partner is None:
            continue
        tags = [TagInput(pictures.index(name), 50, 58, products[name].id)
                for name in tagged if name in products]
        note = notes.create_note(author, title=title, body=body,
                                 images=_images(pictures, 500 + 10 * number), publish=False,
                                 product_tags=tags)
        coauthoring.invite_coauthor(author, note.id, partner.id)
        if not tagged:
            invited += 1
            continue
        coauthoring.respond_to_invitation(partner, note.id, accept=True)
        coauthoring.update_contribution(partner, note.id, title=their_title, body=their_body,
                                        images=_images(their_pictures, 600 + 10 * number))
        coauthoring.agree_to_publish(partner, note.id)
        coauthoring.agree_to_publish(author, note.id)
        published += 1
    return [f"Co-created notes: {published} published across the border, {invited} "
            f"invitation waiting for creator@example.com"]
