"""Search notes, users, topics and products behind one interface.

Notes are found by substring, so Chinese without spaces and English word forms both work
(口红 finds 这支口红太好看了; "lipstick" finds "Lipsticks I love"):

- SQLite (the embedded default): an FTS5 table `fts_notes` with the trigram tokenizer
  over title, body and `search_grams`, kept in step with `notes` by triggers (see the
  "notes, feed and search" migration). Terms of three or more characters match title and
  body; one- and two-character Chinese/Japanese/Korean words, too short for trigrams,
  match `search_grams`, where every CJK character and pair is stored between spaces
  (app.models.notes.cjk_grams), so " 口红 " is an indexed trigram phrase. Ranked by BM25.
  One or two Latin letters fall back to LIKE (a scan).
- PostgreSQL: ILIKE on `title || ' ' || body` and LIKE '% 口红 %' on `search_grams`, both
  served by pg_trgm GIN indexes; titles add `word_similarity` to the rank.

Every query term must match (AND). The score is relevance plus a recency bonus taken
from the note's `hot_score` (one point per 30 days of publication time), so it does not
depend on "now" and the keyset cursor (score, id) stays stable between pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    Float,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    tuple_,
)
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Note, Product, Topic, User, shown_clause
from app.models.notes import CJK_RUN
from app.services.errors import ValidationFailed
from app.services.social.feed import _bad_cursor, _number
from app.services.social.notes import FRESHNESS_SECONDS, note_loader_options

SEARCH_TYPES = ("notes", "products", "users", "topics")
MAX_QUERY = 100
MAX_TERMS = 8
# hot_score rises by 1 every FRESHNESS_SECONDS; scaled so 30 days newer adds one point.
RECENCY_WEIGHT = FRESHNESS_SECONDS / (30 * 86400)
TITLE_WEIGHT = 5.0
TRIGRAM = 3
# The SQLite FTS5 index (a virtual table the migration creates; not an ORM model).
FTS_NOTES = table("fts_notes", column("rowid"), column("title"), column("body"))
# On PostgreSQL, the expression of the trgm_notes_text index (it must match exactly).
POSTGRESQL_TEXT = Note.title + literal_column("' '") + Note.body


@dataclass
class SearchPage:
    """Matching items (notes, users, topics or products) and the next cursor values."""

    kind: str
    items: list[Any]
    next_cursor: list[Any] | None


def query_terms(query: str) -> list[str]:
    """The distinct search terms of `query` (a leading # is ignored, so #口红 finds 口红)."""
    query = (query or "").strip()
    if not query:
        raise ValidationFailed(_("Type something to search for."), code="empty_query",
                               fields={"q": [_("Type something to search for.")]})
    if len(query) > MAX_QUERY:
        message = _("Use at most %(n)d characters.", n=MAX_QUERY)
        raise ValidationFailed(message, fields={"q": [message]})
    terms: dict[str, None] = {}
    for raw in query.split():
        term = raw.lstrip("#@").strip()
        if term:
            terms.setdefault(term.casefold(), None)
    if not terms:
        raise ValidationFailed(_("Type something to search for."), code="empty_query",
                               fields={"q": [_("Type something to search for.")]})
    return list(terms)[:MAX_TERMS]


def search(query: str, kind: str, cursor: list[Any] | None, limit: int, *,
           market: str | None = None) -> SearchPage:
    """One page of results of `kind` for `query`, best first."""
    if kind not in SEARCH_TYPES:
        raise ValidationFailed(_("Choose one of: %(v)s.", v=", ".join(SEARCH_TYPES)),
                               fields={"type": [_("Choose notes, products, users or topics.")]})
    terms = query_terms(query)
    if kind == "notes":
        return _search_notes(terms, cursor, limit, market)
    if kind == "users":
        return _search_users(terms, cursor, limit)
    if kind == "topics":
        return _search_topics(terms, cursor, limit)
    return _search_products(terms, cursor, limit, market)


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _score_position(cursor: list[Any] | None) -> tuple[float, int] | None:
    if cursor is None:
        return None
    if len(cursor) != 2 or not isinstance(cursor[1], int) or _number(cursor[0]) is None:
        raise _bad_cursor()
    return cursor[0], cursor[1]


# Notes ------------------------------------------------------------------------------------
def _search_notes(terms: list[str], cursor: list[Any] | None, limit: int,
                  market: str | None = None) -> SearchPage:
    position = _score_position(cursor)
    if db.engine.dialect.name == "sqlite":
        ranked = _ranked_notes_sqlite(terms, market)
    else:
        ranked = _ranked_notes_postgresql(terms, market)
    stmt = select(ranked.c.id, ranked.c.score)
    if position is not None:
        stmt = stmt.where(tuple_(ranked.c.score, ranked.c.id) < tuple_(*position))
    rows = list(db.session.execute(
        stmt.order_by(ranked.c.score.desc(), ranked.c.id.desc()).limit(limit + 1)))
    page = rows[:limit]
    notes_by_id = {n.id: n for n in db.session.scalars(
        select(Note).options(*note_loader_options())
        .where(Note.id.in_([row.id for row in page])))} if page else {}
    notes = [notes_by_id[row.id] for row in page if row.id in notes_by_id]
    next_cursor = [page[-1].score, page[-1].id] if len(rows) > limit else None
    return SearchPage("notes", notes, next_cursor)


def _title_bonus(terms: list[str], like) -> Any:
    return sum((case((like(Note.title, _like_pattern(t)), TITLE_WEIGHT), else_=0.0)
                for t in terms), literal(0.0))


def _is_short_cjk(term: str) -> bool:
    return len(term) < TRIGRAM and CJK_RUN.fullmatch(term) is not None


def _ranked_notes_sqlite(terms: list[str], market: str | None = None):
    def like(column, pattern):
        return column.like(pattern, escape="\\")

    phrases = []
    conditions = [Note.shown_clause(market)]
    for term in terms:
        quoted = term.replace('"', '""')
        if len(term) >= TRIGRAM:
            phrases.append(f'{{title body}} : "{quoted}"')
        elif _is_short_cjk(term):
            phrases.append(f'search_grams : " {quoted} "')
        else:  # one or two Latin letters: too short for any index, scanned with LIKE
            pattern = _like_pattern(term)
            conditions.append(or_(like(Note.title, pattern), like(Note.body, pattern)))
    recency = Note.hot_score * RECENCY_WEIGHT
    bonus = _title_bonus(terms, like)
    if not phrases:
        return select(Note.id.label("id"), (bonus + 1.0 + recency).label("score")) \
            .where(*conditions).subquery("ranked")
    # BM25 is lower for better matches; titles weigh TITLE_WEIGHT times the body.
    relevance = literal(0.0) - literal_column(
        f"bm25(fts_notes, {TITLE_WEIGHT}, 1.0, 1.0)", Float)
    return (select(Note.id.label("id"), (relevance + bonus + recency).label("score"))
            .join(FTS_NOTES, FTS_NOTES.c.rowid == Note.id)
            .where(literal_column("fts_notes").op("MATCH")(" AND ".join(phrases)),
                   *conditions)
            .subquery("ranked"))


def _ranked_notes_postgresql(terms: list[str], market: str | None = None):
    def like(column, pattern):
        return column.ilike(pattern, escape="\\")

    conditions = [Note.shown_clause(market)]
    for term in terms:
        if _is_short_cjk(term):  # " 口红 " in search_grams: an indexed trigram phrase
            conditions.append(Note.search_grams.like(f"% {term} %"))
        else:
            conditions.append(like(POSTGRESQL_TEXT, _like_pattern(term)))
    # Only titles are compared by similarity: word_similarity over long bodies costs more
    # than the search itself.
    similarity = func.word_similarity(" ".join(terms), Note.title) * TITLE_WEIGHT
    score = cast(similarity, Float) + _title_bonus(terms, like) + Note.hot_score * RECENCY_WEIGHT
    return select(Note.id.label("id"), score.label("score")).where(*conditions) \
        .subquery("ranked")


# Users, topics, products ------------------------------------------------------------------
def _rank_position(cursor: list[Any] | None) -> tuple[int, int] | None:
    if cursor is None:
        return None
    if len(cursor) != 2 or not all(isinstance(v, int) and not isinstance(v, bool)
                                   for v in cursor):
        raise _bad_cursor()
    return cursor[0], cursor[1]


def _search_users(terms: list[str], cursor: list[Any] | None, limit: int) -> SearchPage:
    """Users whose display name contains every term; names starting with the query first."""
    name = func.lower(User.display_name)
    rank = case((name.like(_like_pattern(terms[0])[1:], escape="\\"), 0), else_=1)
    stmt = select(User, rank.label("rank")).where(
        User.is_active_account.is_(True),
        *[name.like(_like_pattern(t), escape="\\") for t in terms])
    position = _rank_position(cursor)
    if position is not None:
        stmt = stmt.where(tuple_(rank, User.id) > tuple_(*position))
    rows = list(db.session.execute(stmt.order_by(rank, User.id).limit(limit + 1)))
    page = rows[:limit]
    next_cursor = [page[-1].rank, page[-1][0].id] if len(rows) > limit else None
    return SearchPage("users", [row[0] for row in page], next_cursor)


def _search_topics(terms: list[str], cursor: list[Any] | None, limit: int) -> SearchPage:
    """Topics containing every term, the most used first."""
    stmt = select(Topic).where(*[Topic.name.like(_like_pattern(t), escape="\\") for t in terms],
                               Topic.note_count > 0)
    position = _rank_position(cursor)
    if position is not None:
        # Descending note_count, then ascending id: negate the count for one tuple order.
        stmt = stmt.where(tuple_(-Topic.note_count, Topic.id) > tuple_(-position[0],
                                                                        position[1]))
    topics = list(db.session.scalars(stmt.order_by(Topic.note_count.desc(), Topic.id)
                                     .limit(limit + 1)))
    page = topics[:limit]
    next_cursor = [page[-1].note_count, page[-1].id] if len(topics) > limit else None
    return SearchPage("topics", page, next_cursor)


def _search_products(terms: list[str], cursor: list[Any] | None, limit: int,
                     market: str | None = None) -> SearchPage:
    """Active products whose title (in any language) contains every term, newest first."""
    conditions = [Product.status == "active", shown_clause(Product, market)]
    for term in terms:
        pattern = _like_pattern(term)
        conditions.append(or_(*[func.lower(column).like(pattern, escape="\\")
                                for column in (Product.title, Product.title_en,
                                               Product.title_zh)]))
    before = None
    if cursor is not None:
        if len(cursor) != 1 or not isinstance(cursor[0], int) or isinstance(cursor[0], bool):
            raise _bad_cursor()
        before = cursor[0]
    stmt = select(Product).options(selectinload(Product.images)).where(*conditions)
    if before is not None:
        stmt = stmt.where(Product.id < before)
    products = list(db.session.scalars(stmt.order_by(Product.id.desc()).limit(limit + 1)))
    page = products[:limit]
    return SearchPage("products", page, [page[-1].id] if len(products) > limit else None)
