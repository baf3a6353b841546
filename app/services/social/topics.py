"""Bilingual topics: link #tea and #茶 into one page, split them again, read a topic's page.

A link points the alias topic at its canonical topic (`Topic.canonical_id`); notes keep the
hashtag they were written with. So a topic page gathers the notes of the whole group
(counted once even when a note carries both hashtags), each hashtag keeps its own
`note_count`, and splitting a link restores both topics exactly as they were.

A page can show every note, only those from China or only those from abroad (the side as
Discover decides it, app.services.social.feed.side_clause), or the group's questions, where
the switch is the side a question is addressed to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select

from app.extensions import db
from app.models import Note, NoteTopic, Topic, User
from app.models.notes import CJK_RUN, HIDDEN_SOMEWHERE
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.permissions import require_platform_role
from app.services.social.feed import (
    BORDER_SIDES,
    FeedPage,
    newest_first,
    published_notes,
    side_clause,
)
from app.services.social.notes import TOPIC_PATTERN
from app.services.social.topic_counts import recount_groups

SIDE_FILTERS = ("all", *BORDER_SIDES)
TOPIC_VIEWS = ("notes", "questions")
# Up to this many tagged notes a topic's feed sorts all of them; above, it walks the newest
# notes of the site and keeps the topic's (at 100,000 notes that reads about as many rows).
SMALL_GROUP = 2000


@dataclass(frozen=True)
class SideCounts:
    """How many notes of a page's view come from (or, for questions, ask) each side."""

    all: int
    china: int
    abroad: int


@dataclass
class TopicPage:
    """A topic as its page shows it: the canonical topic, every linked name, the counts."""

    topic: Topic
    group: list[Topic]
    counts: SideCounts

    @property
    def names(self) -> list[str]:
        """Every linked name, the canonical one first."""
        return [t.name for t in self.group]


def _clean_name(raw: str, field: str) -> str:
    """A hashtag as typed (with or without "#"), case-folded; else a field error."""
    name = (raw or "").strip().removeprefix("#").casefold()
    if not name or TOPIC_PATTERN.fullmatch(f"#{name}") is None:
        message = _("Write a topic as letters and digits, up to 40, such as #tea or #茶.")
        raise ValidationFailed(message, code="invalid_topic", fields={field: [message]})
    return name


def find_topic(name: str) -> Topic:
    """The topic named `name` (any case; alias or not), or NotFound."""
    topic = db.session.scalar(select(Topic).where(Topic.name == (name or "").casefold()))
    if topic is None:
        raise NotFound(_("No notes carry this topic yet."), code="topic_not_found")
    return topic


def group_of(topic: Topic) -> list[Topic]:
    """The canonical topic of `topic`'s group first, then its aliases by name."""
    root_id = topic.canonical_id or topic.id
    # populate_existing: the side counters move by UPDATE statements in this session.
    members = list(db.session.scalars(
        select(Topic).where(or_(Topic.id == root_id, Topic.canonical_id == root_id))
        .execution_options(populate_existing=True)))
    return sorted(members, key=lambda t: (t.canonical_id is not None, t.name))


def _tagged_ids(group: list[Topic]):
    return select(NoteTopic.note_id).where(NoteTopic.topic_id.in_([t.id for t in group]))


def _view_clause(view: str, side: str):
    """SQL for one view of a topic and one position of its side switch."""
    if view == "questions":
        asked = Note.question_to.is_not(None)
        return asked if side == "all" else Note.question_to == side
    return None if side == "all" else side_clause(side)


def _check_filters(side: str, view: str) -> None:
    if side not in SIDE_FILTERS:
        raise ValidationFailed(_("Choose all, china or abroad."), code="invalid_side",
                               fields={"side": [_("Choose all, china or abroad.")]})
    if view not in TOPIC_VIEWS:
        raise ValidationFailed(_("Choose notes or questions."), code="invalid_view",
                               fields={"view": [_("Choose notes or questions.")]})


def side_counts(group: list[Topic], view: str = "notes", *,
                market: str | None = None) -> SideCounts:
    """The group's shown notes (or questions) in total and from (or to) China: the
    canonical topic's counters, less the group's notes hidden in `market` (one query).
    """
    _check_filters("all", view)
    root = group[0]
    if view == "questions":
        china, abroad = root.group_questions_to_china, root.group_questions_to_abroad
    else:
        china, abroad = root.group_china_notes, root.group_abroad_notes
    if market:
        hidden_china, hidden_total = _hidden_in_market(group, view, market)
        china, abroad = china - hidden_china, abroad - (hidden_total - hidden_china)
    return SideCounts(all=china + abroad, china=china, abroad=abroad)


def _hidden_in_market(group: list[Topic], view: str, market: str) -> tuple[int, int]:
    """The group's counted notes hidden in `market`: from (or to) China, and in all.

    They are few, so the walk starts from the notes hidden anywhere (a partial index); the
    conditions of being counted stay in the sums, or the planner walks every published note.
    """
    counted = Note.shown_clause()
    if view == "questions":
        counted = and_(counted, _view_clause(view, "all"))
    china = and_(counted, _view_clause(view, "china"))
    tagged = (select(NoteTopic.note_id).where(NoteTopic.note_id == Note.id,
                                             NoteTopic.topic_id.in_([t.id for t in group]))
              .exists())
    stmt = (select(func.coalesce(func.sum(case((china, 1), else_=0)), 0),
                   func.coalesce(func.sum(case((counted, 1), else_=0)), 0))
            .where(HIDDEN_SOMEWHERE,
                   Note.hidden_markets.contains(f",{market.upper()},", autoescape=True),
                   tagged))
    hidden_china, hidden_total = db.session.execute(stmt).one()
    return hidden_china, hidden_total


def topic_page(topic: Topic, view: str = "notes", *, market: str | None = None) -> TopicPage:
    """The page header of a canonical topic: its names in every language and the counts."""
    group = group_of(topic)
    return TopicPage(topic=group[0], group=group, counts=side_counts(group, view, market=market))


def name_for_language(names: list[str], language: str) -> str:
    """The name a page leads with for a reader of `language`: a Chinese name for Chinese
    readers, a name in another script for everyone else, else the canonical name.
    """
    wants_chinese = language == "zh"
    return next((n for n in names if bool(CJK_RUN.search(n)) == wants_chinese), names[0])


def topic_feed(group: list[Topic], cursor: list[Any] | None, limit: int, *,
               side: str = "all", view: str = "notes", market: str | None = None) -> FeedPage:
    """The published notes (or questions) of a topic's `group` from `side`, newest first."""
    _check_filters(side, view)
    if sum(t.note_count for t in group) <= SMALL_GROUP:
        # Few notes: read them all by id and sort; walking the newest notes of the whole
        # site for the few of this topic would cost more.
        tagged = _tagged_ids(group).distinct().subquery()
        stmt = published_notes(market).join(tagged, tagged.c.note_id == Note.id)
    else:
        stmt = published_notes(market).where(Note.id.in_(_tagged_ids(group)))
    clause = _view_clause(view, side)
    if clause is not None:
        stmt = stmt.where(clause)
    return newest_first(stmt, cursor, limit)


# Linking and splitting (moderators) -------------------------------------------------------
def _topic_or_new(name: str) -> Topic:
    """The topic named `name`, created unused if nobody has written it yet."""
    topic = db.session.scalar(select(Topic).where(Topic.name == name))
    if topic is None:
        topic = Topic(name=name, note_count=0)
        db.session.add(topic)
        db.session.flush()
    return topic


def link_topics(actor: User, topic_name: str, alias_name: str) -> Topic:
    """Make #alias open #topic's page (moderators, the community team); returns the alias.

    #topic may be an alias itself: the link then goes to its canonical topic, so groups
    stay one level deep. An alias already linked elsewhere, or a topic that has aliases of
    its own, must be split first, so every link can be undone by one split.
    """
    require_platform_role(actor, "moderator", "community")
    canonical_name = _clean_name(topic_name, "topic")
    alias_name = _clean_name(alias_name, "alias")
    if canonical_name == alias_name:
        message = _("A topic cannot be linked to itself.")
        raise ValidationFailed(message, code="invalid_topic", fields={"alias": [message]})
    canonical = _topic_or_new(canonical_name)
    if canonical.canonical_id is not None:
        canonical = db.session.get(Topic, canonical.canonical_id)
    alias = _topic_or_new(alias_name)
    if alias.id == canonical.id:
        raise Conflict(_("#%(alias)s and #%(topic)s are already linked.",
                         alias=alias.name, topic=topic_name.strip().removeprefix("#")),
                       code="topics_already_linked")
    if alias.canonical_id is not None:
        current = db.session.get(Topic, alias.canonical_id)
        if current.id == canonical.id:
            raise Conflict(_("#%(alias)s and #%(topic)s are already linked.",
                             alias=alias.name, topic=canonical.name),
                           code="topics_already_linked")
        raise Conflict(_("#%(alias)s is linked to #%(other)s; split it from there first.",
                         alias=alias.name, other=current.name), code="topic_linked_elsewhere",
                       fields={"alias": [_("Split it from #%(other)s first.",
                                           other=current.name)]})
    has_aliases = db.session.scalar(select(func.count()).select_from(Topic)
                                    .where(Topic.canonical_id == alias.id))
    if has_aliases:
        raise Conflict(_("#%(alias)s has linked topics of its own; split them first.",
                         alias=alias.name), code="topic_has_aliases",
                       fields={"alias": [_("Split its linked topics first.")]})
    alias.canonical_id = canonical.id
    db.session.flush()
    recount_groups([canonical.id])
    return alias


def split_topic(actor: User, alias_name: str) -> Topic:
    """Undo a link (moderators): #alias gets its own page and counts again."""
    require_platform_role(actor, "moderator", "community")
    alias = find_topic(_clean_name(alias_name, "alias"))
    if alias.canonical_id is None:
        raise Conflict(_("#%(alias)s is not linked to another topic.", alias=alias.name),
                       code="topic_not_linked")
    canonical_id, alias.canonical_id = alias.canonical_id, None
    db.session.flush()
    recount_groups([canonical_id, alias.id])
    return alias


def linked_groups(actor: User, *, query: str = "", page: int = 1,
                  per_page: int = 50) -> tuple[list[list[Topic]], bool]:
    """Groups of linked topics for the admin list (moderators), canonical topic first;
    `query` keeps the groups with a name containing it. Returns the page and whether more
    follow. Two queries.
    """
    require_platform_role(actor, "moderator", "community")
    roots = select(Topic.canonical_id).where(Topic.canonical_id.is_not(None))
    if query:
        needle = query.strip().removeprefix("#").casefold()
        matching = select(func.coalesce(Topic.canonical_id, Topic.id)).where(
            Topic.name.contains(needle, autoescape=True))
        roots = roots.where(Topic.canonical_id.in_(matching))
    root_ids = list(db.session.scalars(
        roots.distinct().order_by(Topic.canonical_id)
        .offset((page - 1) * per_page).limit(per_page + 1)))
    has_more = len(root_ids) > per_page
    root_ids = root_ids[:per_page]
    members = db.session.scalars(select(Topic).where(
        or_(Topic.id.in_(root_ids), Topic.canonical_id.in_(root_ids))))
    groups: dict[int, list[Topic]] = {root: [] for root in root_ids}
    for topic in members:
        groups[topic.canonical_id or topic.id].append(topic)
    return ([sorted(g, key=lambda t: (t.canonical_id is not None, t.name))
             for g in groups.values()], has_more)
