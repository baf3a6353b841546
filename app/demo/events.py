"""Demo event: "Tea around the world / 世界各地的茶", running for a few more days, with
entries from creators in China and abroad, a few likes and the start notice sent.

Safe to run twice: it does nothing once the event exists.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.demo.photo_library import picture
from app.extensions import db
from app.models import Event, Note, NoteTopic, Topic, User, utcnow
from app.services.social import bulk_engagement as bulk
from app.services.social import events, notes
from app.services.social.events import EventInput
from app.services.social.notes import ImageUpload

TITLE = "Tea around the world"
# New notes written for the event: (author, title, body, photos of app/demo/photos).
EVENT_NOTES = [
    ("creator@example.com", "我的龙井冲泡法", "玻璃杯、85°C、先注水后投茶，看茶叶慢慢舒展 "
     "#tea #茶", ["longjing-tin", "celadon-cups"]),
    ("lin.wei@example.com", "弄堂里的早茶", "一壶茉莉花茶配生煎，上海的早晨就该这样 #tea",
     ["jasmine-pearls", "scene-tea-flatlay"]),
]
# Notes already in the demo that carry #tea, entered by their authors.
ENTERED_TITLES = ["Trying Longjing tea for the first time", "Ceramic teapots from Jingdezhen"]
FANS = ["shopper@example.com", "shopper.jp@example.com", "sophie@example.com",
        "ana@example.com", "yuki@example.com", "creator@example.com", "lin.wei@example.com"]


def seed_events() -> list[str]:
    """Create the running tea event and its entries (once)."""
    if db.session.scalar(select(Event.id).where(Event.title_en == TITLE)) is not None:
        return ["Demo event: already there"]
    users = {u.email: u for u in db.session.scalars(select(User))}
    team = users.get("community@example.com")
    if team is None:
        return ["Demo event: skipped (no community team account)"]
    now = utcnow()
    event = events.create_event(team, EventInput(
        title_en=TITLE, title_zh="世界各地的茶",
        prompt_en="How do you drink tea where you live? Show us your cup, your pot and the "
                  "place you drink it, and tell the other side of the border how to make it.",
        prompt_zh="你那里的人怎么喝茶？晒出你的茶杯、茶壶和喝茶的地方，告诉大洋彼岸的朋友怎么泡。",
        topic="tea", starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=4),
        rules="Post a note with #tea and enter it here. Up to three notes each. Likes and "
              "collects decide the leaderboards; the top three on each side win.\n"
              "发布带 #tea 的笔记并在此投稿，每人最多三篇。按点赞和收藏排名，每个榜单前三名获奖。",
        prizes="Top three on each side: a tin of Longjing from Hangzhou Tea House.\n"
               "每个榜单前三名：杭州茶舍龙井一罐。"))
    entered: list[Note] = []
    for number, (email, title, body, photos) in enumerate(EVENT_NOTES):
        author = users.get(email)
        if author is None:
            continue
        images = [ImageUpload(picture(name), f"tea-{number}-{i}.jpg")
                  for i, name in enumerate(photos)]
        entered.append(notes.create_note(author, title=title, body=body, images=images))
    tagged = select(NoteTopic.note_id).join(Topic, Topic.id == NoteTopic.topic_id) \
        .where(Topic.name == "tea")
    entered += db.session.scalars(select(Note).where(Note.title.in_(ENTERED_TITLES),
                                                     Note.id.in_(tagged)))
    for note in entered:
        if note.is_published:
            events.enter_note(note.author, event.id, note.id)
    for fan_email in ("shopper@example.com", "shopper.jp@example.com"):
        if fan_email in users:
            events.join_event(users[fan_email], event.id)
    bulk.like_notes_in_bulk([
        (users[fan_email], note) for rank, note in enumerate(entered) if note.is_published
        for fan_email in FANS[:len(FANS) - rank]
        if fan_email in users and users[fan_email].id != note.author_id])
    events.advance_events()  # the start notice for everyone who joined
    return [f"Demo event: {TITLE} / 世界各地的茶, running until {event.ends_at:%Y-%m-%d}, "
            f"{len(entered)} entries from both sides"]
