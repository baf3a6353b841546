"""Questions across the border: a note asks China or abroad, its comments are the answers.

A note with `question_to` set is a question; its top-level comments are its answers (replies
stay a conversation under an answer). An answer is "from" China or abroad by the rule
Discover uses for notes (app.services.social.feed.side_clause), applied to the answer's
language and its author's home country. Answers from the side the question asks come first,
after the one best answer the asker may pick; a partial unique index keeps that one even
when two picks race.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import SHOWN_STATES, Comment, Note, User, shown_clause
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.social.engagement import published_note, replies_of
from app.services.social.feed import InvalidCursor, side_clause
from app.services.social.notifications import notify


@dataclass
class Answer:
    """A top-level comment on a question, its replies, and where it stands."""

    comment: Comment
    replies: list[Comment]
    side: str
    # Written from the side the question is addressed to.
    is_from_addressed_side: bool


@dataclass
class AnswerPage:
    """Answers in rank order and the cursor of the next page (None: this is the last)."""

    answers: list[Answer]
    next_cursor: list[Any] | None


def _answer_side():
    """SQL: "china" or "abroad" for a comment joined with its author."""
    return case((side_clause("china", Comment.language, User.home_country), "china"),
                else_="abroad")


def _rank(question_to: str):
    """SQL: 0 for the best answer, 1 for answers from the addressed side, 2 for the rest."""
    return case((Comment.is_best_answer, 0),
                (side_clause(question_to, Comment.language, User.home_country), 1), else_=2)


def _position(cursor: list[Any] | None) -> tuple[int, int, int] | None:
    if cursor is None:
        return None
    if len(cursor) != 3 or not all(isinstance(v, int) and not isinstance(v, bool)
                                   for v in cursor):
        raise InvalidCursor(_("The cursor is not valid; start again without it."),
                            fields={"cursor": [_("Start again without a cursor.")]})
    return cursor[0], cursor[1], cursor[2]


def answers(note: Note, cursor: list[Any] | None = None, limit: int = 50, *,
            market: str | None = None) -> AnswerPage:
    """A page of a question's answers, best first, then the addressed side's, then the
    others; by likes, then oldest first, within each. Two queries.
    """
    if note.question_to is None:
        raise ValidationFailed(_("This note is not a question."), code="not_a_question")
    rank = _rank(note.question_to)
    stmt = (select(Comment, rank.label("rank"), _answer_side().label("side"))
            .join(User, User.id == Comment.author_id)
            .options(selectinload(Comment.author))
            .where(Comment.note_id == note.id, Comment.parent_id.is_(None),
                   shown_clause(Comment, market))
            .order_by(rank, Comment.like_count.desc(), Comment.id).limit(limit + 1))
    at = _position(cursor)
    if at is not None:
        stmt = stmt.where(tuple_(rank, -Comment.like_count, Comment.id) > tuple_(
            at[0], -at[1], at[2]))
    rows = list(db.session.execute(stmt))
    page = rows[:limit]
    replies = replies_of([row.Comment for row in page], market)
    found = [Answer(row.Comment, replies[row.Comment.id], row.side,
                    row.side == note.question_to) for row in page]
    last = page[-1] if len(rows) > limit else None
    return AnswerPage(found, [last.rank, last.Comment.like_count, last.Comment.id]
                      if last is not None else None)


def choose_best_answer(asker: User, note_id: int, comment_id: int) -> Comment:
    """The asker marks one answer best; a question has one best answer, chosen once."""
    note = published_note(note_id)
    if note.question_to is None:
        raise ValidationFailed(_("This note is not a question."), code="not_a_question")
    if asker is None or not getattr(asker, "is_authenticated", False) \
            or asker.id != note.author_id:
        raise Forbidden(_("Only the person who asked can pick the best answer."),
                        code="not_question_author")
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.note_id != note.id or comment.parent_id is not None \
            or comment.moderation_state not in SHOWN_STATES:
        raise NotFound(_("No such answer to this question."), code="comment_not_found",
                       fields={"comment_id": [_("No such answer to this question.")]})
    if comment.author_id == asker.id:
        message = _("Pick an answer someone else wrote.")
        raise ValidationFailed(message, code="own_answer", fields={"comment_id": [message]})
    already = _("You already picked a best answer to this question.")
    if comment.is_best_answer or db.session.scalar(
            select(Comment.id).where(Comment.note_id == note.id, Comment.is_best_answer)):
        raise Conflict(already, code="best_answer_already_chosen")
    try:
        with db.session.begin_nested():
            db.session.execute(update(Comment).where(Comment.id == comment.id)
                               .values(is_best_answer=True),
                               execution_options={"synchronize_session": False})
    except IntegrityError:  # another pick got there first
        raise Conflict(already, code="best_answer_already_chosen") from None
    db.session.expire(comment, ["is_best_answer"])
    notify(comment.author, asker, "bestanswer", note_id=note.id, comment_id=comment.id)
    return comment


def answer_side(comment: Comment) -> str:
    """Which side of the border one answer is from (the rule `answers` ranks by)."""
    return db.session.scalar(select(_answer_side()).select_from(Comment)
                             .join(User, User.id == Comment.author_id)
                             .where(Comment.id == comment.id))
