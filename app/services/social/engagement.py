"""Likes, boards (collections), comments, comment likes, follows and reports.

Counters move only through `_bump`, a single `UPDATE ... SET n = n + :delta` statement,
and only after the row that justifies the change was inserted (or deleted) for real: a
duplicate like hits the unique constraint inside a savepoint and changes nothing. So
concurrent likes on PostgreSQL and SQLite alike leave `like_count` equal to the number of
like rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.core.transaction import screen_after_commit
from app.extensions import db
from app.models import (
    REPORT_REASONS,
    REPORT_TARGETS,
    SHOWN_STATES,
    Board,
    BoardNote,
    Comment,
    CommentLike,
    Follow,
    Note,
    NoteLike,
    Product,
    Report,
    User,
    shown_clause,
)
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.social import interests
from app.services.social.abuse import check_posting_allowed
from app.services.social.age_gate import require_age_confirmation
from app.services.social.language import detect_language
from app.services.social.mentions import announce_comment
from app.services.social.notes import refresh_hot_score
from app.services.social.notifications import notify

MAX_COMMENT = 1000
MAX_BOARD_NAME = 60
MAX_BOARDS = 100
MAX_REPORT_DETAILS = 1000
DEFAULT_BOARD_NAME = "Saved"


def _bump(model, column: str, row_id: int, delta: int) -> None:
    """Atomically add `delta` to a counter column of one row."""
    counter = getattr(model, column)
    db.session.execute(update(model).where(model.id == row_id).values({column: counter + delta}),
                       execution_options={"synchronize_session": False})


def _insert_once(row) -> bool:
    """Insert `row` in a savepoint; False when a unique constraint says it exists."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


def _require_user(user: User | None) -> User:
    if user is None or not getattr(user, "is_authenticated", False):
        raise Forbidden(_("Log in first."), code="login_required")
    return user


def published_note(note_id: int) -> Note:
    """A published note, or NotFound."""
    note = db.session.get(Note, note_id)
    if note is None or not note.is_published:
        raise NotFound(_("No such note."), code="note_not_found")
    return note


def viewable_note(viewer: User | None, note_id: int, *, confirmed_in_session: bool = False
                  ) -> Note:
    """A published note past its age gate for `viewer` (NotFound, or 403)."""
    note = published_note(note_id)
    require_age_confirmation(viewer, note, confirmed_in_session=confirmed_in_session)
    return note


def _reload_counters(note: Note) -> Note:
    db.session.expire(note, ["like_count", "collect_count", "comment_count", "hot_score"])
    return note


# Likes ------------------------------------------------------------------------------------
def like_note(user: User, note_id: int) -> Note:
    """Like a note (liking twice changes nothing); the author is notified."""
    _require_user(user)
    note = viewable_note(user, note_id)
    if _insert_once(NoteLike(user_id=user.id, note_id=note.id)):
        _bump(Note, "like_count", note.id, +1)
        refresh_hot_score(note.id)
        notify(note.author, user, "like", note_id=note.id)
        interests.record_note_signal(user, note, interests.LIKE)
    return _reload_counters(note)


def unlike_note(user: User, note_id: int) -> Note:
    """Take a like back (no-op when there was none)."""
    _require_user(user)
    note = published_note(note_id)
    removed = db.session.execute(delete(NoteLike).where(
        NoteLike.user_id == user.id, NoteLike.note_id == note.id)).rowcount
    if removed:
        _bump(Note, "like_count", note.id, -removed)
        refresh_hot_score(note.id)
        interests.record_note_signal(user, note, -interests.LIKE)
    return _reload_counters(note)


def liked_note_ids(user: User | None, note_ids: list[int]) -> set[int]:
    """Which of `note_ids` the user likes (one query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not note_ids:
        return set()
    return set(db.session.scalars(select(NoteLike.note_id).where(
        NoteLike.user_id == user.id, NoteLike.note_id.in_(note_ids))))


# Boards and collecting --------------------------------------------------------------------
def create_board(owner: User, name: str, *, is_private: bool = True) -> Board:
    """A new named board; names are unique per owner."""
    _require_user(owner)
    name = _board_name(name)
    count = db.session.scalar(select(func.count(Board.id)).where(Board.owner_id == owner.id))
    if count >= MAX_BOARDS:
        raise ValidationFailed(_("You have %(n)d boards already.", n=MAX_BOARDS),
                               code="too_many_boards", fields={"name": [_("Too many boards.")]})
    board = Board(owner_id=owner.id, name=name, is_private=is_private)
    if not _insert_once(board):
        raise Conflict(_("You already have a board called %(name)s.", name=name),
                       code="board_name_taken",
                       fields={"name": [_("You already have a board with this name.")]})
    return board


def update_board(owner: User, board_id: int, *, name: str | None = None,
                 is_private: bool | None = None) -> Board:
    """Rename a board or change who can see it."""
    board = own_board(owner, board_id)
    if name is not None:
        name = _board_name(name)
        try:
            # The new name is set inside the savepoint: begin_nested() flushes pending
            # changes first, outside it, where a clash would poison the whole transaction.
            with db.session.begin_nested():
                board.name = name
        except IntegrityError:
            raise Conflict(_("You already have a board with this name."),
                           code="board_name_taken",
                           fields={"name": [_("You already have a board with this name.")]}
                           ) from None
    if is_private is not None:
        board.is_private = is_private
    db.session.flush()
    return board


def delete_board(owner: User, board_id: int) -> None:
    """Delete a board; its notes lose one collect each."""
    board = own_board(owner, board_id)
    in_board = select(BoardNote.note_id).where(BoardNote.board_id == board.id)
    db.session.execute(update(Note).where(Note.id.in_(in_board))
                       .values(collect_count=Note.collect_count - 1),
                       execution_options={"synchronize_session": False})
    db.session.delete(board)
    db.session.flush()


def _board_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Name the board."), fields={"name": [_("Name the board.")]})
    if len(name) > MAX_BOARD_NAME:
        message = _("Use at most %(n)d characters.", n=MAX_BOARD_NAME)
        raise ValidationFailed(message, fields={"name": [message]})
    return name


def own_board(owner: User, board_id: int) -> Board:
    """One of the owner's boards, or NotFound."""
    board = db.session.get(Board, board_id)
    if board is None or owner is None or board.owner_id != getattr(owner, "id", None):
        raise NotFound(_("No such board."), code="board_not_found")
    return board


def visible_board(viewer: User | None, board_id: int) -> Board:
    """A public board, or the viewer's own private one; else NotFound."""
    board = db.session.get(Board, board_id)
    is_owner = viewer is not None and getattr(viewer, "is_authenticated", False) \
        and board is not None and board.owner_id == viewer.id
    if board is None or (board.is_private and not is_owner):
        raise NotFound(_("No such board."), code="board_not_found")
    return board


def boards_of(owner: User, viewer: User | None) -> list[Board]:
    """The owner's boards that `viewer` may see, by name."""
    stmt = select(Board).where(Board.owner_id == owner.id).order_by(Board.name, Board.id)
    if viewer is None or not getattr(viewer, "is_authenticated", False) \
            or viewer.id != owner.id:
        stmt = stmt.where(Board.is_private.is_(False))
    return list(db.session.scalars(stmt))


def default_board(owner: User) -> Board:
    """The owner's private "Saved" board, created on first use."""
    board = db.session.scalar(select(Board).where(Board.owner_id == owner.id,
                                                  Board.name == DEFAULT_BOARD_NAME))
    if board is None:
        board = Board(owner_id=owner.id, name=DEFAULT_BOARD_NAME, is_private=True)
        if not _insert_once(board):
            board = db.session.scalar(select(Board).where(Board.owner_id == owner.id,
                                                          Board.name == DEFAULT_BOARD_NAME))
    return board


def collect_note(user: User, note_id: int, board_id: int | None = None) -> Board:
    """Save a note into one of the user's boards (the default "Saved" board if none given)."""
    _require_user(user)
    note = viewable_note(user, note_id)
    board = own_board(user, board_id) if board_id is not None else default_board(user)
    if _insert_once(BoardNote(board_id=board.id, note_id=note.id)):
        _bump(Board, "note_count", board.id, +1)
        _bump(Note, "collect_count", note.id, +1)
        refresh_hot_score(note.id)
        interests.record_note_signal(user, note, interests.COLLECT)
    _reload_counters(note)
    db.session.expire(board, ["note_count"])
    return board


def uncollect_note(user: User, note_id: int, board_id: int | None = None) -> Note:
    """Remove a note from one board, or from all of the user's boards."""
    _require_user(user)
    note = published_note(note_id)
    boards = [own_board(user, board_id).id] if board_id is not None else list(
        db.session.scalars(select(Board.id).where(Board.owner_id == user.id)))
    removed_from = list(db.session.scalars(
        delete(BoardNote).where(BoardNote.note_id == note.id, BoardNote.board_id.in_(boards))
        .returning(BoardNote.board_id))) if boards else []
    for removed_board in removed_from:
        _bump(Board, "note_count", removed_board, -1)
    if removed_from:
        _bump(Note, "collect_count", note.id, -len(removed_from))
        refresh_hot_score(note.id)
        interests.record_note_signal(user, note, -interests.COLLECT * len(removed_from))
    return _reload_counters(note)


def collected_note_ids(user: User | None, note_ids: list[int]) -> set[int]:
    """Which of `note_ids` are in any of the user's boards (one query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not note_ids:
        return set()
    return set(db.session.scalars(
        select(BoardNote.note_id).join(Board, Board.id == BoardNote.board_id)
        .where(Board.owner_id == user.id, BoardNote.note_id.in_(note_ids))))


# Comments ---------------------------------------------------------------------------------
def add_comment(user: User, note_id: int, body: str, *, parent_id: int | None = None
                ) -> Comment:
    """Comment on a note, or reply to a comment (replies stay one level deep)."""
    _require_user(user)
    note = viewable_note(user, note_id)
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write something first."),
                               fields={"body": [_("Write something first.")]})
    if len(body) > MAX_COMMENT:
        message = _("Use at most %(n)d characters.", n=MAX_COMMENT)
        raise ValidationFailed(message, fields={"body": [message]})
    check_posting_allowed(user, body)
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.note_id != note.id:
            raise NotFound(_("No such comment."), code="comment_not_found",
                           fields={"parent_id": [_("No such comment on this note.")]})
        if parent.parent_id is not None:
            parent = parent.parent
    comment = Comment(note_id=note.id, author_id=user.id, body=body,
                      parent_id=parent.id if parent else None, language=detect_language(body))
    db.session.add(comment)
    db.session.flush()
    screen_after_commit("comment", comment)
    _bump(Note, "comment_count", note.id, +1)
    refresh_hot_score(note.id)
    interests.record_note_signal(user, note, interests.COMMENT)
    announce_comment(comment)  # after screen_after_commit: a pending one tells no one yet
    _reload_counters(note)
    return comment


def delete_comment(user: User, comment_id: int) -> None:
    """Delete a comment (its author or the note's author may); its replies go with it."""
    _require_user(user)
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(_("No such comment."), code="comment_not_found")
    note = comment.note
    if user.id not in (comment.author_id, note.author_id):
        raise Forbidden(_("Only the comment's author or the note's author can delete it."),
                        code="not_comment_author")
    replies = db.session.scalar(select(func.count(Comment.id))
                                .where(Comment.parent_id == comment.id)) or 0
    db.session.delete(comment)
    db.session.flush()
    _bump(Note, "comment_count", note.id, -(1 + replies))
    refresh_hot_score(note.id)
    _reload_counters(note)


@dataclass
class CommentThread:
    """A top-level comment with its replies, oldest first."""

    comment: Comment
    replies: list[Comment]


def _comments_shown(market: str | None, viewer_id: int | None):
    """Comments moderation lets the viewer see: shown ones, and their own still waiting for
    screening (see screen_after_commit).
    """
    shown = shown_clause(Comment, market)
    if viewer_id is None:
        return shown
    return or_(shown, and_(Comment.author_id == viewer_id,
                           Comment.moderation_state == "pending"))


def comment_threads(note: Note, *, after_id: int | None = None, limit: int = 20,
                    market: str | None = None, viewer_id: int | None = None
                    ) -> tuple[list[CommentThread], bool]:
    """A page of top-level comments (oldest first) with all their replies; two queries.

    Comments held or removed by moderation, or hidden in the viewer's `market`, are left
    out; the viewer's own comments waiting for screening are in.
    """
    stmt = (select(Comment).options(selectinload(Comment.author))
            .where(Comment.note_id == note.id, Comment.parent_id.is_(None),
                   _comments_shown(market, viewer_id))
            .order_by(Comment.id).limit(limit + 1))
    if after_id is not None:
        stmt = stmt.where(Comment.id > after_id)
    top = list(db.session.scalars(stmt))
    has_more = len(top) > limit
    top = top[:limit]
    replies = replies_of(top, market, viewer_id)
    return [CommentThread(c, replies[c.id]) for c in top], has_more


def replies_of(top: list[Comment], market: str | None = None,
               viewer_id: int | None = None) -> dict[int, list[Comment]]:
    """The shown replies of each of these top-level comments, oldest first (one query)."""
    replies: dict[int, list[Comment]] = {c.id: [] for c in top}
    if top:
        for reply in db.session.scalars(
                select(Comment).options(selectinload(Comment.author))
                .where(Comment.parent_id.in_(list(replies)),
                       _comments_shown(market, viewer_id)).order_by(Comment.id)):
            replies[reply.parent_id].append(reply)
    return replies


def like_comment(user: User, comment_id: int) -> Comment:
    """Like a comment (twice changes nothing)."""
    _require_user(user)
    comment = _visible_comment(comment_id)
    require_age_confirmation(user, comment.note)
    if _insert_once(CommentLike(user_id=user.id, comment_id=comment.id)):
        _bump(Comment, "like_count", comment.id, +1)
    db.session.expire(comment, ["like_count"])
    return comment


def unlike_comment(user: User, comment_id: int) -> Comment:
    """Take back a comment like."""
    _require_user(user)
    comment = _visible_comment(comment_id)
    removed = db.session.execute(delete(CommentLike).where(
        CommentLike.user_id == user.id, CommentLike.comment_id == comment.id)).rowcount
    if removed:
        _bump(Comment, "like_count", comment.id, -removed)
    db.session.expire(comment, ["like_count"])
    return comment


def liked_comment_ids(user: User | None, comment_ids: list[int]) -> set[int]:
    """Which of `comment_ids` the user likes (one query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not comment_ids:
        return set()
    return set(db.session.scalars(select(CommentLike.comment_id).where(
        CommentLike.user_id == user.id, CommentLike.comment_id.in_(comment_ids))))


def _visible_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or not comment.note.is_published \
            or comment.moderation_state not in SHOWN_STATES:
        raise NotFound(_("No such comment."), code="comment_not_found")
    return comment


# Follows ----------------------------------------------------------------------------------
def follow_user(follower: User, followee_id: int) -> User:
    """Follow someone (twice changes nothing); they are notified."""
    _require_user(follower)
    followee = active_user(followee_id)
    if followee.id == follower.id:
        raise ValidationFailed(_("You cannot follow yourself."), code="cannot_follow_self")
    if _insert_once(Follow(follower_id=follower.id, followee_id=followee.id)):
        notify(followee, follower, "follow")
        interests.record_follow_signal(follower, followee.id, interests.FOLLOW)
    return followee


def unfollow_user(follower: User, followee_id: int) -> User:
    """Stop following someone (no-op when not following)."""
    _require_user(follower)
    followee = active_user(followee_id)
    if db.session.execute(delete(Follow).where(Follow.follower_id == follower.id,
                                               Follow.followee_id == followee.id)).rowcount:
        interests.record_follow_signal(follower, followee.id, -interests.FOLLOW)
    return followee


def is_following(follower: User | None, followee_id: int) -> bool:
    """Whether `follower` follows the user."""
    if follower is None or not getattr(follower, "is_authenticated", False):
        return False
    return db.session.scalar(select(Follow.id).where(
        Follow.follower_id == follower.id, Follow.followee_id == followee_id)) is not None


def follow_counts(user_id: int) -> tuple[int, int]:
    """(followers, following) of a user."""
    followers = db.session.scalar(select(func.count(Follow.id))
                                  .where(Follow.followee_id == user_id)) or 0
    following = db.session.scalar(select(func.count(Follow.id))
                                  .where(Follow.follower_id == user_id)) or 0
    return followers, following


def active_user(user_id: int) -> User:
    """An active account, or NotFound."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active_account or user.moderation_state == "removed":
        raise NotFound(_("No such user."), code="user_not_found")
    return user


# Reports ----------------------------------------------------------------------------------
def report(reporter: User, target_type: str, target_id: int, reason: str,
           details: str = "") -> Report:
    """Report a note, comment, user or product (once per reporter and target).

    The moderation domain puts the report in front of a moderator (its `report_content`
    calls this, then opens or joins the item's case).
    """
    _require_user(reporter)
    errors: dict[str, list[str]] = {}
    if target_type not in REPORT_TARGETS:
        errors["target_type"] = [_("Choose one of: %(v)s.", v=", ".join(REPORT_TARGETS))]
    if reason not in REPORT_REASONS:
        errors["reason"] = [_("Choose one of: %(v)s.", v=", ".join(REPORT_REASONS))]
    details = (details or "").strip()
    if len(details) > MAX_REPORT_DETAILS:
        errors["details"] = [_("Use at most %(n)d characters.", n=MAX_REPORT_DETAILS)]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    if target_type == "note":
        published_note(target_id)
    elif target_type == "comment":
        _visible_comment(target_id)
    elif target_type == "product":
        product = db.session.get(Product, target_id)
        if product is None or product.status != "active" \
                or product.moderation_state not in SHOWN_STATES:
            raise NotFound(_("No such product."), code="product_not_found")
    else:
        active_user(target_id)
    entry = Report(reporter_id=reporter.id, target_type=target_type, target_id=target_id,
                   reason=reason, details=details)
    if not _insert_once(entry):
        raise Conflict(_("You have already reported this."), code="already_reported")
    return entry
