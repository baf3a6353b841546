"""Translation API: any translatable item in a target language; the "always translate" setting."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from app.api import bp
from app.api.core import api_user, json_body, token_required
from app.api.notes import optional_viewer
from app.api.openapi import operation, ref, schema
from app.api.serializers import USER_SCHEMA, user_json
from app.core.transaction import commit
from app.extensions import limiter
from app.services.accounts.preferences import set_always_translate
from app.services.errors import ValidationFailed
from app.services.social import translation
from app.web.viewer import current_preferences

CONTENT_TRANSLATION = schema("ContentTranslation", {
    "type": "object",
    "required": ["content_type", "content_id", "fields", "source_language", "target_language"],
    "properties": {
        "content_type": {"type": "string", "examples": ["note", "comment", "bio"]},
        "content_id": {"type": "integer"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "The item's text fields translated: `title` and `body` "
                                  "for a note, `body` for a comment or a bio."},
        "source_language": {"type": ["string", "null"]},
        "target_language": {"type": "string"},
    },
})
TRANSLATION_SETTINGS = schema("TranslationSettings", {
    "type": "object", "required": ["always_translate"],
    "properties": {"always_translate": {
        "type": "boolean",
        "description": "Show text written in another language translated without a tap."}},
})


@bp.get("/translations/<content_type>/<int:content_id>")
@limiter.limit("120 per minute")
@operation(
    summary="An item translated", tags=["notes"], auth=False,
    params=[{"name": "target", "in": "query", "required": True,
             "schema": {"type": "string", "examples": ["en", "zh"]}}],
    responses={200: CONTENT_TRANSLATION, 401: None, 403: None, 404: None, 422: None,
               429: None, 503: ref("Error")},
    description=(
        "One endpoint for every translatable kind of content (`note`, `comment`, `bio`, and "
        "the types other features register). An item the caller may not see, or an unknown "
        "type, answers `404`; a note marked for adults only, or a comment on one, answers "
        "`403` `age_confirmation_required` until the caller has confirmed being 18 or older. "
        "Brand, store, product and place names in the glossary come "
        "back as written (or in the glossary's form for the target language). `503` "
        "`translation_unavailable`: no provider is configured, or it failed or timed out."))
def translate_content(content_type: str, content_id: int):
    """The item's text fields in `target`."""
    result = translation.translate_content(
        optional_viewer(), content_type, content_id, request.args.get("target", ""),
        market=current_preferences().ship_to_country)
    commit()  # queues the job that caches a new translation
    return {"content_type": result.content_type, "content_id": result.content_id,
            "fields": result.fields, "source_language": result.source_language,
            "target_language": result.target_language}


@bp.put("/me/translation-settings")
@operation(summary="Turn “always translate” on or off", tags=["auth"],
           request=TRANSLATION_SETTINGS,
           responses={200: USER_SCHEMA, 400: None, 401: None, 403: None, 422: None})
@token_required("write")
def put_translation_settings():
    """Choose whether text in other languages shows translated without a tap."""
    value = json_body().get("always_translate")
    if not isinstance(value, bool):
        message = _("Send true or false.")
        raise ValidationFailed(message, fields={"always_translate": [message]})
    user = api_user()
    set_always_translate(user, value)
    commit()
    return user_json(user)
