"""GET /translations/{content_type}/{id} and PUT /me/translation-settings."""

from __future__ import annotations

from app.extensions import db
from app.models import User
from app.services.social import engagement as interactions
from app.services.social import glossary
from tests.api.test_notes_api import error_of

pytest_plugins = ["tests.notes_fixtures", "tests.translation_server"]


def test_a_comment_is_translated_by_the_chat_model(client, make_user, quick_note,
                                                  openai_translation):
    admin = make_user(roles=("admin",))
    glossary.add_glossary_term(admin, "Longjing", "product", {"en": "Dragon Well"})
    note = quick_note(make_user(), "Tea", language="en")
    comment = interactions.add_comment(make_user(), note.id, "Longjing在哪里买?")
    db.session.commit()
    response = client.get(f"/api/v1/translations/comment/{comment.id}?target=en")
    assert response.status_code == 200
    assert response.get_json() == {
        "content_type": "comment", "content_id": comment.id,
        "fields": {"body": "<English> Dragon Well在哪里买?"},
        "source_language": "zh", "target_language": "en"}
    assert openai_translation.requests[0]["messages"][1]["content"] == "⟦1⟧在哪里买?"


def test_errors_are_specific(client, make_user, quick_note, libretranslate):
    note = quick_note(make_user(), "Bonjour", language="fr")
    db.session.commit()
    for url, status, code in (
            (f"/api/v1/translations/poll/{note.id}?target=en", 404, "not_translatable"),
            (f"/api/v1/translations/note/{note.id + 1}?target=en", 404, "note_not_found"),
            (f"/api/v1/translations/note/{note.id}?target=xx", 422, "validation_failed")):
        response = client.get(url)
        assert (response.status_code, error_of(response)["code"]) == (status, code)


def test_without_a_provider_it_is_503(client, make_user):
    person = make_user(bio="Je bois du thé tous les jours")
    db.session.commit()
    response = client.get(f"/api/v1/translations/bio/{person.id}?target=en")
    assert (response.status_code, error_of(response)["code"]) == (503,
                                                                 "translation_unavailable")


def test_always_translate_is_set_through_the_api(client, make_user, api_token):
    user = make_user()
    headers = api_token(user)
    assert client.get("/api/v1/me", headers=headers).get_json()["always_translate"] is False
    response = client.put("/api/v1/me/translation-settings", json={"always_translate": True},
                          headers=headers)
    assert (response.status_code, response.get_json()["always_translate"]) == (200, True)
    assert db.session.get(User, user.id).always_translate is True
    bad = client.put("/api/v1/me/translation-settings", json={"always_translate": "yes"},
                     headers=headers)
    assert bad.status_code == 422
    assert error_of(bad)["fields"] == {"always_translate": ["Send true or false."]}
    assert client.put("/api/v1/me/translation-settings",
                      json={"always_translate": False}).status_code == 401


def test_the_endpoints_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/translations/{content_type}/{content_id}"]
    assert "put" in paths["/api/v1/me/translation-settings"]
