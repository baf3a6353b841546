"""The demo's notes: 150 from 30 creators on both sides of the border, each tagging the
products its pictures show, with likes, comments and follows; seeded once."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo.catalog import BROOKLYN, TEA_HOUSE, seed_catalog
from app.demo.note_texts import PRODUCT_NOTES
from app.demo.notes import seed_notes
from app.extensions import db
from app.models import Comment, Follow, Note, NoteLike, Notification, Product
from app.services.social.notes import hot_score


def test_creators_post_about_the_products_in_their_pictures(make_org, make_user):
    make_user("creator@example.com", home_country="CN", locale="zh")
    make_user("shopper@example.com", home_country="US")
    stores = []
    for name, slug, currency, country in (
            ("Hangzhou Tea House", "hangzhou-tea-house", "CNY", "CN"),
            ("Brooklyn Goods", "brooklyn-goods", "USD", "US")):
        owner = make_user()
        store = make_org("merchant", owner=owner, name=name).store
        store.slug, store.base_currency, store.origin_country = slug, currency, country
        stores.append((store, owner))
    seed_catalog(*stores[0], *stores[1])

    assert seed_notes("pw") == ["Demo notes: 150 posted (150 shoppable) by 30 creators; "
                                "creators' password is the same"]
    db.session.commit()
    posted = list(db.session.scalars(select(Note)))
    authors = {note.author for note in posted}
    assert len(posted) == 150 and len(authors) == 30
    # Chinese creators write in Chinese, the others in English.
    assert {(a.locale, n.language) for n in posted for a in [n.author]} == {("zh", "zh"),
                                                                          ("en", "en")}
    assert len({a.home_country for a in authors}) >= 10

    photo_of = {}
    for spec in TEA_HOUSE["products"] + BROOKLYN["products"]:
        photo_of[spec["title"]] = spec["photo"]
    titles = {zh: name for name, (zh, _b, _e, _f) in PRODUCT_NOTES.items()}
    titles |= {en: name for name, (_z, _b, en, _f) in PRODUCT_NOTES.items()}
    single = [n for n in posted if n.title in titles]
    assert len(single) == 120
    for note in single:  # a lipstick note tags the lipstick, and on its picture
        (tag,) = note.product_tags
        assert photo_of[db.session.get(Product, tag.product_id).title] == titles[note.title]
        assert note.images[tag.image_position].width > 0
    assert all(n.product_tags for n in posted)
    assert min(n.published_at for n in posted) < max(n.published_at for n in posted)

    assert db.session.scalar(select(func.count(NoteLike.note_id))) >= 200
    # The likes went in in bulk: every counter still equals its rows, every score its counters.
    liked = dict(db.session.execute(select(NoteLike.note_id, func.count())
                                    .group_by(NoteLike.note_id)).tuples().all())
    comments = dict(db.session.execute(select(Comment.note_id, func.count())
                                       .group_by(Comment.note_id)).tuples().all())
    for note in posted:
        assert (note.like_count, note.comment_count) == (liked.get(note.id, 0),
                                                         comments.get(note.id, 0))
        assert note.hot_score == hot_score(note.like_count, note.collect_count,
                                           note.comment_count, note.published_at)
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == "like")) == sum(liked.values())
    assert db.session.scalar(select(func.count(Comment.id))) >= 60
    assert db.session.scalar(select(func.count()).select_from(Follow)) >= 100
    assert seed_notes("pw") == ["Demo notes: already there"]
