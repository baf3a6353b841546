"""Demo co-created notes: the Chinese demo creator writing with creators abroad.

Two published notes, each with both sides' images and text (Chinese and English) and
shoppable tags whose sales are split between the two creators, and one open invitation
that `creator@example.com` can accept. Everything goes through the co-authoring service,
invitation to agreement, as in the app. Safe to run twice: it does nothing once any
co-created note exists.
"""

from __future__ import annotations

from sqlalchemy import select

from app.demo.notes import _picture, _store_products
from app.extensions import db
from app.models import NoteCoauthor, User
from app.services.social import coauthoring, notes
from app.services.social.notes import ImageUpload
from app.services.social.product_tags import TagInput

# author, co-author, (title, body) of each, image colours of each, store whose products
# are tagged; None as the shop for the open invitation, which stays a draft.
COAUTHORED = [
    ("creator@example.com", "sophie@example.com",
     ("世界各地的茶：杭州 × 伦敦", "明前龙井用 80 度的水，玻璃杯里看茶叶慢慢舒展 #茶 #龙井"),
     ("Tea around the world: London", "Across the border it is Earl Grey, a splash of milk "
      "and a rainy window. Same leaf, two cups #tea"),
     ["#7bb662", "#c8e6a0"], ["#8d6e63", "#d7ccc8"], "hangzhou-tea-house"),
    ("creator@example.com", "ana@example.com",
     ("一只帆布包，从布鲁克林到杭州", "装得下一本书、一罐茶和相机，周末去西湖刚刚好 #通勤包"),
     ("One tote, Brooklyn to Hangzhou", "I carry mine to the farmers market every Saturday; "
      "seeing it by West Lake made my week #tote"),
     ["#546e7a", "#b0bec5"], ["#ef6c00", "#ffcc80"], "brooklyn-goods"),
    ("sophie@example.com", "creator@example.com",
     ("Autumn lipsticks, two cities", "My five favourite shades for London's grey days "
      "#lipstick"),
     ("", ""), ["#c0392b", "#e17055"], [], None),
]


def _images(colours: list[str], seed: int) -> list[ImageUpload]:
    return [ImageUpload(_picture(colour, seed + i), f"co-{seed}-{i}.jpg")
            for i, colour in enumerate(colours)]


def seed_coauthored_notes() -> list[str]:
    """Two published co-created notes and one open invitation (once)."""
    if db.session.scalar(select(NoteCoauthor.id).limit(1)) is not None:
        return ["Co-created notes: already there"]
    users = {u.email: u for u in db.session.scalars(select(User))}
    published = invited = 0
    for number, (author_email, partner_email, (title, body), (their_title, their_body),
                 colours, their_colours, shop) in enumerate(COAUTHORED):
        author, partner = users.get(author_email), users.get(partner_email)
        if author is None or partner is None:
            continue
        products = _store_products(shop)[:2] if shop else []
        tags = [TagInput(i, 35 + 25 * i, 45, product.id) for i, product in enumerate(products)]
        note = notes.create_note(author, title=title, body=body,
                                 images=_images(colours, 500 + 10 * number), publish=False,
                                 product_tags=tags)
        coauthoring.invite_coauthor(author, note.id, partner.id)
        if shop is None:
            invited += 1
            continue
        coauthoring.respond_to_invitation(partner, note.id, accept=True)
        coauthoring.update_contribution(partner, note.id, title=their_title, body=their_body,
                                        images=_images(their_colours, 600 + 10 * number))
        coauthoring.agree_to_publish(partner, note.id)
        coauthoring.agree_to_publish(author, note.id)
        published += 1
    return [f"Co-created notes: {published} published across the border, {invited} "
            f"invitation waiting for creator@example.com"]
