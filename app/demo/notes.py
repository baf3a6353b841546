"""Demo notes: thirty creators on both sides of the border, Chinese creators writing in
Chinese and the others in English, posting about the demo products with photographs of
them, tagging the products in the pictures; with likes, comments and follows, so the feed
looks alive on first run.

The photographs are the renders in app/demo/photos/ (nothing is drawn or downloaded at seed
time) and go through the real image pipeline. Notes are dated over the last five weeks.
Safe to run twice: it does nothing once the demo notes exist.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.demo.catalog import BROOKLYN, TEA_HOUSE
from app.demo.note_texts import (
    COMMENTS_EN,
    COMMENTS_ZH,
    GIFT_NOTES,
    PRODUCT_NOTES,
    SCENE_NOTES,
    SCENE_PRODUCTS,
)
from app.demo.photo_library import close_up, nearest_photo, photo, picture
from app.extensions import db
from app.models import Note, Product, Store, User, utcnow
from app.services.accounts.passwords import hash_password
from app.services.catalog import products as catalog
from app.services.social import bulk_engagement as bulk
from app.services.social import engagement as interactions
from app.services.social import notes
from app.services.social.notes import ImageUpload, hot_score
from app.services.social.product_tags import TagInput

CREATORS = [
    # email, display name, home country, languages, locale, currency
    ("lin.wei@example.com", "林薇 Lin Wei", "CN", ["zh"], "zh", "CNY"),
    ("sophie@example.com", "Sophie Martin", "GB", ["en", "fr"], "en", "GBP"),
    ("ana@example.com", "Ana Souza", "US", ["en", "es"], "en", "USD"),
    ("yuki@example.com", "Yuki Sato", "JP", ["ja", "en"], "en", "JPY"),
    ("chen.yu@example.com", "陈雨", "CN", ["zh"], "zh", "CNY"),
    ("zhou.cha@example.com", "周小茶", "CN", ["zh"], "zh", "CNY"),
    ("wang.mei@example.com", "王美美", "CN", ["zh", "en"], "zh", "CNY"),
    ("li.xiaoran@example.com", "李小冉", "CN", ["zh"], "zh", "CNY"),
    ("zhang.hao@example.com", "张浩 Hao", "CN", ["zh", "en"], "zh", "CNY"),
    ("liu.yang@example.com", "刘洋洋", "CN", ["zh"], "zh", "CNY"),
    ("huang.jing@example.com", "黄晶 Jing", "HK", ["zh", "en"], "zh", "HKD"),
    ("he.tian@example.com", "何甜", "CN", ["zh"], "zh", "CNY"),
    ("sun.li@example.com", "孙莉", "CN", ["zh"], "zh", "CNY"),
    ("xu.ning@example.com", "徐宁", "CN", ["zh", "en"], "zh", "CNY"),
    ("guo.xin@example.com", "郭欣", "CN", ["zh"], "zh", "CNY"),
    ("tang.yue@example.com", "唐悦", "CN", ["zh"], "zh", "CNY"),
    ("ma.lan@example.com", "马兰 Lan", "SG", ["zh", "en"], "zh", "SGD"),
    ("olivia@example.com", "Olivia Chen", "US", ["en", "zh"], "en", "USD"),
    ("james@example.com", "James Park", "US", ["en", "ko"], "en", "USD"),
    ("emma@example.com", "Emma Wilson", "GB", ["en"], "en", "GBP"),
    ("lucas@example.com", "Lucas Meyer", "DE", ["de", "en"], "en", "EUR"),
    ("chloe@example.com", "Chloé Dubois", "FR", ["fr", "en"], "en", "EUR"),
    ("noah@example.com", "Noah Brown", "CA", ["en", "fr"], "en", "CAD"),
    ("mei.tanaka@example.com", "Mei Tanaka", "JP", ["ja", "en"], "en", "JPY"),
    ("isabella@example.com", "Isabella Rossi", "IT", ["it", "en"], "en", "EUR"),
    ("liam@example.com", "Liam O'Connor", "IE", ["en"], "en", "EUR"),
    ("grace@example.com", "Grace Kim", "KR", ["ko", "en"], "en", "KRW"),
    ("hannah@example.com", "Hannah Lee", "AU", ["en"], "en", "AUD"),
    ("ben@example.com", "Ben Carter", "US", ["en"], "en", "USD"),
]
# The demo creator (app.demo.seed) writes in Chinese too: 15 Chinese and 15 English voices.
CHINESE_VOICES = ["creator@example.com", *(c[0] for c in CREATORS if c[4] == "zh")]
ENGLISH_VOICES = [c[0] for c in CREATORS if c[4] == "en"]
POSTED_OVER = timedelta(days=35)


def _picture(colour: str, seed: int) -> bytes:
    """A photograph of a demo skincare or make-up product close to a colour, for the beauty
    brands' notes seeded in app.demo.ads.
    """
    beauty = {p["photo"] for p in TEA_HOUSE["products"] + BROOKLYN["products"]
              if p["category"] == "beauty"}
    name = nearest_photo(colour, among=beauty)
    return close_up(name) if seed % 2 else photo(name)


def _user(email: str, name: str, country: str, languages: list[str], locale: str,
          currency: str, password_hash: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, password_hash=password_hash, display_name=name,
                    home_country=country, languages=languages, locale=locale,
                    currency=currency, email_verified_at=utcnow())
        db.session.add(user)
        db.session.flush()
    return user


def _products_by_photo() -> dict[str, Product]:
    """Each demo product, found by its first SKU in its store, under its photo's name."""
    found = {}
    for slug, spec in (("hangzhou-tea-house", TEA_HOUSE), ("brooklyn-goods", BROOKLYN)):
        store = db.session.scalar(select(Store).where(Store.slug == slug))
        if store is None:
            continue
        for product_spec in spec["products"]:
            variant = catalog.variant_by_sku(store.id, product_spec["variants"][0][0])
            if variant is not None and variant.product.status == "active":
                found[product_spec["photo"]] = variant.product
    return found


def _planned_notes() -> Iterator[tuple[str, str, str, list[tuple[str, Any]], list[str]]]:
    """(language, title, body, pictures, products pictured): a picture is a photo's name
    and how to make it (photo, close_up, or picture for a table scene).
    """
    for name, (zh_title, zh_body, en_title, en_body) in PRODUCT_NOTES.items():
        yield "zh", zh_title, zh_body, [(name, photo), (name, close_up)], [name]
        scenes = [s for s, products in SCENE_PRODUCTS.items() if name in products]
        second = (scenes[0], picture) if scenes else (name, photo)
        yield "en", en_title, en_body, [(name, close_up), second], [name]
    for scene, (language, title, body) in SCENE_NOTES.items():
        products = SCENE_PRODUCTS[scene]
        # The scene, then its first product alone (all of them are tagged on the scene).
        yield language, title, body, [(scene, picture), (products[0], photo)], products
    for language, title, body, products in GIFT_NOTES:
        yield language, title, body, [(p, photo) for p in products], products


def seed_notes(password: str) -> list[str]:
    """Post the demo notes (once), then likes, comments and follows between the users."""
    users = {u.email: u for u in db.session.scalars(select(User))}
    password_hash = hash_password(password)  # once: argon2 is slow on purpose
    for email, *rest in CREATORS:
        users[email] = _user(email, *rest, password_hash)
    if db.session.scalar(select(Note.id).limit(1)) is not None:
        return ["Demo notes: already there"]
    products = _products_by_photo()
    rng = random.Random(15)
    plan = list(_planned_notes())
    rng.shuffle(plan)
    voices = {"zh": [users[e] for e in CHINESE_VOICES if e in users],
              "en": [users[e] for e in ENGLISH_VOICES if e in users]}
    now = utcnow()
    posted: list[Note] = []
    for number, (language, title, body, pictures, pictured) in enumerate(plan):
        author = voices[language][number % len(voices[language])]
        images = [ImageUpload(make(name), f"{name}-{number}-{i}.jpg")
                  for i, (name, make) in enumerate(pictures)]
        # Each product is pinned on the first picture that shows it: alone, in the middle;
        # on a table scene, where it stands (scenes list their products left to right).
        tags = []
        for name in (p for p in pictured if p in products):
            position, shown = next((i, shown) for i, (shown, _make) in enumerate(pictures)
                                   if shown == name or name in SCENE_PRODUCTS.get(shown, []))
            x = 50
            if shown in SCENE_PRODUCTS:
                row = SCENE_PRODUCTS[shown]
                x = round(12 + 76 * (row.index(name) + 0.5) / len(row))
            tags.append(TagInput(position, x, 58, products[name].id))
        note = notes.create_note(author, title=title, body=body, images=images,
                                 product_tags=tags)
        # Spread over the last five weeks, older first in the plan's shuffled order.
        note.published_at = note.created_at = now - POSTED_OVER * (
            1 - number / len(plan)) - timedelta(minutes=rng.randrange(600))
        note.hot_score = hot_score(0, 0, 0, note.published_at)
        posted.append(note)
    db.session.flush()

    people = list(users.values())
    # Drawn in the order the seed always drew them (so the demo stays the same), then
    # written in bulk: the likes in one go, then the comments in order, then the follows.
    likes: list[tuple[User, Note]] = []
    comments: list[tuple[User, Note, str]] = []
    for note in posted:
        for fan in rng.sample(people, k=min(len(people), rng.randint(1, 6))):
            if fan.id != note.author_id:
                likes.append((fan, note))
        if rng.random() < 0.7:
            commenter = rng.choice(voices[note.language if note.language in voices
                                          else "en"])
            if commenter.id != note.author_id:
                comments.append((commenter, note, rng.choice(
                    COMMENTS_ZH if note.language == "zh" else COMMENTS_EN)))
    bulk.like_notes_in_bulk(likes)
    for commenter, note, text in comments:
        interactions.add_comment(commenter, note.id, text)
    creators = voices["zh"] + voices["en"]
    follows = [(follower, followee) for follower in creators
               for followee in rng.sample(creators, k=5) if followee.id != follower.id]
    shopper = users.get("shopper@example.com")
    if shopper is not None:
        follows += [(shopper, users[email]) for email in (
            "creator@example.com", "sophie@example.com", "lin.wei@example.com",
            "olivia@example.com") if email in users]
    bulk.follow_users_in_bulk(follows)
    if shopper is not None and posted:
        interactions.collect_note(shopper, posted[-1].id)
    shoppable = sum(1 for n in posted if n.product_tags)
    return [f"Demo notes: {len(posted)} posted ({shoppable} shoppable) by "
            f"{len({n.author_id for n in posted})} creators; creators' password is the same"]
