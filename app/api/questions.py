"""Questions API: a question's answers in rank order, and the asker's pick of the best one."""

from __future__ import annotations

from app.api import bp
from app.api.core import PAGE_PARAMS, api_user, json_body, page_limit, token_required
from app.api.fields import id_field
from app.api.notes import AGE_GATED, COMMENT_SCHEMA, comment_json, optional_viewer
from app.api.openapi import list_of, operation, schema
from app.core.transaction import commit
from app.services.errors import ValidationFailed
from app.services.social import engagement as interactions
from app.services.social import questions
from app.web.cursors import decode_cursor, encode_cursor
from app.web.viewer import current_preferences

ANSWER_SCHEMA = schema("Answer", {
    "allOf": [COMMENT_SCHEMA, {
        "type": "object", "required": ["side", "from_addressed_side"],
        "properties": {
            "side": {"type": "string", "enum": ["china", "abroad"],
                     "description": "Where the answer comes from, by the rule Discover uses "
                                    "for notes (its language and its author's country)."},
            "from_addressed_side": {"type": "boolean",
                                    "description": "From the side the question asks."}}}],
})
BEST_ANSWER_REQUEST = schema("BestAnswerRequest", {
    "type": "object", "required": ["comment_id"],
    "properties": {"comment_id": {"type": "integer",
                                  "description": "A top-level comment on the question."}},
})


@bp.get("/notes/<int:note_id>/answers")
@operation(summary="A question's answers, best and addressed side first", tags=["notes"],
           auth=False, params=PAGE_PARAMS,
           responses={200: list_of(ANSWER_SCHEMA), 400: None, 401: None, 403: None,
                      404: None, 422: None},
           description=AGE_GATED)
def list_answers(note_id: int):
    """The best answer, then answers from the side the question asks, then the others (by
    likes, then oldest first); each with its replies. 422 `not_a_question` for a plain note.
    """
    viewer = optional_viewer()
    note = interactions.viewable_note(viewer, note_id)
    page = questions.answers(note, decode_cursor(3), page_limit(),
                             market=current_preferences().ship_to_country)
    ids = [a.comment.id for a in page.answers] + [r.id for a in page.answers
                                                  for r in a.replies]
    liked = interactions.liked_comment_ids(viewer, ids)
    body = {"items": [{**comment_json(a.comment, liked, a.replies), "side": a.side,
                       "from_addressed_side": a.is_from_addressed_side}
                      for a in page.answers],
            "next_cursor": encode_cursor(page.next_cursor) if page.next_cursor else None}
    commit()
    return body


@bp.post("/notes/<int:note_id>/best-answer")
@operation(summary="Pick the best answer to your question", tags=["notes"],
           request=BEST_ANSWER_REQUEST,
           responses={200: ANSWER_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None})
@token_required("write")
def pick_best_answer(note_id: int):
    """Only the asker, once: a second pick answers 409 `best_answer_already_chosen`; their
    own answer 422 `own_answer`; someone else's question 403 `not_question_author`.
    """
    data = json_body()
    comment_id = id_field(data.get("comment_id"), "comment_id")
    if comment_id is None:
        raise ValidationFailed("comment_id is required.",
                               fields={"comment_id": ["Name the answer to pick."]})
    comment = questions.choose_best_answer(api_user(), note_id, comment_id)
    side = questions.answer_side(comment)
    body = {**comment_json(comment), "side": side,
            "from_addressed_side": side == comment.note.question_to}
    commit()
    return body
