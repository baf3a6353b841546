"""Demo notes: creators from several countries posting in English and Chinese, many of them
shoppable, with likes, comments and follows, so the feed looks alive on first run.

Images are drawn here with Pillow (no bundled photos, nothing downloaded) and go through
the real image pipeline. Safe to run twice: it does nothing once the demo notes exist.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw
from sqlalchemy import select

from app.extensions import db
from app.models import Note, Product, Store, User, utcnow
from app.services.accounts.passwords import hash_password
from app.services.social import engagement as interactions
from app.services.social import notes
from app.services.social.notes import ImageUpload
from app.services.social.product_tags import TagInput

CREATORS = [
    # email, display name, home country, languages, locale, currency
    ("lin.wei@example.com", "林薇 Lin Wei", "CN", ["zh"], "zh", "CNY"),
    ("sophie@example.com", "Sophie Martin", "GB", ["en", "fr"], "en", "GBP"),
    ("ana@example.com", "Ana Souza", "US", ["en", "es"], "en", "USD"),
    ("yuki@example.com", "Yuki Sato", "JP", ["ja", "en"], "en", "JPY"),
]

# (author email, title, body, image colours, tag: "tea" | "brooklyn" | None)
DEMO_NOTES = [
    ("creator@example.com", "这支口红太好看了", "秋冬必备的正红色，黄皮也能驾驭 #口红 #秋冬妆容\n"
     "@MiaShopper 你一定会喜欢", ["#c0392b", "#e74c3c"], "brooklyn"),
    ("creator@example.com", "西湖龙井开箱", "今年的明前龙井，豆香很浓 #龙井 #茶",
     ["#6ab04c", "#badc58"], "tea"),
    ("lin.wei@example.com", "上海秋日街拍", "梧桐叶黄了，穿上风衣去武康路 #街拍 #穿搭",
     ["#e58e26", "#f6b93b", "#b71540"], None),
    ("lin.wei@example.com", "在家做抹茶拿铁", "三步搞定，比咖啡店便宜一半 #抹茶 #早餐",
     ["#78e08f", "#38ada9"], "tea"),
    ("sophie@example.com", "Lipsticks I love", "Five shades for autumn, from sheer to bold. "
     "Number three is my everyday red. #lipstick #makeup", ["#eb2f06", "#fa983a"], "brooklyn"),
    ("sophie@example.com", "A rainy weekend in the Cotswolds", "Tea, scones and muddy boots "
     "#travel #uk", ["#4a69bd", "#6a89cc"], None),
    ("ana@example.com", "My Brooklyn tote, one year later", "Canvas holds up beautifully. "
     "Still my daily bag. #bags #everyday", ["#b8a07e", "#82589f"], "brooklyn"),
    ("ana@example.com", "Trying Longjing tea for the first time", "Nutty, bright, a little sweet."
     " Brewed at 80°C for two minutes. #tea #longjing", ["#079992", "#b8e994"], "tea"),
    ("yuki@example.com", "Minimal skincare routine", "Cleanser, serum, moisturiser. That's it. "
     "#skincare", ["#f8c291", "#e55039"], "brooklyn"),
    ("yuki@example.com", "Ceramic teapots from Jingdezhen", "Hand-thrown, each one different "
     "#ceramics #tea", ["#0a3d62", "#3c6382", "#60a3bc"], "tea"),
    ("shopper@example.com", "Gift ideas under $30", "Tea, a tote and a lip balm — done. "
     "#gifts", ["#e056fd", "#686de0"], None),
    ("creator@example.com", "平价护肤好物", "学生党也能买得起 #护肤 #平价", ["#f9ca24", "#f0932b"],
     "brooklyn"),
]

COMMENTS = [
    ("shopper@example.com", "Where can I buy this shade?"),
    ("lin.wei@example.com", "好好看！求链接"),
    ("sophie@example.com", "Gorgeous colours."),
    ("ana@example.com", "Adding this to my list."),
]


def _picture(colour: str, seed: int) -> bytes:
    """A 900x1200 poster-like image: a gradient with a few soft shapes."""
    rng = random.Random(seed)
    base = Image.new("RGB", (900, 1200), colour)
    overlay = Image.linear_gradient("L").resize((900, 1200))
    image = Image.composite(base, Image.new("RGB", base.size, "#ffffff"), overlay)
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x, y, r = rng.randrange(900), rng.randrange(1200), rng.randrange(80, 260)
        draw.ellipse((x - r, y - r, x + r, y + r), outline="#ffffff", width=10)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _user(email: str, name: str, country: str, languages: list[str], locale: str,
          currency: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, password_hash=hash_password(password), display_name=name,
                    home_country=country, languages=languages, locale=locale,
                    currency=currency, email_verified_at=utcnow())
        db.session.add(user)
        db.session.flush()
    return user


def _store_products(slug: str) -> list[Product]:
    return list(db.session.scalars(
        select(Product).join(Store, Store.id == Product.store_id)
        .where(Store.slug == slug, Product.status == "active").order_by(Product.id).limit(3)))


def seed_notes(password: str) -> list[str]:
    """Post the demo notes (once), then likes, comments and follows between the users."""
    users = {u.email: u for u in db.session.scalars(select(User))}
    for email, *rest in CREATORS:
        users[email] = _user(email, *rest, password)
    if db.session.scalar(select(Note.id).limit(1)) is not None:
        return ["Demo notes: already there"]
    products = {"tea": _store_products("hangzhou-tea-house"),
                "brooklyn": _store_products("brooklyn-goods")}
    posted: list[Note] = []
    for number, (email, title, body, colours, shop) in enumerate(DEMO_NOTES):
        author = users.get(email)
        if author is None:
            continue
        images = [ImageUpload(_picture(colour, number * 10 + i), f"demo-{number}-{i}.jpg")
                  for i, colour in enumerate(colours)]
        tags = [TagInput(i % len(images), 30 + 20 * i, 40 + 15 * i, product.id)
                for i, product in enumerate(products.get(shop or "", [])[:2])]
        posted.append(notes.create_note(author, title=title, body=body, images=images,
                                        product_tags=tags))
    rng = random.Random(4)
    people = list(users.values())
    for note in posted:
        for fan in rng.sample(people, k=min(len(people), rng.randint(2, 7))):
            if fan.id != note.author_id:
                interactions.like_note(fan, note.id)
    for note, (email, text) in zip(posted, COMMENTS * 3, strict=False):
        if email in users and users[email].id != note.author_id:
            interactions.add_comment(users[email], note.id, text)
    shopper = users.get("shopper@example.com")
    if shopper is not None:
        for email in ("creator@example.com", "sophie@example.com", "lin.wei@example.com"):
            if email in users:
                interactions.follow_user(shopper, users[email].id)
        if posted:
            interactions.collect_note(shopper, posted[0].id)
    shoppable = sum(1 for n in posted if n.product_tags)
    return [f"Demo notes: {len(posted)} posted ({shoppable} shoppable) by "
            f"{len({n.author_id for n in posted})} creators; creators' password is the same"]
