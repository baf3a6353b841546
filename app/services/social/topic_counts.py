"""Both sides' counts of a topic group, kept as counters on its canonical topic.

A topic page shows how many of the group's notes come from China and from abroad, and how
many of its questions are addressed to each side. Counting them at read time meant
visiting every note of a big group (7,899 of 100,000 for #tea + #茶: 35-60 ms on SQLite,
more on PostgreSQL), so the canonical topic keeps four counters instead, over the group's
distinct shown notes (published and let through by moderation):

- `group_china_notes` / `group_abroad_notes`: notes from each side (feed.side_clause),
- `group_questions_to_china` / `group_questions_to_abroad`: questions to each side.

Aliases keep zeros. Every change that moves a note into or out of a group's counts goes
through `counted_state` before and `adjust_topic_counts` after, in the same transaction
(publishing, editing, deleting, a moderation decision), as `+ n` updates, so concurrent
writers never lose each other's change. Linking and splitting topics recount the groups
involved. Hiding a note in one market does not touch the counters: a page for that market
subtracts its few hidden notes (see topics.side_counts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select, update

from app.extensions import db
from app.models import Note, NoteTopic, Topic
from app.models.notes import SHOWN_STATES

COUNTER_OF = {("notes", "china"): "group_china_notes",
              ("notes", "abroad"): "group_abroad_notes",
              ("questions", "china"): "group_questions_to_china",
              ("questions", "abroad"): "group_questions_to_abroad"}


def note_side(language: str | None, region: str | None) -> str:
    """The side of the border a note is from, by the rule of feed.side_clause."""
    return "china" if language == "zh" and region in ("CN", None) else "abroad"


@dataclass(frozen=True)
class CountedState:
    """What of a note the group counters count: its groups, and its place if shown."""

    roots: frozenset[int]
    shown: bool
    side: str
    question_to: str | None

    def counters(self) -> Counter:
        """Counter column -> +1 for every group this note counts in."""
        if not self.shown:
            return Counter()
        columns = [COUNTER_OF["notes", self.side]]
        if self.question_to is not None:
            columns.append(COUNTER_OF["questions", self.question_to])
        return Counter({(root, column): 1 for root in self.roots for column in columns})


def _roots_of(note_id: int | None) -> frozenset[int]:
    if note_id is None:
        return frozenset()
    return frozenset(db.session.scalars(
        select(func.coalesce(Topic.canonical_id, Topic.id).distinct())
        .join(NoteTopic, NoteTopic.topic_id == Topic.id).where(NoteTopic.note_id == note_id)))


# A note waiting for its screening job ("pending", with a Celery broker) is counted as
# shown: it was counted when published, before the state changed, and screening then
# either shows it or holds it, and a hold moves the counters from here.
COUNTED_STATES = (*SHOWN_STATES, "pending")


def counted_state(note: Note | None) -> CountedState | None:
    """A note's place in the group counters as it stands now (None: no note)."""
    if note is None:
        return None
    return CountedState(
        roots=_roots_of(note.id),
        shown=note.status == "published" and note.moderation_state in COUNTED_STATES,
        side=note_side(note.language, note.region), question_to=note.question_to)


def adjust_topic_counts(before: CountedState | None, note: Note | None) -> None:
    """Move the group counters from the note's `before` state to its current one (None:
    deleted); one `+ n` update per group whose counts changed.
    """
    db.session.flush()
    after = counted_state(note) if note is not None and note.id is not None else None
    change = Counter(after.counters() if after else {})
    change.subtract(before.counters() if before else {})
    by_root: dict[int, dict[str, int]] = {}
    for (root, column), delta in change.items():
        if delta:
            by_root.setdefault(root, {})[column] = delta
    for root, deltas in sorted(by_root.items()):
        db.session.execute(
            update(Topic).where(Topic.id == root)
            .values({column: getattr(Topic, column) + delta for column, delta in deltas.items()}),
            execution_options={"synchronize_session": False})


def recount_groups(root_ids: Iterable[int]) -> None:
    """Count the groups of `root_ids` (canonical topics) from their notes again, and zero
    the counters of their aliases: after a link or a split.
    """
    roots = sorted(set(root_ids))
    if not roots:
        return
    root = func.coalesce(Topic.canonical_id, Topic.id)
    members = (select(root.label("root"), NoteTopic.note_id)
               .join(NoteTopic, NoteTopic.topic_id == Topic.id)
               .where(root.in_(roots)).distinct().subquery())
    china = note_side_clause()
    rows = db.session.execute(
        select(members.c.root,
               func.sum(case((china, 1), else_=0)), func.sum(case((china, 0), else_=1)),
               func.sum(case((Note.question_to == "china", 1), else_=0)),
               func.sum(case((Note.question_to == "abroad", 1), else_=0)))
        .join(Note, Note.id == members.c.note_id).where(Note.shown_clause())
        .group_by(members.c.root))
    counted = {row[0]: row[1:] for row in rows}
    zero = dict.fromkeys(COUNTER_OF.values(), 0)
    db.session.execute(update(Topic).where(Topic.canonical_id.in_(roots)).values(zero),
                       execution_options={"synchronize_session": False})
    for topic_id in roots:
        values = counted.get(topic_id, (0, 0, 0, 0))
        db.session.execute(
            update(Topic).where(Topic.id == topic_id).values(
                group_china_notes=values[0] or 0, group_abroad_notes=values[1] or 0,
                group_questions_to_china=values[2] or 0,
                group_questions_to_abroad=values[3] or 0),
            execution_options={"synchronize_session": False})


def note_side_clause():
    """SQL: a note from China, the rule of note_side (feed imports notes, which imports
    this module, so feed.side_clause cannot be imported here; a test keeps them equal).
    """
    return and_(Note.language == "zh", or_(Note.region == "CN", Note.region.is_(None)))
