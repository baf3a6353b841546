"""Co-created notes: invite a co-author, answer, write one's part, agree, leave.

The author starts from a draft and invites one creator (usually from the other side of the
border). The co-author accepts or declines; once in, they add their own images and text in
their language. The draft goes out only when both have agreed to the version in front of
them (a change by either asks both again). An invitation left unanswered expires after
INVITATION_DAYS; the draft stays private to its author. A co-author who leaves a published
note stops being credited and the note stays with its author, who is told; one who leaves a
draft takes their images and text with them, since they never agreed to publish them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.core.transaction import screen_after_commit
from app.extensions import db
from app.models import Note, NoteCoauthor, NoteImage, User, utcnow
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.fields import MAX_ID
from app.services.social.abuse import check_posting_allowed
from app.services.social.language import detect_language
from app.services.social.mentions import announce_note
from app.services.social.notes import (
    MAX_BODY,
    MAX_IMAGES,
    MAX_TITLE,
    ImageUpload,
    _delete_media_after_commit,
    _store_images,
    get_note,
    get_own_note,
    hot_score,
    require_can_post,
)
from app.services.social.notifications import notify
from app.services.social.topic_counts import adjust_topic_counts, counted_state

INVITATION_DAYS = 14


def _link_of(note: Note) -> NoteCoauthor | None:
    return note.coauthorship


def _not_invited() -> NotFound:
    return NotFound(_("You have no invitation to co-author this note."),
                    code="coauthor_invitation_not_found")


def get_coauthorship(viewer: User, note_id: int) -> NoteCoauthor:
    """The note's co-authoring, for its author or its co-author; anyone else: NotFound."""
    note = get_note(viewer, note_id)
    link = _link_of(note)
    if link is None or viewer.id not in (note.author_id, link.coauthor_id):
        raise NotFound(_("This note has no co-author."), code="coauthor_not_found")
    return link


def invite_coauthor(author: User, note_id: int, coauthor_id: object, *,
                    now: datetime | None = None) -> NoteCoauthor:
    """Invite a creator to co-author the author's draft; they are told at once."""
    require_can_post(author)
    note = get_own_note(author, note_id)
    if note.status != "draft":
        raise Conflict(_("Invite a co-author while the note is still a draft."),
                       code="note_not_draft")
    coauthor = _invitee(coauthor_id)
    if coauthor.id == author.id:
        message = _("Invite someone other than yourself.")
        raise ValidationFailed(message, code="invalid_coauthor", fields={"coauthor": [message]})
    link = _link_of(note)
    if link is not None and link.is_open:
        raise Conflict(_("This note already has a co-author. Withdraw that invitation "
                         "first."), code="coauthor_already_invited")
    now = now or utcnow()
    if link is None:
        link = NoteCoauthor(note=note)
        db.session.add(link)
    link.coauthor_id, link.coauthor = coauthor.id, coauthor
    link.status, link.title, link.body, link.language = "invited", "", "", None
    link.invited_at, link.expires_at = now, now + timedelta(days=INVITATION_DAYS)
    link.responded_at = link.author_agreed_at = link.coauthor_agreed_at = link.left_at = None
    db.session.flush()
    notify(coauthor, author, "co_invite", note_id=note.id)
    return link


def _invitee(coauthor_id: object) -> User:
    user = None
    if isinstance(coauthor_id, int) and not isinstance(coauthor_id, bool) \
            and 1 <= coauthor_id <= MAX_ID:
        user = db.session.get(User, coauthor_id)
    if user is None or not user.is_active_account:
        message = _("No such creator.")
        raise ValidationFailed(message, code="invalid_coauthor", fields={"coauthor": [message]})
    return user


def find_creator(handle: str) -> User | None:
    """The active user whose @handle (display name without spaces, any case) is `handle`."""
    squashed = "".join((handle or "").lstrip("@").split()).casefold()
    if not squashed:
        return None
    return db.session.scalar(select(User).where(
        func.lower(func.replace(User.display_name, " ", "")) == squashed,
        User.is_active_account.is_(True)).order_by(User.id).limit(1))


def _own_invitation(coauthor: User, note_id: int) -> tuple[Note, NoteCoauthor]:
    note = get_note(coauthor, note_id)
    link = _link_of(note)
    if link is None or link.coauthor_id != coauthor.id or not link.is_open:
        raise _not_invited()
    return note, link


def respond_to_invitation(coauthor: User, note_id: int, *, accept: bool,
                          now: datetime | None = None) -> NoteCoauthor:
    """Accept or decline an invitation to co-author; the author is told either way."""
    now = now or utcnow()
    note, link = _own_invitation(coauthor, note_id)
    if link.status != "invited":
        raise Conflict(_("You already accepted this invitation."),
                       code="coauthor_already_accepted")
    if link.expires_at <= now:
        raise Conflict(_("This invitation expired; ask the author to invite you again."),
                       code="coauthor_invitation_expired")
    if accept:
        require_can_post(coauthor)
    link.status = "accepted" if accept else "declined"
    link.responded_at = now
    db.session.flush()
    notify(note.author, coauthor, "co_accept" if accept else "co_decline", note_id=note.id)
    return link


def update_contribution(coauthor: User, note_id: int, *, title: str | None = None,
                        body: str | None = None,
                        images: list[ImageUpload] | None = None) -> NoteCoauthor:
    """The co-author's own title, text and images; new `images` replace their old ones."""
    require_can_post(coauthor)
    note, link = _own_invitation(coauthor, note_id)
    if link.status != "accepted":
        raise Conflict(_("Accept the invitation before adding to the note."),
                       code="coauthor_not_accepted")
    new_title = (title if title is not None else link.title).strip()
    new_body = (body if body is not None else link.body).strip()
    errors: dict[str, list[str]] = {}
    if len(new_title) > MAX_TITLE:
        errors["title"] = [_("Use at most %(n)d characters.", n=MAX_TITLE)]
    if len(new_body) > MAX_BODY:
        errors["body"] = [_("Use at most %(n)d characters.", n=MAX_BODY)]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    check_posting_allowed(coauthor, f"{new_title}\n{new_body}",
                          previous=f"{link.title}\n{link.body}")
    if images is not None:
        _replace_images(note, coauthor, images)
    link.title, link.body = new_title, new_body
    link.language = detect_language(f"{new_title}\n{new_body}")
    if note.status == "draft":
        link.author_agreed_at = link.coauthor_agreed_at = None
    else:
        screen_after_commit("note", note)
    db.session.flush()
    return link


def _replace_images(note: Note, coauthor: User, uploads: list[ImageUpload]) -> None:
    """Put the co-author's new images after the author's, in place of their old ones."""
    own = [image for image in note.images if image.contributor_id == coauthor.id]
    others = [image for image in note.images if image.contributor_id != coauthor.id]
    room = MAX_IMAGES - len(others)
    if len(uploads) > room:
        message = _("The note has room for %(n)d more images.", n=room)
        raise ValidationFailed(message, code="image_count", fields={"images": [message]})
    own_positions = {image.position for image in own}
    if any(tag.image_position in own_positions for tag in note.product_tags):
        message = _("The author pinned products on your images; ask them to remove those "
                    "tags before you replace the images.")
        raise ValidationFailed(message, code="coauthor_images", fields={"images": [message]})
    stored = _store_images(coauthor, uploads, cover_index=-1) if uploads else []
    old_keys = [key for image in own for key in image.keys.values()]
    for image in own:
        note.images.remove(image)
    db.session.flush()  # frees the (note_id, position) pairs
    first_free = max((image.position for image in others), default=-1) + 1
    for offset, image in enumerate(stored):
        image.position, image.contributor_id = first_free + offset, coauthor.id
        note.images.append(image)
    _delete_media_after_commit(old_keys)


def agree_to_publish(actor: User, note_id: int, *, now: datetime | None = None
                     ) -> NoteCoauthor:
    """Record that the author or co-author agrees to publish the draft as it is; with both
    agreements it is published. The other one is told.
    """
    now = now or utcnow()
    require_can_post(actor)
    note = get_note(actor, note_id)
    link = _link_of(note)
    is_author = actor.id == note.author_id
    if link is None or not link.is_open or (not is_author and link.coauthor_id != actor.id):
        raise _not_invited()
    if note.status != "draft":
        raise Conflict(_("This note is already published."), code="note_not_draft")
    if link.status != "accepted":
        raise Conflict(_("The co-author has not accepted the invitation yet."),
                       code="coauthor_not_accepted")
    check_posting_allowed(actor, "")
    if is_author:
        link.author_agreed_at = now
    else:
        link.coauthor_agreed_at = now
    other = link.coauthor if is_author else note.author
    if link.author_agreed_at is not None and link.coauthor_agreed_at is not None:
        counted_before = counted_state(note)
        note.publish()
        note.hot_score = hot_score(note.like_count, note.collect_count, note.comment_count,
                                   note.published_at)
        adjust_topic_counts(counted_before, note)
        screen_after_commit("note", note)
        announce_note(note)
    db.session.flush()
    notify(other, actor, "co_agree", note_id=note.id)
    return link


def leave_note(actor: User, note_id: int, *, now: datetime | None = None) -> NoteCoauthor:
    """End the co-authoring: the co-author leaves, or the author withdraws the invitation.

    After publication only the co-author can leave: the note stays, credited to its author
    alone. Before it, whoever ends it takes the co-author's images and text off the draft.
    """
    now = now or utcnow()
    note = get_note(actor, note_id)
    link = _link_of(note)
    if link is None or not link.is_open:
        raise NotFound(_("This note has no co-author."), code="coauthor_not_found")
    if actor.id == link.coauthor_id:
        link.status = "left" if link.status == "accepted" else "declined"
        kind, recipient = ("co_leave" if link.status == "left" else "co_decline"), note.author
    elif actor.id == note.author_id:
        if note.status != "draft":
            raise Forbidden(_("Once the note is published only the co-author can remove "
                              "themselves."), code="coauthor_published")
        link.status, kind, recipient = "withdrawn", "co_cancel", link.coauthor
    else:
        raise NotFound(_("This note has no co-author."), code="coauthor_not_found")
    link.left_at = now
    link.author_agreed_at = link.coauthor_agreed_at = None
    if note.status == "draft":
        _drop_contribution(note, link)
    db.session.flush()
    notify(recipient, actor, kind, note_id=note.id)
    return link


def _drop_contribution(note: Note, link: NoteCoauthor) -> None:
    """Take the co-author's images (and any product tags on them) and text off a draft."""
    theirs = [image for image in note.images if image.contributor_id == link.coauthor_id]
    if theirs:
        gone = {image.position for image in theirs}
        for tag in [t for t in note.product_tags if t.image_position in gone]:
            note.product_tags.remove(tag)
        keys = [key for image in theirs for key in image.keys.values()]
        for image in theirs:
            note.images.remove(image)
        db.session.flush()
        _renumber(note.images)
        _delete_media_after_commit(keys)
    link.title, link.body, link.language = "", "", None


def _renumber(images: list[NoteImage]) -> None:
    """Close the gaps left by removed images, keeping tags on the images they were on."""
    note = images[0].note if images else None
    moves = {image.position: number for number, image in enumerate(images)
             if image.position != number}
    if note is None or not moves:
        return
    for image in images:
        image.position = moves.get(image.position, image.position)
        db.session.flush()
    for tag in note.product_tags:
        tag.image_position = moves.get(tag.image_position, tag.image_position)


def expire_invitations(*, now: datetime | None = None) -> int:
    """Expire invitations not accepted in time and tell each author (the periodic job)."""
    now = now or utcnow()
    due = list(db.session.scalars(
        select(NoteCoauthor).where(NoteCoauthor.status == "invited",
                                   NoteCoauthor.expires_at <= now)
        .order_by(NoteCoauthor.id).limit(500)))
    for link in due:
        # Conditional: an acceptance that lands meanwhile wins over the expiry.
        changed = db.session.execute(
            update(NoteCoauthor).where(NoteCoauthor.id == link.id,
                                       NoteCoauthor.status == "invited")
            .values(status="expired", responded_at=now),
            execution_options={"synchronize_session": False}).rowcount
        if changed:
            db.session.refresh(link)
            notify(link.note.author, link.coauthor, "co_expire", note_id=link.note_id)
    return len(due)


def coauthored_note_ids(user_ids):
    """SQL: ids of notes on which one of `user_ids` (a list or a subquery) is credited."""
    return select(NoteCoauthor.note_id).where(NoteCoauthor.status == "accepted",
                                              NoteCoauthor.coauthor_id.in_(user_ids))
