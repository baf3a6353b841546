"""Feeds of notes with keyset (cursor) pagination and a fixed number of queries per page.

Discover mixes two ranked sides, both ordered by `hot_score` (engagement on a log scale
plus publication time, see app.services.social.notes.hot_score): notes "from home" (the viewer's
language, and their region or none known) and notes "from abroad" (everything else). A
configurable share of each page (DISCOVER_FOREIGN_SHARE) comes from abroad, spread evenly
through the page, so domestic and overseas users meet each other's content. When one
side runs dry the other fills the page.

For a signed-in viewer each side is two streams: notes their interest profile matches
(app.services.social.interests: creators, topics, stores, and for notes from abroad the
languages they engage with) and the rest, which keeps a share of every page
(DISCOVER_EXPLORE_SHARE) for fresh notes outside their habits. Both streams of a side are
read by one statement, so a personal page costs the same queries as an anonymous one. The
cursor remembers the position in each of the four streams.

Following lists notes by followed authors, newest first; profiles, topics and boards have
their own orderings. Every feed loads notes with the same eager loads
(app.services.social.notes.note_loader_options), so a page costs the same number of queries
whatever its size or the size of the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    Float,
    Integer,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import (
    Board,
    BoardNote,
    Follow,
    Note,
    NoteCoauthor,
    NoteProductTag,
    Product,
    User,
)
from app.services.errors import ValidationFailed
from app.services.social import interests
from app.services.social.coauthoring import coauthored_note_ids
from app.services.social.notes import (
    note_card_loader_options,
    note_feed_card_loader_options,
    note_loader_options,
)

FEED_TABS = ("discover", "following")
# Discover's cursor: (hot score, id) of the last note taken from each of its four streams.
DISCOVER_CURSOR_LENGTH = 8
# A signed-in viewer's streams look this many pages ahead on their side for their notes.
WINDOW_PAGES = 4


@dataclass(frozen=True)
class Audience:
    """Who is looking: their UI language and region decide what counts as "from abroad"."""

    user: User | None
    language: str
    region: str | None
    # The viewer's ship-to country: notes restricted or legally blocked there are left out.
    market: str | None = None


@dataclass
class FeedPage:
    """One page of notes and the cursor values of the next page (None: this is the last)."""

    notes: list[Note]
    next_cursor: list[Any] | None


class InvalidCursor(ValidationFailed):
    """A cursor that does not fit the feed it was sent to."""

    code = "invalid_cursor"
    status = 400


def _bad_cursor() -> InvalidCursor:
    return InvalidCursor(_("The cursor is not valid; start again without it."),
                         fields={"cursor": [_("Start again without a cursor.")]})


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad_cursor()
    return value


def published_notes(market: str | None = None):
    """Published notes that moderation lets viewers in `market` see."""
    return select(Note).options(*note_loader_options()).where(Note.shown_clause(market))


# Discover ---------------------------------------------------------------------------------
def _home_predicates(audience: Audience, language=Note.language, region=Note.region) -> list:
    """"From home": the viewer's language, and their region or no known region.

    Two predicates, each an equality range of ix_notes_status_language_region_hot_score,
    so each is read in hot-score order straight from the index. `language` and `region`
    may name other columns (a comment's language, its author's country) to place other
    content by the same rule.
    """
    if audience.region is None:
        return [language == audience.language]
    return [and_(language == audience.language, region == audience.region),
            and_(language == audience.language, region.is_(None))]


def _abroad_predicate(audience: Audience, language=Note.language, region=Note.region):
    """Everything not from home (other or unknown language, or another known region)."""
    other_language = func.coalesce(language, "") != audience.language
    if audience.region is None:
        return other_language
    return or_(other_language, and_(region.is_not(None), region != audience.region))


# The border Qiao bridges is Discover's own "home" and "abroad" as seen by a reader of
# Chinese in China: a topic page's "from China" / "from abroad" switch and the side of a
# question's answers use this one rule, so a note is never foreign in one place and
# domestic in another.
BORDER_SIDES = ("china", "abroad")
_SEEN_FROM_CHINA = Audience(user=None, language="zh", region="CN")


def side_clause(side: str, language=Note.language, region=Note.region):
    """SQL: content from `side` ("china" or "abroad") of the border; by default a note,
    else the content whose language and home region are the given columns.
    """
    if side == "china":
        return or_(*_home_predicates(_SEEN_FROM_CHINA, language, region))
    return _abroad_predicate(_SEEN_FROM_CHINA, language, region)


@dataclass(frozen=True)
class _Ranked:
    id: int
    hot_score: float


def _ranked_ids(predicate, position, limit: int, market: str | None = None, offset: int = 0):
    stmt = select(Note.id, Note.hot_score).where(Note.shown_clause(market), predicate)
    if position is not None:
        stmt = stmt.where(tuple_(Note.hot_score, Note.id) < tuple_(*position))
    stmt = stmt.order_by(Note.hot_score.desc(), Note.id.desc()).limit(limit)
    return stmt.offset(offset) if offset else stmt


def _stream_statement(predicates: list, position, limit: int, market: str | None = None,
                      offset: int = 0):
    """The next `limit` ids and scores of one stream (predicates OR-ed, each an index range),
    after skipping `offset` of them. `position` is (score, id), as values or bind parameters.
    """
    if len(predicates) == 1:
        return _ranked_ids(predicates[0], position, limit, market, offset)
    parts = [_ranked_ids(p, position, offset + limit, market).subquery() for p in predicates]
    merged = union_all(*[select(part.c.id, part.c.hot_score) for part in parts]).subquery()
    stmt = select(merged.c.id, merged.c.hot_score) \
        .order_by(merged.c.hot_score.desc(), merged.c.id.desc()).limit(limit)
    return stmt.offset(offset) if offset else stmt


@dataclass
class _Stream:
    """One keyset-paged stream of Discover: the rows read for this page, how many the page
    took, and where the cursor left it.

    A personal stream is the part of its side that the viewer's profile picks (or leaves
    for exploring), read only within a window of the side's next `WINDOW_PAGES` pages:
    whether interests match one note in a thousand or all but a few, a page reads a bounded
    number of rows. When the window holds too few, the page fills from the other stream, and
    the next page looks past the window (`window_floor`, the lowest score in it; None: the
    side ends inside it).
    """

    position: tuple[float, int] | None
    done: bool
    rows: list[_Ranked] = field(default_factory=list)
    taken: int = 0
    window_floor: float | None = None

    @property
    def exhausted(self) -> bool:
        """Every note of the stream was read and taken."""
        return self.taken >= len(self.rows) and self.window_floor is None

    def cursor(self) -> list[Any]:
        """The stream's two cursor values: the last note taken, past the window when all of
        its notes were taken, or -1 once the stream ran dry.
        """
        if self.exhausted:
            return [None, -1]
        if self.taken >= len(self.rows):
            # Every note of the window was taken: go on below its floor (no note has id 0).
            return [self.window_floor, 0]
        if self.taken:
            last = self.rows[self.taken - 1]
            return [last.hot_score, last.id]
        return [self.position[0], self.position[1]] if self.position else [None, None]


@lru_cache(maxsize=512)
def _side_statement(language: str, region: str | None, market: str | None, *,
                    abroad: bool, personal: bool, active: tuple[bool, bool],
                    positioned: tuple[bool, bool], limit: int):
    """ONE statement reading the next `limit` notes of both streams of a side (and, for a
    signed-in viewer, each window's floor as a row with id 0, which no note has).

    Built once per shape and kept: the viewer and the positions are bind parameters
    (`viewer_id`, `score_<k>`, `id_<k>` for stream k of the side), so a request neither
    rebuilds nor re-keys the statement, only binds values.
    """
    audience = Audience(None, language, region, market)
    side = [_abroad_predicate(audience)] if abroad else _home_predicates(audience)
    chooses: tuple = (None, None)
    if personal:
        viewer_id = bindparam("viewer_id", type_=Integer)
        match = interests.interest_match(viewer_id, by_language=abroad)
        kept = ~interests.excluded_notes(viewer_id)
        chooses = (and_(match, kept), and_(~match, kept))
    labelled = []
    for k in range(2):
        if not active[k]:
            continue
        position = (bindparam(f"score_{k}", type_=Float), bindparam(f"id_{k}", type_=Integer)) \
            if positioned[k] else None
        if chooses[k] is None:
            statement = _stream_statement(side, position, limit, market)
        else:
            window = _stream_statement(side, position, 1, market,
                                       offset=WINDOW_PAGES * limit - 1).subquery()
            floor = select(window.c.hot_score).scalar_subquery()
            within = Note.hot_score >= func.coalesce(floor, -1e300)
            statement = _stream_statement([and_(p, chooses[k], within) for p in side],
                                          position, limit, market)
        part = statement.subquery()
        labelled.append(select(literal(k).label("stream"), part.c.id, part.c.hot_score))
        if chooses[k] is not None:
            labelled.append(select(literal(k), literal(0), floor))
    return labelled[0] if len(labelled) == 1 else union_all(*labelled)


def _fill(pair: tuple[_Stream, _Stream], audience: Audience, viewer_id: int | None, *,
          abroad: bool, limit: int) -> None:
    """Read the next `limit` rows of both streams of a side, in one statement."""
    active = (not pair[0].done, not pair[1].done)
    if not any(active):
        return
    statement = _side_statement(audience.language, audience.region, audience.market,
                                abroad=abroad, personal=viewer_id is not None, active=active,
                                positioned=(pair[0].position is not None,
                                            pair[1].position is not None),
                                limit=limit)
    values: dict[str, Any] = {"viewer_id": viewer_id} if viewer_id is not None else {}
    for k, stream in enumerate(pair):
        if stream.position is not None:
            values[f"score_{k}"], values[f"id_{k}"] = stream.position
    for k, note_id, hot_score in db.session.execute(statement, values):
        if note_id == 0:
            pair[k].window_floor = hot_score
        else:
            pair[k].rows.append(_Ranked(note_id, hot_score))
    # A UNION ALL keeps no order of its own: each stream is put back in ranking order.
    for stream in pair:
        stream.rows.sort(key=lambda r: (r.hot_score, r.id), reverse=True)


def _interleave(first: list, second: list, second_share: float, limit: int) -> list:
    """Up to `limit` items: `second_share` of them from `second`, spread evenly; when one
    list runs dry the other fills the rest.
    """
    share = min(max(second_share, 0.0), 1.0)
    mixed, taken_first, taken_second = [], 0, 0
    for slot in range(limit):
        wants_second = int((slot + 1) * share) > int(slot * share)
        if (wants_second and taken_second < len(second)) or taken_first >= len(first):
            if taken_second >= len(second):
                break
            mixed.append(second[taken_second])
            taken_second += 1
        else:
            mixed.append(first[taken_first])
            taken_first += 1
    return mixed


def load_notes(ids: list[int], *, cards: bool = False) -> list[Note]:
    """The notes with these ids, in this order, with everything the API's items show, or
    with `cards` only what HTML cards show (fixed queries either way).
    """
    if not ids:
        return []
    options = note_feed_card_loader_options() if cards else note_loader_options()
    # By primary key only: the ids come from published-only queries, and a status filter
    # here tempts SQLite (without statistics) into scanning a status index instead.
    by_id = {n.id: n for n in db.session.scalars(
        select(Note).options(*options).where(Note.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def load_few_notes(ids: list[int], market: str | None = None, *,
                   cards: bool = False) -> list[Note]:
    """A handful of notes (in this order) with everything the API's items show, or with
    `cards` what an HTML card without a product strip shows (title, cover, author and
    co-author), in ONE statement (joined eager loads): for notes merged into a page
    already loaded, such as sponsored ones, where the per-relationship queries of
    `load_notes` would double its cost.
    Only notes moderation lets viewers in `market` see: a paid slot never shows a note that
    was held, removed or restricted there.
    """
    if not ids:
        return []
    if cards:
        options = [joinedload(Note.author).lazyload(User.platform_roles),
                   joinedload(Note.images),
                   joinedload(Note.coauthorship).joinedload(NoteCoauthor.coauthor)
                   .lazyload(User.platform_roles)]
    else:
        options = [joinedload(Note.author).joinedload(User.platform_roles),
                   joinedload(Note.images), joinedload(Note.topics),
                   joinedload(Note.product_tags).joinedload(NoteProductTag.product)
                   .joinedload(Product.store),
                   joinedload(Note.coauthorship).joinedload(NoteCoauthor.coauthor)]
    stmt = select(Note).where(Note.id.in_(ids), Note.shown_clause(market)).options(*options)
    by_id = {n.id: n for n in db.session.scalars(stmt).unique()}
    return [by_id[i] for i in ids if i in by_id]


def load_card_notes(ids: list[int], market: str | None = None) -> list[Note]:
    """Like `load_few_notes`, with only what an HTML card shows (author and images)."""
    if not ids:
        return []
    stmt = (select(Note).where(Note.id.in_(ids), Note.shown_clause(market))
            .options(*note_card_loader_options()))
    by_id = {n.id: n for n in db.session.scalars(stmt).unique()}
    return [by_id[i] for i in ids if i in by_id]


def _viewer_id(audience: Audience) -> int | None:
    user = audience.user
    return user.id if user is not None and getattr(user, "is_authenticated", False) else None


def discover(audience: Audience, cursor: list[Any] | None, limit: int,
             foreign_share: float, explore_share: float = 1.0, *,
             cards: bool = False) -> FeedPage:
    """A page of Discover: ranked notes, `foreign_share` of them from abroad (loaded for
    HTML cards with `cards`, else for the API's items).

    On each side, a signed-in viewer gets `1 - explore_share` of the notes from what their
    interest profile matches and the rest from everything else, so the feed learns without
    closing into a bubble; notes they dismissed, and creators and topics they turned down,
    are left out. Both streams of a side are read by one statement: personalising adds no
    query. Without a signed-in viewer, each side's "interests" stream holds nothing (and is
    never queried) and the other holds everything: today's anonymous Discover.
    """
    if cursor is not None and len(cursor) != DISCOVER_CURSOR_LENGTH:
        raise _bad_cursor()
    values = [_number(v) for v in cursor] if cursor else [None] * DISCOVER_CURSOR_LENGTH
    viewer_id = _viewer_id(audience)
    # In cursor order: home for the viewer's interests, home to explore, abroad for their
    # interests, abroad to explore. An exhausted stream is marked -1 and not queried again.
    streams = [_Stream(position=(values[2 * k], int(values[2 * k + 1]))
                       if values[2 * k] is not None and values[2 * k + 1] is not None else None,
                       done=values[2 * k + 1] == -1 or (viewer_id is None and k % 2 == 0))
               for k in range(4)]
    _fill((streams[0], streams[1]), audience, viewer_id, abroad=False, limit=limit + 1)
    _fill((streams[2], streams[3]), audience, viewer_id, abroad=True, limit=limit + 1)

    tagged = [[(stream, row) for row in stream.rows] for stream in streams]
    home = _interleave(tagged[0], tagged[1], explore_share, limit)
    abroad = _interleave(tagged[2], tagged[3], explore_share, limit)
    page = _interleave(home, abroad, foreign_share, limit)
    for stream, _row in page:
        stream.taken += 1

    notes = load_notes([row.id for _stream, row in page], cards=cards)
    if all(s.exhausted for s in streams):
        return FeedPage(notes, None)
    return FeedPage(notes, [value for s in streams for value in s.cursor()])


# Newest-first feeds -----------------------------------------------------------------------
def _time_position(cursor: list[Any] | None) -> tuple[datetime, int] | None:
    if cursor is None:
        return None
    if len(cursor) != 2 or not isinstance(cursor[0], str) or not isinstance(cursor[1], int):
        raise _bad_cursor()
    try:
        moment = datetime.fromisoformat(cursor[0])
    except ValueError:
        raise _bad_cursor() from None
    if moment.tzinfo is None:
        raise _bad_cursor()
    return moment, cursor[1]


def newest_first(stmt, cursor: list[Any] | None, limit: int) -> FeedPage:
    """A page of `stmt`'s notes, newest first, after the (published_at, id) `cursor`."""
    at = _time_position(cursor)
    stmt = stmt.order_by(Note.published_at.desc(), Note.id.desc()).limit(limit + 1)
    if at is not None:
        stmt = stmt.where(tuple_(Note.published_at, Note.id) < tuple_(*at))
    notes = list(db.session.scalars(stmt))
    if len(notes) <= limit:
        return FeedPage(notes, None)
    last = notes[limit - 1]
    return FeedPage(notes[:limit], [last.published_at.isoformat(), last.id])


def following(user: User, cursor: list[Any] | None, limit: int, *,
              market: str | None = None) -> FeedPage:
    """Notes by the authors `user` follows (or co-authored by them), newest first."""
    followed = select(Follow.followee_id).where(Follow.follower_id == user.id)
    return newest_first(published_notes(market).where(or_(
        Note.author_id.in_(followed), Note.id.in_(coauthored_note_ids(followed)))), cursor,
        limit)


def store_feed(store_id: int, cursor: list[Any] | None, limit: int, *,
               market: str | None = None) -> FeedPage:
    """Published notes tagging the store's products (shoppable notes), newest first."""
    tagged = (select(NoteProductTag.note_id)
              .join(Product, Product.id == NoteProductTag.product_id)
              .where(Product.store_id == store_id))
    return newest_first(published_notes(market).where(Note.id.in_(tagged)), cursor, limit)


def _id_position(cursor: list[Any] | None) -> int | None:
    if cursor is None:
        return None
    if len(cursor) != 1 or not isinstance(cursor[0], int) or isinstance(cursor[0], bool):
        raise _bad_cursor()
    return cursor[0]


def author_feed(author: User, viewer: User | None, cursor: list[Any] | None, limit: int,
                *, market: str | None = None) -> FeedPage:
    """A profile's notes (with those co-authored), newest first; the author also sees their
    drafts (and held ones).
    """
    before = _id_position(cursor)
    stmt = select(Note).options(*note_loader_options()).where(or_(
        Note.author_id == author.id, Note.id.in_(coauthored_note_ids([author.id]))))
    if viewer is None or not getattr(viewer, "is_authenticated", False) \
            or viewer.id != author.id:
        stmt = stmt.where(Note.shown_clause(market))
    if before is not None:
        stmt = stmt.where(Note.id < before)
    notes = list(db.session.scalars(stmt.order_by(Note.id.desc()).limit(limit + 1)))
    if len(notes) <= limit:
        return FeedPage(notes, None)
    return FeedPage(notes[:limit], [notes[limit - 1].id])


def board_feed(board: Board, cursor: list[Any] | None, limit: int, *,
               market: str | None = None) -> FeedPage:
    """The notes collected in a board, most recently collected first."""
    before = _id_position(cursor)
    stmt = (select(BoardNote.id, Note).join(Note, Note.id == BoardNote.note_id)
            .options(*note_loader_options())
            .where(BoardNote.board_id == board.id, Note.shown_clause(market))
            .order_by(BoardNote.id.desc()).limit(limit + 1))
    if before is not None:
        stmt = stmt.where(BoardNote.id < before)
    rows = list(db.session.execute(stmt))
    notes = [row[1] for row in rows[:limit]]
    return FeedPage(notes, [rows[limit - 1][0]] if len(rows) > limit else None)
