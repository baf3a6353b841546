"""Demo bilingual topics and questions across the border: #tea and #茶 on one page with
notes from both sides, and questions each side asked the other, answered and with a best
answer picked, so the first run shows the two sides talking.

Safe to run twice: it does nothing once #茶 is linked.
"""

from __future__ import annotations

from sqlalchemy import select

from app.demo.photo_library import picture
from app.extensions import db
from app.models import Topic, User
from app.services.social import engagement, questions, topics
from app.services.social import notes as note_service
from app.services.social.notes import ImageUpload

# (canonical, alias): the same topic in English and in Chinese.
LINKS = [("tea", "茶"), ("citywalk", "城市漫步"), ("lipstick", "口红"), ("skincare", "护肤")]

# (author, title, body, photos (app/demo/photos), asks or None, [(answerer, answer)],
#  best answer's index)
POSTS = [
    ("lin.wei@example.com", "武康路城市漫步",
     "从安福路走到武康大楼，梧桐树下一路都是小店 #城市漫步", ["scene-coffee", "scene-weekend-bag"],
     None, [], None),
    ("sophie@example.com", "A Sunday citywalk along the Thames",
     "Borough Market to Tate Modern, with a flat white halfway #citywalk",
     ["scene-weekend-bag", "scene-coffee"], None, [], None),
    ("ana@example.com", "Which Longjing should I bring home as a gift?",
     "Going to Hangzhou next month. Pre-Qingming or after? Any shop you trust? #tea",
     ["longjing-tin", "scene-tea-table"], "china",
     [("yuki@example.com", "I brought back a tin from the airport; it was fine but not special."),
      ("lin.wei@example.com", "买明前龙井，认准西湖产区的标识；梅家坞的茶农店比景区便宜，"
                              "可以先试喝再买。"),
      ("creator@example.com", "明前的更嫩更香，送人很有面子。杭州茶舍也能直邮海外。")], 1),
    ("creator@example.com", "海外的朋友平时怎么喝茶？", "好奇大家会不会加奶加糖，用什么茶具 #茶",
     ["scene-tea-table", "gaiwan"], "abroad",
     [("lin.wei@example.com", "我猜英国人一定加奶！"),
      ("sophie@example.com", "In the UK: black tea, a splash of milk, no sugar, in a mug. "
                             "Green tea is for the afternoon."),
      ("ana@example.com", "Iced tea all summer here in the US, usually unsweetened.")], 1),
    ("sophie@example.com", "Best walking route in Shanghai for a first visit?",
     "Three days in Shanghai in spring: where would you walk? #citywalk",
     ["scene-study", "scene-coffee"], "china", [], None),
]


def _users() -> dict[str, User]:
    emails = {email for post in POSTS for email in (post[0], *(a for a, _ in post[5]))}
    return {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}


def seed_topics(moderator_email: str = "moderator@example.com") -> list[str]:
    """Link the demo topics in both languages, post notes and questions across the border."""
    already = db.session.scalar(select(Topic).where(Topic.name == "茶"))
    if already is not None and already.canonical_id is not None:
        return ["Bilingual topics and questions: already there"]
    moderator = db.session.scalar(select(User).where(User.email == moderator_email))
    users = _users()
    if moderator is None or len(users) < 5:
        return ["Bilingual topics and questions: skipped (demo users missing)"]
    asked = 0
    for number, (email, title, body, photos, asks, answers, best) in enumerate(POSTS):
        images = [ImageUpload(picture(name), f"topic-{number}-{i}.jpg")
                  for i, name in enumerate(photos)]
        note = note_service.create_note(users[email], title=title, body=body, images=images,
                                        question_to=asks)
        posted = [engagement.add_comment(users[who], note.id, text) for who, text in answers]
        if best is not None:
            questions.choose_best_answer(users[email], note.id, posted[best].id)
        asked += asks is not None
    for canonical, alias in LINKS:
        topics.link_topics(moderator, canonical, alias)
    return [f"Bilingual topics: {len(LINKS)} linked (#tea = #茶 ...); {asked} questions "
            "across the border, two answered with a best answer"]
