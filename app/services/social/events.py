"""Events and challenges: the community team creates them; users join and enter notes that
carry the event's #topic; leaderboards rank the entries; a periodic job announces the start,
closes the event at its end and tells the winners.

Scores are a note's likes plus collects, copied onto the entry (so a leaderboard reads its
top ten from an index) each time app.services.social.notes.refresh_hot_score recomputes the
note's rank from the counters that app.services.social.engagement keeps: one like per
person and note, a collect per saved board, each backed by a row and moved atomically;
notes that moderation holds or removes do not rank. The side of an entry (China or abroad)
is decided when it is entered, by the rule Discover uses for "from abroad" as a viewer in
China sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.extensions import db
from app.models import (
    EVENT_SIDES,
    LEADERBOARDS,
    Event,
    EventEntry,
    EventParticipant,
    Note,
    NoteTopic,
    Notification,
    Organization,
    Topic,
    User,
    utcnow,
)
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.permissions import require_platform_role
from app.services.social.abuse import check_posting_allowed
from app.services.social.feed import side_clause
from app.services.social.notes import note_loader_options, parse_topics
from app.services.social.topics import group_of

MAX_TITLE = 120
MAX_PROMPT = 2000
MAX_RULES = 4000
MAX_PRIZES = 2000
# How many places are winners (and hear that they placed) on each leaderboard.
PODIUM = 3
LEADERBOARD_SIZE = 10


@dataclass(frozen=True)
class EventInput:
    """What the community team fills in; times are timezone-aware (the edge converts the
    viewer's local time).
    """

    title_en: str
    title_zh: str
    prompt_en: str
    prompt_zh: str
    topic: str
    starts_at: datetime | None
    ends_at: datetime | None
    rules: str
    prizes: str = ""
    sponsor_id: int | None = None


@dataclass(frozen=True)
class Standing:
    """One line of a leaderboard."""

    rank: int
    score: int
    entry: EventEntry


# The community team ---------------------------------------------------------------------------
def _validated(data: EventInput, event: Event | None) -> dict:
    errors: dict[str, list[str]] = {}

    def text(name: str, value: str, limit: int, missing: str | None = None) -> str:
        """The stripped value; `missing` is the error when it is required and empty."""
        value = (value or "").strip()
        if missing is not None and not value:
            errors[name] = [missing]
        elif len(value) > limit:
            errors[name] = [_("Use at most %(n)d characters.", n=limit)]
        return value

    values = {
        "title_en": text("title_en", data.title_en, MAX_TITLE, _("Give the event an English "
                                                                 "title.")),
        "title_zh": text("title_zh", data.title_zh, MAX_TITLE, _("Give the event a Chinese "
                                                                 "title.")),
        "prompt_en": text("prompt_en", data.prompt_en, MAX_PROMPT, _("Write the prompt in "
                                                                     "English.")),
        "prompt_zh": text("prompt_zh", data.prompt_zh, MAX_PROMPT, _("Write the prompt in "
                                                                     "Chinese.")),
        "rules": text("rules", data.rules, MAX_RULES, _("Write the rules.")),
        "prizes": text("prizes", data.prizes, MAX_PRIZES),
    }
    topic = (data.topic or "").strip().lstrip("#")
    if parse_topics(f"#{topic}") != [topic.casefold()]:
        errors["topic"] = [_("Enter one topic: letters and digits only, such as #tea.")]
    if data.starts_at is None:
        errors["starts_at"] = [_("Choose when it starts.")]
    if data.ends_at is None:
        errors["ends_at"] = [_("Choose when it ends.")]
    elif data.starts_at is not None and data.ends_at <= data.starts_at:
        errors["ends_at"] = [_("The end must come after the start.")]
    elif event is None and data.ends_at <= utcnow():
        errors["ends_at"] = [_("The end must be in the future.")]
    sponsor = None
    if data.sponsor_id is not None:
        sponsor = db.session.get(Organization, data.sponsor_id)
        if sponsor is None or sponsor.kind != "brand":
            errors["sponsor_id"] = [_("Choose a brand as the sponsor.")]
    if errors:
        raise ValidationFailed(_("Check the highlighted fields."), fields=errors)
    return {**values, "topic_name": topic.casefold(), "starts_at": data.starts_at,
            "ends_at": data.ends_at, "sponsor_id": sponsor.id if sponsor else None}


def _topic_named(name: str) -> Topic:
    topic = db.session.scalar(select(Topic).where(Topic.name == name))
    if topic is not None:
        return topic
    topic = Topic(name=name, note_count=0)
    try:
        with db.session.begin_nested():
            db.session.add(topic)
    except IntegrityError:  # a note created the topic at the same moment
        topic = db.session.scalar(select(Topic).where(Topic.name == name))
    return topic


def create_event(actor: User, data: EventInput) -> Event:
    """A new event (community team only)."""
    require_platform_role(actor, "community")
    values = _validated(data, None)
    topic = _topic_named(values.pop("topic_name"))
    event = Event(topic_id=topic.id, created_by_id=actor.id, **values)
    db.session.add(event)
    db.session.flush()
    return event


def update_event(actor: User, event_id: int, data: EventInput) -> Event:
    """Change an event that has not closed yet (community team only)."""
    require_platform_role(actor, "community")
    event = get_event(event_id)
    if event.closed_at is not None:
        raise Conflict(_("This event has ended and its results are final; it cannot be "
                         "changed."), code="event_closed")
    values = _validated(data, event)
    topic = _topic_named(values.pop("topic_name"))
    if topic.id != event.topic_id and db.session.scalar(
            select(EventEntry.id).where(EventEntry.event_id == event.id).limit(1)):
        raise ValidationFailed(_("Notes were entered with the current topic, so it cannot "
                                 "change."), fields={"topic": [_("Keep the topic: notes "
                                                                 "were entered with it.")]})
    for name, value in values.items():
        setattr(event, name, value)
    event.topic_id = topic.id
    if event.starts_at > utcnow():  # moved back into the future: announce it again then
        event.start_announced_at = None
    db.session.flush()
    return event


def sponsor_brands() -> list[Organization]:
    """Brands that can sponsor an event, by name."""
    return list(db.session.scalars(select(Organization).where(Organization.kind == "brand")
                                   .order_by(Organization.name, Organization.id)))


# Reading -------------------------------------------------------------------------------------
def get_event(event_id: int) -> Event:
    """An event, or NotFound."""
    event = db.session.get(Event, event_id, options=[selectinload(Event.topic),
                                                      selectinload(Event.sponsor)])
    if event is None:
        raise NotFound(_("No such event."), code="event_not_found")
    return event


def list_events(*, now: datetime | None = None, past_limit: int = 20
                ) -> dict[str, list[Event]]:
    """Running events (ending soonest first), upcoming ones and the latest past ones."""
    now = now or utcnow()
    base = select(Event).options(selectinload(Event.topic), selectinload(Event.sponsor))
    return {
        "running": list(db.session.scalars(base.where(Event.starts_at <= now, Event.ends_at > now)
                                           .order_by(Event.ends_at, Event.id))),
        "upcoming": list(db.session.scalars(base.where(Event.starts_at > now)
                                            .order_by(Event.starts_at, Event.id))),
        "past": list(db.session.scalars(base.where(Event.ends_at <= now)
                                        .order_by(Event.ends_at.desc(), Event.id.desc())
                                        .limit(past_limit))),
    }


def is_participant(user: User | None, event: Event) -> bool:
    """Whether the user joined the event."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(EventParticipant.id).where(
        EventParticipant.event_id == event.id, EventParticipant.user_id == user.id)) is not None


def participant_count(event: Event) -> int:
    """How many people joined."""
    return db.session.scalar(select(func.count(EventParticipant.id))
                             .where(EventParticipant.event_id == event.id)) or 0


def entries(event: Event, *, before_id: int | None = None, limit: int = 20
            ) -> list[EventEntry]:
    """Entries whose notes are shown, newest first; `limit + 1` rows tell if there are more."""
    stmt = (select(EventEntry).join(Note, Note.id == EventEntry.note_id)
            .options(selectinload(EventEntry.note).options(*note_loader_options()))
            .where(EventEntry.event_id == event.id, Note.shown_clause())
            .order_by(EventEntry.id.desc()).limit(limit + 1))
    if before_id is not None:
        stmt = stmt.where(EventEntry.id < before_id)
    return list(db.session.scalars(stmt))


def _standings_query(event_id: int):
    """Shown entries with their notes and authors (one statement), best score first; ties go
    to the earlier entry.
    """
    # The score is also read as a column: it moves by bulk UPDATE, so an entry already in
    # the session may hold an older value.
    return (select(EventEntry, EventEntry.score.label("live_score"))
            .join(EventEntry.note)
            .options(contains_eager(EventEntry.note).joinedload(Note.author)
                     .lazyload(User.platform_roles))
            .where(EventEntry.event_id == event_id, Note.shown_clause())
            .order_by(EventEntry.score.desc(), EventEntry.id))


def leaderboard(event: Event, board: str = "combined", *, limit: int = LEADERBOARD_SIZE
                ) -> list[Standing]:
    """The top entries of one leaderboard: live while the event runs, final once closed."""
    if board not in LEADERBOARDS:
        raise ValidationFailed(_("Choose a leaderboard: combined, china or abroad."),
                               fields={"board": [_("Choose combined, china or abroad.")]})
    if event.closed_at is not None:
        rank = EventEntry.final_rank if board == "combined" else EventEntry.final_side_rank
        stmt = (select(EventEntry).where(EventEntry.event_id == event.id, rank.is_not(None))
                .options(joinedload(EventEntry.note).joinedload(Note.author)
                         .lazyload(User.platform_roles)))
        if board != "combined":
            stmt = stmt.where(EventEntry.side == board)
        rows = db.session.scalars(stmt.order_by(rank).limit(limit)).all()
        return [Standing(rank=(r.final_rank if board == "combined" else r.final_side_rank),
                         score=r.final_score or 0, entry=r) for r in rows]
    stmt = _standings_query(event.id)
    if board != "combined":
        stmt = stmt.where(EventEntry.side == board)
    return [Standing(rank=i, score=score, entry=entry) for i, (entry, score)
            in enumerate(db.session.execute(stmt.limit(limit)).all(), start=1)]


def winners(event: Event) -> dict[str, list[Standing]]:
    """Once the event closed: the podium of each leaderboard (empty before)."""
    if event.closed_at is None:
        return {}
    return {board: leaderboard(event, board, limit=PODIUM) for board in LEADERBOARDS}


def enterable_notes(user: User | None, event: Event) -> list[Note]:
    """The user's published notes that carry the topic and are not entered yet."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    entered = select(EventEntry.note_id).where(EventEntry.event_id == event.id)
    tagged = select(NoteTopic.note_id).where(NoteTopic.topic_id == event.topic_id)
    return list(db.session.scalars(
        select(Note).where(Note.author_id == user.id, Note.shown_clause(),
                           Note.id.in_(tagged), Note.id.not_in(entered))
        .order_by(Note.published_at.desc()).limit(50)))


# Taking part ---------------------------------------------------------------------------------
def _require_user(user: User | None) -> User:
    if user is None or not getattr(user, "is_authenticated", False):
        raise Forbidden(_("Log in first."), code="login_required")
    return user


def _refuse_if_ended(event: Event) -> None:
    if event.stage() == "ended":
        raise Conflict(_("This event has ended, so it no longer takes participants or "
                         "entries."), code="event_ended")


def join_event(user: User, event_id: int) -> EventParticipant:
    """Join an upcoming or running event (joining twice changes nothing)."""
    _require_user(user)
    event = get_event(event_id)
    _refuse_if_ended(event)
    check_posting_allowed(user, "")
    existing = db.session.scalar(select(EventParticipant).where(
        EventParticipant.event_id == event.id, EventParticipant.user_id == user.id))
    if existing is not None:
        return existing
    participant = EventParticipant(event_id=event.id, user_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(participant)
    except IntegrityError:  # a double click joined a moment ago
        return db.session.scalar(select(EventParticipant).where(
            EventParticipant.event_id == event.id, EventParticipant.user_id == user.id))
    return participant


def enter_note(user: User, event_id: int, note_id: int) -> EventEntry:
    """Enter one of the user's published notes into a running event (joining it too).

    The note must carry the event's topic, so the event's topic page shows every entry.
    """
    _require_user(user)
    event = get_event(event_id)
    _refuse_if_ended(event)
    if event.stage() == "upcoming":
        raise Conflict(_("This event has not started yet; enter your note once it starts."),
                       code="event_not_started")
    note = db.session.get(Note, note_id)
    if note is None or note.author_id != user.id or not note.is_published:
        raise NotFound(_("Choose one of your published notes."), code="note_not_found",
                       fields={"note_id": [_("Choose one of your published notes.")]})
    # Any hashtag linked to the event's topic (#茶 for #tea) counts as carrying it.
    if not {t.id for t in group_of(event.topic)} & {t.id for t in note.topics}:
        message = _("Add #%(topic)s to your note before entering it in this event.",
                    topic=event.topic.name)
        raise ValidationFailed(message, code="event_topic_missing", fields={"note_id": [message]})
    join_event(user, event.id)
    side = db.session.scalar(select(case((side_clause("china"), "china"), else_="abroad"))
                             .where(Note.id == note.id))
    entry = EventEntry(event_id=event.id, note_id=note.id, author_id=user.id, side=side,
                       score=note.like_count + note.collect_count)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        raise Conflict(_("This note is already entered in the event."),
                       code="already_entered") from None
    return entry


# The periodic job ------------------------------------------------------------------------------
def _participant_ids(event_id: int) -> list[int]:
    return list(db.session.scalars(select(EventParticipant.user_id)
                                   .where(EventParticipant.event_id == event_id)))


def _notify_all(event_id: int, user_ids, stage: str) -> None:
    db.session.add_all(Notification(recipient_id=user_id, actor_id=None, kind="event",
                                    event_id=event_id, event_stage=stage)
                       for user_id in user_ids)


def _claim(event_id: int, column, now: datetime) -> bool:
    """Set a once-only column; False when another run set it first."""
    result = db.session.execute(
        update(Event).where(Event.id == event_id, column.is_(None))
        .values({column.key: now}))
    return bool(result.rowcount)


def _freeze_results(event: Event) -> list[tuple[int, int]]:
    """Write final scores and ranks onto the shown entries in one batch; the (author id,
    note id) of each entry that reached a podium.
    """
    ranks: list[dict] = []
    side_counts = dict.fromkeys(EVENT_SIDES, 0)
    placed: list[tuple[int, int]] = []
    rows = db.session.execute(
        select(EventEntry.id, EventEntry.side, EventEntry.author_id, EventEntry.note_id,
               EventEntry.score)
        .join(Note, Note.id == EventEntry.note_id)
        .where(EventEntry.event_id == event.id, Note.shown_clause())
        .order_by(EventEntry.score.desc(), EventEntry.id))
    for rank, row in enumerate(rows, start=1):
        side_counts[row.side] += 1
        ranks.append({"id": row.id, "final_score": row.score, "final_rank": rank,
                      "final_side_rank": side_counts[row.side]})
        if rank <= PODIUM or side_counts[row.side] <= PODIUM:
            placed.append((row.author_id, row.note_id))
    if ranks:
        db.session.execute(update(EventEntry), ranks)
        db.session.expire_all()  # entries already loaded must show their final ranks
    return placed


def advance_events(*, now: datetime | None = None, limit: int = 100) -> int:
    """The job: announce events that started, close those that ended (final ranks, a notice
    to every participant and one to each entry that placed). Returns how many changed.
    """
    now = now or utcnow()
    changed = 0
    starting = list(db.session.scalars(select(Event.id).where(
        Event.start_announced_at.is_(None), Event.starts_at <= now).limit(limit)))
    for event_id in starting:
        ended = db.session.scalar(select(Event.ends_at).where(Event.id == event_id)) <= now
        if _claim(event_id, Event.start_announced_at, now) and not ended:
            _notify_all(event_id, _participant_ids(event_id), "started")
            changed += 1
    ending = list(db.session.scalars(select(Event.id).where(
        Event.closed_at.is_(None), Event.ends_at <= now).limit(limit)))
    for event_id in ending:
        if not _claim(event_id, Event.closed_at, now):
            continue
        event = get_event(event_id)
        db.session.refresh(event)
        _notify_all(event_id, _participant_ids(event_id), "ended")
        db.session.add_all(Notification(recipient_id=author_id, actor_id=None,
                                        kind="event", event_id=event_id,
                                        event_stage="placed", note_id=note_id)
                           for author_id, note_id in _freeze_results(event))
        changed += 1
    db.session.flush()
    return changed

