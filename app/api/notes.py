"""Notes API: post (multipart with images), read, edit, delete; comments; translation."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _

from app.api import bp
from app.api.card_products import CARD_PRODUCT_SCHEMA, card_product_json, card_products
from app.api.core import (
    PAGE_PARAMS,
    MalformedRequest,
    api_user,
    idempotent,
    json_body,
    json_form_field,
    page_limit,
    refuse_nul_characters,
    token_required,
)
from app.api.fields import id_field, int_field
from app.api.openapi import list_of, operation, ref, schema
from app.api.serializers import timestamp
from app.core.transaction import commit
from app.models import Comment, Note, User
from app.providers.media import media_storage
from app.services import ads
from app.services.catalog import CardProduct
from app.services.errors import ValidationFailed
from app.services.social import engagement as interactions
from app.services.social import notes, translation
from app.services.social.age_gate import age_gate_applies, require_age_confirmation
from app.services.social.notes import ImageUpload
from app.services.social.product_tags import TagInput
from app.web.cursors import decode_cursor, encode_cursor
from app.web.viewer import current_preferences

AUTHOR_SCHEMA = schema("NoteAuthor", {
    "type": "object", "required": ["id", "display_name"],
    "properties": {"id": {"type": "integer"}, "display_name": {"type": "string"},
                   "avatar_url": {"type": ["string", "null"]},
                   "home_country": {"type": ["string", "null"]}},
})
NOTE_IMAGE_SCHEMA = schema("NoteImage", {
    "type": "object", "required": ["position", "is_cover", "urls", "width", "height"],
    "properties": {"id": {"type": "integer"}, "position": {"type": "integer"},
                   "is_cover": {"type": "boolean"},
                   "width": {"type": "integer"}, "height": {"type": "integer"},
                   "urls": {"type": "object", "description": "display and thumb WebP URLs",
                            "additionalProperties": {"type": "string"}}},
})
PRODUCT_TAG_SCHEMA = schema("NoteProductTag", {
    "type": "object", "required": ["image_index", "x", "y", "product_id"],
    "properties": {"id": {"type": "integer"},
                   "image_index": {"type": "integer", "minimum": 0, "maximum": 8},
                   "x": {"type": "number", "minimum": 0, "maximum": 100},
                   "y": {"type": "number", "minimum": 0, "maximum": 100},
                   "product_id": {"type": "integer"},
                   "product_title": {"type": "string"},
                   "is_affiliate": {"type": "boolean"},
                   "url": {"type": "string", "description": "Opens the product; the tap is "
                                                            "attributed to the note."}},
})
NOTE_SCHEMA = schema("Note", {
    "type": "object",
    "required": ["id", "title", "body", "status", "author", "images", "like_count"],
    "properties": {
        "id": {"type": "integer"}, "title": {"type": "string", "maxLength": 100},
        "body": {"type": "string", "description": "Plain text with #topics and @mentions."},
        "status": {"type": "string", "enum": ["draft", "published"]},
        "language": {"type": ["string", "null"], "description": "ISO 639-1, detected."},
        "region": {"type": ["string", "null"]},
        "author": AUTHOR_SCHEMA,
        "images": {"type": "array", "items": NOTE_IMAGE_SCHEMA},
        "cover": {"oneOf": [NOTE_IMAGE_SCHEMA, {"type": "null"}]},
        "topics": {"type": "array", "items": {"type": "string"}},
        "question_to": {"type": ["string", "null"], "enum": ["china", "abroad", None],
                        "description": "Set when the note is a question to that side of "
                                       "the border; its comments are then its answers."},
        "product_tags": {"type": "array", "items": PRODUCT_TAG_SCHEMA},
        "card_product": {"oneOf": [CARD_PRODUCT_SCHEMA, {"type": "null"}],
                         "description": "Null when the note tags nothing the viewer may "
                                        "see."},
        "like_count": {"type": "integer"}, "collect_count": {"type": "integer"},
        "comment_count": {"type": "integer"},
        "liked": {"type": "boolean", "description": "By the token's user (false if none)."},
        "collected": {"type": "boolean"},
        "sponsored": {"oneOf": [
            {"type": "boolean", "const": False, "description": "An organic note."},
            {"type": "object", "description": "A sponsored note in a feed: report its view "
                                              "with POST /api/v1/ads/impressions (once at "
                                              "least half of it was on screen for a "
                                              "second) and open `click_url` on a tap.",
             "required": ["campaign_id", "label", "impression_token", "click_url"],
             "properties": {"campaign_id": {"type": "integer"},
                            "label": {"type": "string",
                                      "description": "\"Sponsored\" or \"Sponsored · with "
                                                     "<brand>\", in the viewer's language."},
                            "impression_token": {"type": "string"},
                            "click_url": {"type": "string", "format": "uri"}}}]},
        "age_gated": {"type": "boolean",
                      "description": "True in a list when the note is for adults 18+ and "
                                     "the viewer has not confirmed being 18 or older "
                                     "(POST /api/v1/me/adult-confirmation): its body, "
                                     "images, cover, product tags and card product are "
                                     "left out."},
        "coauthor": {"oneOf": [AUTHOR_SCHEMA, {"type": "null"}],
                     "description": "The co-author credited beside the author on a "
                                    "co-created note."},
        "coauthor_part": {"type": ["object", "null"],
                          "description": "The co-author's own title and text (kept when "
                                         "they leave a published note, uncredited).",
                          "properties": {"title": {"type": "string"},
                                         "body": {"type": "string"},
                                         "language": {"type": ["string", "null"]}}},
        "partnership": {"type": ["object", "null"],
                        "description": "Set on a note made for a brand partnership: the "
                                       "brand and the paid-partnership label in the "
                                       "request's language.",
                        "properties": {"brand": {"type": "string"},
                                       "label": {"type": "string"}}},
        "url": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "published_at": {"type": ["string", "null"], "format": "date-time"},
    },
})
BINARY = {"type": "string", "format": "binary"}
CREATE_NOTE = schema("CreateNoteRequest", {
    "type": "object", "required": ["title", "images[]"],
    "properties": {
        "title": {"type": "string", "maxLength": 100},
        "body": {"type": "string", "maxLength": 2000},
        "images[]": {"type": "array", "items": BINARY, "minItems": 1, "maxItems": 9,
                     "description": "JPEG, PNG or WebP, up to 20 MB each."},
        "cover_index": {"type": "integer", "minimum": 0, "maximum": 8, "default": 0},
        "status": {"type": "string", "enum": ["published", "draft"], "default": "published"},
        "product_tags": {"type": "string", "description": "JSON array of "
                         "{image_index, x, y, product_id}; x and y in percent."},
        "question_to": {"type": "string", "enum": ["china", "abroad", ""], "default": "",
                        "description": "Ask China or abroad; empty: not a question."},
    },
})
UPDATE_NOTE = schema("UpdateNoteRequest", {
    "type": "object",
    "description": "JSON, or multipart/form-data to replace the images with `images[]`.",
    "properties": {
        "title": {"type": "string", "maxLength": 100},
        "body": {"type": "string", "maxLength": 2000},
        "status": {"type": "string", "enum": ["published", "draft"]},
        "cover_index": {"type": "integer", "minimum": 0, "maximum": 8},
        "product_tags": {"type": "array", "items": PRODUCT_TAG_SCHEMA},
        "question_to": {"type": ["string", "null"], "enum": ["china", "abroad", "", None],
                        "description": "Ask China or abroad; empty or null: not a question "
                                       "(omitted: unchanged)."},
    },
})
COMMENT_SCHEMA = schema("Comment", {
    "type": "object", "required": ["id", "note_id", "author", "body", "parent_id"],
    "properties": {
        "id": {"type": "integer"}, "note_id": {"type": "integer"},
        "parent_id": {"type": ["integer", "null"]}, "author": AUTHOR_SCHEMA,
        "body": {"type": "string"}, "language": {"type": ["string", "null"]},
        "like_count": {"type": "integer"}, "liked": {"type": "boolean"},
        "is_best_answer": {"type": "boolean",
                           "description": "The asker picked it as the best answer."},
        "created_at": {"type": "string", "format": "date-time"},
        "replies": {"type": "array", "items": {"$ref": "#/components/schemas/Comment"}},
    },
})
CREATE_COMMENT = schema("CreateCommentRequest", {
    "type": "object", "required": ["body"],
    "properties": {"body": {"type": "string", "maxLength": 1000},
                   "parent_id": {"type": ["integer", "null"],
                                 "description": "Reply to this comment (one level deep)."}},
})
TRANSLATION_SCHEMA = schema("NoteTranslation", {
    "type": "object", "required": ["title", "body", "target_language"],
    "properties": {"title": {"type": "string"}, "body": {"type": "string"},
                   "source_language": {"type": ["string", "null"]},
                   "target_language": {"type": "string"}},
})
# What every part of a note (comments, answers, translation, likes) says of the age gate.
AGE_GATED = ("A note a moderator marked for adults only answers `403` "
             "`age_confirmation_required` here as it does itself, until the caller's account "
             "has confirmed being 18 or older (`POST /api/v1/me/adult-confirmation`).")
NOTE_ID = [{"name": "note_id", "in": "path", "required": True, "schema": {"type": "integer"}}]


# Serialisation ------------------------------------------------------------------------------
def _url(key: str | None) -> str | None:
    return media_storage().url(key) if key else None


def author_json(user: User) -> dict[str, Any]:
    """The public face of a user."""
    return {"id": user.id, "display_name": user.display_name,
            "avatar_url": _url(user.avatar_path), "home_country": user.home_country}


def _image_json(image) -> dict[str, Any]:
    return {"id": image.id, "position": image.position, "is_cover": image.is_cover,
            "width": image.width, "height": image.height,
            "urls": {name: _url(key) for name, key in image.keys.items()}}


def note_json(note: Note, *, liked: set[int] | None = None,
              collected: set[int] | None = None,
              sponsors: dict[int, str] | None = None,
              card_product: CardProduct | None = None) -> dict[str, Any]:
    """A note as the API shows it (`liked`/`collected`: note ids for the token's user;
    `sponsors`: note id -> brand of a partnership note; `card_product`: its card's strip).
    """
    from flask import url_for

    brand = (sponsors or {}).get(note.id)

    cover = note.cover_image
    return {
        "id": note.id, "title": note.title, "body": note.body, "status": note.status,
        "language": note.language, "region": note.region,
        "author": author_json(note.author),
        "images": [_image_json(i) for i in note.images],
        "cover": _image_json(cover) if cover else None,
        "topics": [t.name for t in note.topics],
        "question_to": note.question_to,
        "product_tags": [{
            "id": t.id, "image_index": t.image_position, "x": t.x, "y": t.y,
            "product_id": t.product_id, "product_title": t.product.title,
            "is_affiliate": t.is_affiliate,
            "url": url_for("notes.tag_click", tag_id=t.id, _external=True),
        } for t in note.product_tags],
        "card_product": card_product_json(card_product) if card_product else None,
        "like_count": note.like_count, "collect_count": note.collect_count,
        "comment_count": note.comment_count,
        "liked": note.id in (liked or ()), "collected": note.id in (collected or ()),
        "sponsored": False, "age_gated": False,
        "coauthor": author_json(note.credited_coauthor) if note.credited_coauthor else None,
        "coauthor_part": _coauthor_part(note),
        "partnership": {"brand": brand, "label": _("Sponsored · with %(brand)s", brand=brand)}
        if brand else None,
        "url": url_for("notes.show", note_id=note.id, _external=True),
        "created_at": timestamp(note.created_at), "updated_at": timestamp(note.updated_at),
        "published_at": timestamp(note.published_at),
    }


def _coauthor_part(note: Note) -> dict[str, Any] | None:
    link = note.coauthorship
    if link is None or link.status not in ("accepted", "left") or not (link.title or link.body):
        return None
    return {"title": link.title, "body": link.body, "language": link.language}


def notes_json(note_list: list[Note], viewer: User | None) -> list[dict[str, Any]]:
    """Several notes with the viewer's likes and collects, their partnership brands and
    their cards' products priced for the request's viewer (four queries, and a rate lookup
    per currency to convert, whatever the count).
    """
    ids = [n.id for n in note_list]
    liked = interactions.liked_note_ids(viewer, ids)
    collected = interactions.collected_note_ids(viewer, ids)
    sponsors = ads.sponsor_names(ids)
    strips = card_products(note_list)
    items = [note_json(n, liked=liked, collected=collected, sponsors=sponsors,
                       card_product=strips.get(n.id)) for n in note_list]
    for note, item in zip(note_list, items, strict=True):
        if age_gate_applies(viewer, note):
            _withhold_adult_content(item)
    return items


def _withhold_adult_content(item: dict[str, Any]) -> None:
    """An adults-only note listed to a viewer not confirmed 18+: title and counts only."""
    item.update(age_gated=True, body="", images=[], cover=None, product_tags=[],
                card_product=None, coauthor_part=None)


def comment_json(comment: Comment, liked: set[int] = frozenset(),
                 replies: list[Comment] | None = None) -> dict[str, Any]:
    """A comment (with its replies when given)."""
    body = {"id": comment.id, "note_id": comment.note_id, "parent_id": comment.parent_id,
            "author": author_json(comment.author), "body": comment.body,
            "language": comment.language, "like_count": comment.like_count,
            "liked": comment.id in liked, "is_best_answer": comment.is_best_answer,
            "created_at": timestamp(comment.created_at)}
    if replies is not None:
        body["replies"] = [comment_json(r, liked) for r in replies]
    return body


def optional_viewer() -> User | None:
    """The token's user when a bearer token is sent (it must be valid), else None."""
    if not request.headers.get("Authorization"):
        return None
    return token_required("read")(api_user)()


# Parsing ------------------------------------------------------------------------------------
def _tag_inputs(raw: Any) -> list[TagInput]:
    """Tags from a JSON array, or from its text in a multipart field (the same checks)."""
    if isinstance(raw, str):
        raw = json_form_field(raw, "product_tags") if raw.strip() else []
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ValidationFailed("product_tags must be a JSON array of objects.",
                               code="invalid_product_tag",
                               fields={"product_tags": ["Send a JSON array of {image_index, x, "
                                                        "y, product_id} objects."]})
    return [TagInput(i.get("image_index"), i.get("x"), i.get("y"), i.get("product_id"))
            for i in raw]


def _status(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if value not in ("published", "draft"):
        raise ValidationFailed("status must be published or draft.",
                               fields={"status": ["Use published or draft."]})
    return value == "published"


def _uploaded_images() -> list[ImageUpload]:
    files = request.files.getlist("images[]") + request.files.getlist("images")
    return [ImageUpload(data=f.read(), filename=f.filename or "") for f in files
            if f and (f.filename or f.content_length)]


def _text_field(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{name} must be a string.", fields={name: ["Must be a string."]})
    return value


# Endpoints ----------------------------------------------------------------------------------
@bp.post("/notes")
@operation(summary="Post a note with 1-9 images", tags=["notes"], idempotent=True,
           request=CREATE_NOTE, request_content_type="multipart/form-data",
           responses={201: NOTE_SCHEMA, 400: None, 401: None, 403: None, 413: None, 422: None})
@token_required("write")
@idempotent()
def create_note():
    """Multipart: title, body, images[] (1-9), optional cover_index, status, product_tags.

    Needs a verified e-mail address (403 `email_not_verified`). Bad images answer 422
    `invalid_image`, a wrong number of images `image_count`, bad tags `invalid_product_tag`;
    nothing is stored then. 503 `media_unavailable` when the media store refuses the images
    or cannot be reached: no note is created and no image is kept.
    """
    if request.mimetype != "multipart/form-data":
        raise MalformedRequest("Send the note as multipart/form-data with images[] files.",
                               code="unsupported_media_type")
    notes.require_can_post(api_user())
    form = request.form
    refuse_nul_characters(form.to_dict())
    publish = _status(form.get("status"))
    note = notes.create_note(
        api_user(), title=form.get("title", ""), body=form.get("body", ""),
        images=_uploaded_images(), cover_index=int_field(form.get("cover_index"),
                                                          "cover_index") or 0,
        publish=publish is not False,
        product_tags=_tag_inputs(form.get("product_tags", "")),
        question_to=form.get("question_to") or None,
    )
    commit()
    return note_json(notes.get_note(api_user(), note.id)), 201


@bp.get("/notes/<int:note_id>")
@operation(summary="A note", tags=["notes"], auth=False,
           responses={200: NOTE_SCHEMA, 401: None, 403: None, 404: None},
           description=(
               "A note a moderator marked for adults only answers `403` "
               "`age_confirmation_required` until the caller's account has confirmed being "
               "18 or older (`POST /api/v1/me/adult-confirmation`); its author always sees "
               "it."))
def get_note(note_id: int):
    """A published note (drafts only for their author's token); the token is optional."""
    viewer = optional_viewer()
    note = notes.get_note(viewer, note_id, market=current_preferences().ship_to_country)
    require_age_confirmation(viewer, note)
    body = notes_json([note], viewer)[0]
    commit()
    return body


@bp.patch("/notes/<int:note_id>")
@operation(summary="Edit your note", tags=["notes"], request=UPDATE_NOTE,
           responses={200: NOTE_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      422: None})
@token_required("write")
def update_note(note_id: int):
    """Change title, body, status, cover or tags; multipart `images[]` replace the images.

    Someone else's note answers 403 `not_note_author` (404 if it is their draft); 503
    `media_unavailable` when the media store refuses new images (the note stays as it was).
    """
    if request.mimetype == "multipart/form-data":
        data: dict[str, Any] = request.form.to_dict()
        refuse_nul_characters(data)
        images = _uploaded_images() or None
    else:
        data = json_body()
        images = None
    tags = data.get("product_tags")
    note = notes.update_note(
        api_user(), note_id, title=_text_field(data.get("title"), "title"),
        body=_text_field(data.get("body"), "body"), publish=_status(data.get("status")),
        images=images, cover_index=int_field(data.get("cover_index"), "cover_index"),
        product_tags=_tag_inputs(tags) if tags is not None else None,
        question_to=(_text_field(data["question_to"], "question_to") or "")
        if "question_to" in data else None)
    commit()
    return notes_json([notes.get_note(api_user(), note.id)], api_user())[0]


@bp.delete("/notes/<int:note_id>")
@operation(summary="Delete your note", tags=["notes"],
           responses={204: None, 401: None, 403: None, 404: None})
@token_required("write")
def delete_note(note_id: int):
    """Delete the note, its images, likes, comments and tags."""
    notes.delete_note(api_user(), note_id)
    commit()
    return "", 204


@bp.get("/notes/<int:note_id>/comments")
@operation(summary="Comments on a note", tags=["notes"], auth=False, params=PAGE_PARAMS,
           responses={200: list_of(COMMENT_SCHEMA), 400: None, 403: None, 404: None,
                      422: None},
           description=AGE_GATED)
def list_comments(note_id: int):
    """Top-level comments, oldest first, each with its replies."""
    viewer = optional_viewer()
    note = interactions.viewable_note(viewer, note_id)
    cursor = decode_cursor(1)
    limit = page_limit()
    threads, has_more = interactions.comment_threads(
        note, after_id=cursor[0] if cursor and isinstance(cursor[0], int) else None,
        limit=limit, market=current_preferences().ship_to_country,
        viewer_id=viewer.id if viewer is not None else None)
    ids = [t.comment.id for t in threads] + [r.id for t in threads for r in t.replies]
    liked = interactions.liked_comment_ids(viewer, ids)
    body = {"items": [comment_json(t.comment, liked, t.replies) for t in threads],
            "next_cursor": encode_cursor([threads[-1].comment.id]) if has_more else None}
    commit()
    return body


@bp.post("/notes/<int:note_id>/comments")
@operation(summary="Comment on a note", tags=["notes"], idempotent=True,
           request=CREATE_COMMENT,
           responses={201: COMMENT_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      422: None},
           description=AGE_GATED)
@token_required("write")
@idempotent()
def create_comment(note_id: int):
    """Comment, or reply with `parent_id` (a reply to a reply joins its thread)."""
    data = json_body()
    parent_id = id_field(data.get("parent_id"), "parent_id")
    comment = interactions.add_comment(api_user(), note_id,
                                       _text_field(data.get("body"), "body") or "",
                                       parent_id=parent_id)
    commit()
    return comment_json(comment), 201


@bp.delete("/comments/<int:comment_id>")
@operation(summary="Delete a comment", tags=["notes"],
           responses={204: None, 401: None, 403: None, 404: None})
@token_required("write")
def delete_comment(comment_id: int):
    """The comment's author or the note's author may delete it (replies go with it)."""
    interactions.delete_comment(api_user(), comment_id)
    commit()
    return "", 204


@bp.get("/notes/<int:note_id>/translation")
@operation(summary="A note translated", tags=["notes"], auth=False,
           params=[{"name": "target", "in": "query", "required": True,
                    "schema": {"type": "string", "examples": ["en", "zh"]}}],
           responses={200: TRANSLATION_SCHEMA, 403: None, 404: None, 422: None,
                      503: ref("Error")},
           description=AGE_GATED)
def translate_note(note_id: int):
    """The title and body in `target`; 503 `translation_unavailable` when no provider."""
    viewer = optional_viewer()
    note = notes.get_note(viewer, note_id, market=current_preferences().ship_to_country)
    require_age_confirmation(viewer, note)
    result = translation.translate_note(note, request.args.get("target", ""))
    commit()
    return {"title": result.title, "body": result.body,
            "source_language": result.source_language,
            "target_language": result.target_language}
