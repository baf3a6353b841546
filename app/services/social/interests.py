"""The interest profile behind a personal Discover, and "not interested".

A person's profile is a set of weights (app.models.InterestWeight) on topics, creators,
stores and languages. Each signal adds to the weights of what it touches, in the same
transaction as the signal itself: liking, collecting or commenting on a note adds to its
creator, topics, the stores of its product tags and its language; following adds to the
creator; topics picked after signing up start the profile; buying through a note is folded
in by the `qiao.fold_purchase_interests` job; "not interested" takes weight away and hides
the note. The `qiao.decay_interests` job fades every weight a little each day, so the
profile follows what someone likes now and an old "not interested" wears off.

Discover never reads the profile into Python: `interest_match` and `excluded_notes` are SQL
subqueries placed inside its ranking statements, so a personal page costs the same number of
queries as an anonymous one.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    FeedDismissal,
    InterestJobMark,
    InterestWeight,
    Note,
    NoteProductTag,
    NoteTopic,
    Order,
    OrderLine,
    Product,
    Topic,
    User,
    utcnow,
)
from app.services.errors import NotFound, ValidationFailed

# How much each signal adds to what it touches (a purchase says more than a like).
LIKE, COMMENT, COLLECT, FOLLOW, PURCHASE, PICKED = 1.0, 1.5, 2.0, 3.0, 3.0, 5.0
# "Not interested" outweighs a few likes of the same creator or topic, not a habit.
NOT_INTERESTED = -4.0
# The strongest interests of each kind that Discover matches notes against. Small on
# purpose: the lists are subqueries evaluated once per ranking statement.
PROFILE_SIZE = {"topic": 12, "creator": 20, "store": 8, "language": 3}
# Negative weights (creators and topics a person turned down) Discover leaves out.
EXCLUDED_SIZE = 30
# Daily decay: a weight halves in about two weeks; weights this close to zero are dropped.
DAILY_DECAY = 0.95
NEGLIGIBLE = 0.05
MIN_PICKED_TOPICS, MAX_PICKED_TOPICS = 1, 10
PURCHASE_MARK = "purchases"
PURCHASE_BATCH = 500

Target = tuple[str, int, str]  # (kind, target_id, language)


def _targets_of_notes(note_ids: list[int]) -> dict[int, set[Target]]:
    """Creator, topics, stores and language of each note (two queries)."""
    found: dict[int, set[Target]] = {i: set() for i in note_ids}
    if not note_ids:
        return found
    rows = db.session.execute(
        select(Note.id, Note.author_id, Note.language, NoteTopic.topic_id)
        .outerjoin(NoteTopic, NoteTopic.note_id == Note.id).where(Note.id.in_(note_ids)))
    for note_id, author_id, language, topic_id in rows:
        found[note_id].add(("creator", author_id, ""))
        if language:
            found[note_id].add(("language", 0, language))
        if topic_id is not None:
            found[note_id].add(("topic", topic_id, ""))
    for note_id, store_id in db.session.execute(
            select(NoteProductTag.note_id, Product.store_id)
            .join(Product, Product.id == NoteProductTag.product_id)
            .where(NoteProductTag.note_id.in_(note_ids)).distinct()):
        found[note_id].add(("store", store_id, ""))
    return found


def _add_weights(user_id: int, deltas: dict[Target, float]) -> None:
    """Add to the user's weights in one upsert (rows in key order: no lock-order deadlock)."""
    if not deltas:
        return
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" \
        else sqlite.insert
    now = utcnow()
    statement = insert(InterestWeight.__table__).values(
        [{"user_id": user_id, "kind": kind, "target_id": target_id, "language": language,
          "weight": delta, "updated_at": now}
         for (kind, target_id, language), delta in sorted(deltas.items())])
    column = InterestWeight.__table__.c
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "kind", "target_id", "language"],
        set_={"weight": column.weight + statement.excluded.weight, "updated_at": now}))


def record_note_signal(user: User, note: Note, weight: float) -> None:
    """Add `weight` to what `note` is about, for `user` (their own notes teach nothing)."""
    if note.author_id == user.id:
        return
    _add_weights(user.id, dict.fromkeys(_targets_of_notes([note.id])[note.id], weight))


def record_follow_signal(user: User, creator_id: int, weight: float) -> None:
    """Add `weight` to a creator `user` followed (or, negative, stopped following)."""
    _add_weights(user.id, {("creator", creator_id, ""): weight})


def record_note_signals(pairs: list[tuple[int, int]], weight: float) -> None:
    """`record_note_signal` for many (user id, note id) pairs: the notes are read once and
    each person's weights move in one upsert.
    """
    targets = _targets_of_notes(sorted({note_id for _user_id, note_id in pairs}))
    by_user: dict[int, dict[Target, float]] = {}
    for user_id, note_id in pairs:
        if ("creator", user_id, "") in targets[note_id]:
            continue  # their own note teaches nothing
        deltas = by_user.setdefault(user_id, {})
        for target in targets[note_id]:
            deltas[target] = deltas.get(target, 0.0) + weight
    for user_id in sorted(by_user):
        _add_weights(user_id, by_user[user_id])


def record_follow_signals(pairs: list[tuple[int, int]], weight: float) -> None:
    """`record_follow_signal` for many (user id, creator id) pairs, one upsert per person."""
    by_user: dict[int, dict[Target, float]] = {}
    for user_id, creator_id in pairs:
        deltas = by_user.setdefault(user_id, {})
        target = ("creator", creator_id, "")
        deltas[target] = deltas.get(target, 0.0) + weight
    for user_id in sorted(by_user):
        _add_weights(user_id, by_user[user_id])


# Picking topics after signing up --------------------------------------------------------------
def topic_choices(limit: int = 24) -> list[Topic]:
    """Topics to offer a new person: the ones most notes carry."""
    return list(db.session.scalars(select(Topic).where(Topic.note_count > 0)
                                   .order_by(Topic.note_count.desc(), Topic.name).limit(limit)))


def picked_topic_ids(user: User) -> set[int]:
    """Topics the user already cares for (ticked again when they return to the page)."""
    return set(db.session.scalars(select(InterestWeight.target_id).where(
        InterestWeight.user_id == user.id, InterestWeight.kind == "topic",
        InterestWeight.weight > 0)))


def pick_topics(user: User, topic_ids: list[int]) -> int:
    """Start (or strengthen) the profile with topics the user chose; how many were taken."""
    chosen = sorted(set(topic_ids))
    if not MIN_PICKED_TOPICS <= len(chosen) <= MAX_PICKED_TOPICS:
        message = _("Pick between %(low)d and %(high)d topics, or skip this step.",
                    low=MIN_PICKED_TOPICS, high=MAX_PICKED_TOPICS)
        raise ValidationFailed(message, code="invalid_topic_choice",
                               fields={"topics": [message]})
    known = set(db.session.scalars(select(Topic.id).where(Topic.id.in_(chosen))))
    if known != set(chosen):
        message = _("One of those topics no longer exists; pick again.")
        raise ValidationFailed(message, code="invalid_topic_choice",
                               fields={"topics": [message]})
    # Picking the same topic again does not pile up: it lifts it to the picked weight.
    current = dict(db.session.execute(select(InterestWeight.target_id, InterestWeight.weight)
                                      .where(InterestWeight.user_id == user.id,
                                             InterestWeight.kind == "topic",
                                             InterestWeight.target_id.in_(chosen))).tuples().all())
    _add_weights(user.id, {("topic", topic_id, ""): PICKED - current.get(topic_id, 0.0)
                           for topic_id in chosen if current.get(topic_id, 0.0) < PICKED})
    return len(chosen)


# Not interested -------------------------------------------------------------------------------
def _discoverable_note(note_id: int) -> Note:
    note = db.session.get(Note, note_id)
    if note is None or not note.is_published:
        raise NotFound(_("No such note."), code="note_not_found")
    return note


def _not_interested_deltas(note: Note, weight: float) -> dict[Target, float]:
    """The creator and topics of the note: what "not interested" turns down."""
    return {target: weight for target in _targets_of_notes([note.id])[note.id]
            if target[0] in ("creator", "topic")}


def dismiss_note(user: User, note_id: int) -> Note:
    """Hide a note from the user's Discover and turn down its creator and topics.

    Twice is once: the second time changes nothing.
    """
    note = _discoverable_note(note_id)
    if note.author_id == user.id:
        raise ValidationFailed(_("This is your own note."), code="own_note")
    try:
        # A savepoint: a second click racing the first meets the unique key, not a 500.
        with db.session.begin_nested():
            db.session.add(FeedDismissal(user_id=user.id, note_id=note.id))
    except IntegrityError:
        return note
    _add_weights(user.id, _not_interested_deltas(note, NOT_INTERESTED))
    return note


def undo_dismissal(user: User, note_id: int) -> Note:
    """Bring a dismissed note back and give its creator and topics their weight back."""
    note = _discoverable_note(note_id)
    removed = db.session.execute(delete(FeedDismissal).where(
        FeedDismissal.user_id == user.id, FeedDismissal.note_id == note.id)).rowcount
    if removed:
        _add_weights(user.id, _not_interested_deltas(note, -NOT_INTERESTED))
    return note


# What Discover reads (as SQL) -----------------------------------------------------------------
def _strongest(user_id, kind: str, column):
    return (select(column).where(InterestWeight.user_id == user_id, InterestWeight.kind == kind,
                                 InterestWeight.weight > 0)
            .order_by(InterestWeight.weight.desc(), InterestWeight.id)
            .limit(PROFILE_SIZE[kind]))


def _turned_down(user_id, kind: str):
    return (select(InterestWeight.target_id)
            .where(InterestWeight.user_id == user_id, InterestWeight.kind == kind,
                   InterestWeight.weight < 0)
            .order_by(InterestWeight.weight, InterestWeight.id).limit(EXCLUDED_SIZE))


def _probe(*conditions):
    """SQL EXISTS that probes one note's rows through their index, row by row.

    `Note.id IN (notes on the topics)` would first collect every note of a popular topic
    (12 % of the table for the biggest). PostgreSQL turns a plain EXISTS into that same
    hashed list on its own; OFFSET 0 keeps it a per-row probe there (SQLite ignores it).
    """
    return select(literal(1)).where(*conditions).offset(0).exists()


def _on_topics(topic_ids):
    """SQL: the note carries one of these topics."""
    return _probe(NoteTopic.note_id == Note.id, NoteTopic.topic_id.in_(topic_ids))


def interest_match(user_id, *, by_language: bool):
    """SQL: the note is by a creator, on a topic, or from a store the user cares for (and,
    with `by_language`, in a language they read: for notes from abroad). `user_id` is a
    value or a bind parameter (Discover keeps its statements and binds the viewer).
    """
    # From the note's own tags (rarely more than one) to each tag's product, probe within
    # probe: as one join, PostgreSQL started from the stores' products and walked each
    # one's tags looking for this note (20 products x 26 tags for every note in the
    # window: half the time of a personal Discover at 100,000 notes).
    tag_from_store = _probe(
        Product.id == NoteProductTag.product_id,
        Product.store_id.in_(_strongest(user_id, "store", InterestWeight.target_id)))
    stores = _probe(NoteProductTag.note_id == Note.id, tag_from_store)
    parts = [Note.author_id.in_(_strongest(user_id, "creator", InterestWeight.target_id)),
             _on_topics(_strongest(user_id, "topic", InterestWeight.target_id)), stores]
    if by_language:
        parts.append(Note.language.in_(_strongest(user_id, "language",
                                                  InterestWeight.language)))
    return or_(*parts)


def excluded_notes(user_id):
    """SQL: notes the user dismissed, or by creators or on topics they turned down."""
    return or_(Note.id.in_(select(FeedDismissal.note_id)
                           .where(FeedDismissal.user_id == user_id)),
               Note.author_id.in_(_turned_down(user_id, "creator")),
               _on_topics(_turned_down(user_id, "topic")))


# Periodic jobs --------------------------------------------------------------------------------
def decay_interests(factor: float = DAILY_DECAY) -> int:
    """Fade every weight by `factor` and drop the ones near zero; how many were dropped."""
    db.session.execute(update(InterestWeight).values(weight=InterestWeight.weight * factor,
                                                     updated_at=utcnow()),
                       execution_options={"synchronize_session": False})
    dropped = db.session.execute(delete(InterestWeight).where(
        func.abs(InterestWeight.weight) < NEGLIGIBLE)).rowcount
    db.session.expire_all()
    return dropped


def fold_purchase_interests(batch: int = PURCHASE_BATCH) -> int:
    """Add paid orders, oldest first, to their buyers' profiles: the store, and what the
    note each line was bought through is about. Returns how many orders were folded in.

    A mark row remembers the last order read, so every order counts once even when the job
    runs twice at once on PostgreSQL (the mark's row lock serialises the runs).
    """
    mark = db.session.scalar(select(InterestJobMark).where(
        InterestJobMark.name == PURCHASE_MARK).with_for_update())
    if mark is None:
        mark = InterestJobMark(name=PURCHASE_MARK, last_id=0)
        db.session.add(mark)
        db.session.flush()
    orders = list(db.session.execute(
        select(Order.id, Order.user_id, Order.store_id)
        .where(Order.id > mark.last_id, Order.paid_at.is_not(None))
        .order_by(Order.id).limit(batch)))
    if not orders:
        return 0
    lines = db.session.execute(select(OrderLine.order_id, OrderLine.note_id).where(
        OrderLine.order_id.in_([o.id for o in orders]), OrderLine.note_id.is_not(None)))
    notes_by_order: dict[int, set[int]] = {}
    for order_id, note_id in lines:
        notes_by_order.setdefault(order_id, set()).add(note_id)
    targets = _targets_of_notes(sorted({n for ids in notes_by_order.values() for n in ids}))
    by_user: dict[int, dict[Target, float]] = {}
    for order in orders:
        deltas = by_user.setdefault(order.user_id, {})
        touched = {("store", order.store_id, "")}
        for note_id in notes_by_order.get(order.id, ()):
            touched |= {t for t in targets.get(note_id, ()) if t[0] != "creator"
                        or t[1] != order.user_id}
        for target in touched:
            deltas[target] = deltas.get(target, 0.0) + PURCHASE
    for user_id in sorted(by_user):
        _add_weights(user_id, by_user[user_id])
    mark.last_id = orders[-1].id
    return len(orders)


def interest_weights(user: User) -> dict[Target, float]:
    """The user's whole profile: (kind, target id, language) -> weight."""
    return {(w.kind, w.target_id, w.language): w.weight for w in db.session.scalars(
        select(InterestWeight).where(InterestWeight.user_id == user.id))}

