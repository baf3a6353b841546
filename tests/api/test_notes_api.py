"""The notes, feed, interactions, search, translation and notifications API."""

from __future__ import annotations

import io
import json
import os

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Note, Report
from app.services.social import engagement as interactions
from tests.catalog_factories import make_shop
from tests.notes_factories import QueryCounter, image_bytes

pytest_plugins = ["tests.notes_fixtures", "tests.translation_server"]


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


@pytest.fixture
def other_shop(make_org, make_user):
    return make_shop(make_org, make_user, currency="CNY", country="CN")


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]


def note_form(title="Lipsticks I love", body="Five shades #lipstick", images=2, **extra):
    data = {"title": title, "body": body,
            "images[]": [(io.BytesIO(image_bytes()), f"p{i}.jpg") for i in range(images)]}
    data.update(extra)
    return data


def post_note(client, headers, **kwargs):
    return client.post("/api/v1/notes", data=note_form(**kwargs), headers=headers,
                       content_type="multipart/form-data")


def note_total() -> int:
    return db.session.scalar(select(func.count(Note.id)))


# POST /notes --------------------------------------------------------------------------------
def test_post_a_note_with_images(client, make_user, api_token):
    author = make_user(home_country="US")
    response = post_note(client, api_token(author), cover_index="1")
    assert response.status_code == 201, response.get_json()
    note = response.get_json()
    assert note["title"] == "Lipsticks I love" and note["status"] == "published"
    assert note["language"] == "en" and note["region"] == "US"
    assert note["author"]["id"] == author.id
    assert [i["is_cover"] for i in note["images"]] == [False, True]
    assert note["cover"]["position"] == 1
    assert set(note["images"][0]["urls"]) == {"display", "thumb"}
    assert note["images"][0]["urls"]["thumb"].endswith("-thumb.webp")
    assert note["topics"] == ["lipstick"]
    assert (note["like_count"], note["liked"], note["sponsored"]) == (0, False, False)
    assert client.get(note["images"][0]["urls"]["display"]).status_code == 200


def test_posting_twice_with_one_idempotency_key_makes_one_note(client, make_user, api_token):
    headers = {**api_token(make_user()), "Idempotency-Key": "note-1"}
    body, content_type = _encoded(note_form())
    first = client.post("/api/v1/notes", data=body, headers=headers, content_type=content_type)
    replay = client.post("/api/v1/notes", data=body, headers=headers, content_type=content_type)
    assert first.status_code == replay.status_code == 201
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.get_json()["id"] == first.get_json()["id"]
    other_body, other_type = _encoded(note_form(title="Another"))
    reused = client.post("/api/v1/notes", data=other_body, headers=headers,
                         content_type=other_type)
    assert (reused.status_code, error_of(reused)["code"]) == (409, "idempotency_key_reused")
    assert note_total() == 1


def test_note_uploads_have_their_own_body_limit(app, client, make_user, api_token,
                                                monkeypatch):
    # Nine 20 MB images exceed the general limit; note endpoints allow more, but not without end.
    headers = api_token(make_user())
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 20_000)
    monkeypatch.setitem(app.config, "NOTE_UPLOAD_MAX_BYTES", 2_000_000)
    # Random pixels do not compress: two PNGs of about 60 kB, over the general limit together.
    noisy = [Image.frombytes("RGB", (150, 130), os.urandom(150 * 130 * 3)) for _ in range(2)]
    files = []
    for i, image in enumerate(noisy):
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        files.append((io.BytesIO(buffer.getvalue()), f"p{i}.png"))
    assert post_note(client, headers, **{"images[]": files}).status_code == 201
    before = note_total()
    too_big = post_note(client, headers, extra_field="x" * 2_100_000)
    assert too_big.status_code == 413
    assert error_of(too_big)["code"] == "payload_too_large"
    assert note_total() == before
    # Everything else keeps the general limit.
    other = client.post("/api/v1/auth/token", json={"email": "x" * 30_000, "password": "p"})
    assert other.status_code == 413


def _encoded(fields: dict) -> tuple[bytes, str]:
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(method="POST", data=fields)
    environ = builder.get_environ()
    return environ["wsgi.input"].read(), environ["CONTENT_TYPE"]


def test_post_needs_multipart_a_token_and_a_verified_email(client, make_user, api_token):
    assert client.post("/api/v1/notes", data=note_form()).status_code == 401
    response = client.post("/api/v1/notes", json={"title": "x"},
                           headers=api_token(make_user()))
    assert (response.status_code, error_of(response)["code"]) == (400, "unsupported_media_type")
    response = post_note(client, api_token(make_user(verified=False)))
    assert (response.status_code, error_of(response)["code"]) == (403, "email_not_verified")
    assert note_total() == 0


@pytest.mark.parametrize("images,code", [(0, "image_count"), (10, "image_count")])
def test_wrong_number_of_images(client, make_user, api_token, images, code):
    response = post_note(client, api_token(make_user()), images=images)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == code and list(error["fields"]) == ["images"]
    assert note_total() == 0


def test_bad_image_files(client, make_user, api_token):
    headers = api_token(make_user())
    fake = {"title": "Fake", "images[]": [(io.BytesIO(b"GIF89a nope"), "cat.jpg")]}
    response = client.post("/api/v1/notes", data=fake, headers=headers,
                           content_type="multipart/form-data")
    assert (response.status_code, error_of(response)["code"]) == (422, "invalid_image")
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, "PNG")
    bomb.seek(0)
    response = client.post("/api/v1/notes", data={"title": "Bomb", "images[]": [(bomb, "b.png")]},
                           headers=headers, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "too many pixels" in error_of(response)["fields"]["images"][0]
    assert note_total() == 0


def test_product_tags(client, shop, other_shop, api_token):
    tee = shop.add_product(skus=("TEE-1",))
    archived = other_shop.add_product(skus=("MUG-1",))
    archived.status = "archived"
    db.session.commit()
    headers = api_token(shop.owner)
    tags = [{"image_index": 1, "x": 30, "y": 62.5, "product_id": tee.id}]
    response = post_note(client, headers, product_tags=json.dumps(tags))
    assert response.status_code == 201
    [tag] = response.get_json()["product_tags"]
    assert (tag["image_index"], tag["x"], tag["y"], tag["product_id"], tag["is_affiliate"]) == (
        1, 30.0, 62.5, tee.id, False)
    for bad in ([{"image_index": 5, "x": 1, "y": 1, "product_id": tee.id}],
                [{"image_index": 0, "x": 101, "y": 1, "product_id": tee.id}],
                [{"image_index": 0, "x": 1, "y": 1, "product_id": archived.id}]):
        response = post_note(client, headers, product_tags=json.dumps(bad))
        assert (response.status_code, error_of(response)["code"]) == (422,
                                                                       "invalid_product_tag")
    response = post_note(client, headers, product_tags="not json")
    assert error_of(response)["code"] == "invalid_product_tag"
    assert note_total() == 1


@pytest.mark.parametrize("product_id", [0, -1, 2**31, 2**63, 10**30])
def test_multipart_tags_keep_ids_in_range_like_json(client, make_user, api_token, make_note,
                                                    product_id):
    """Ids no column holds are 422 naming the field, in a multipart form and in JSON."""
    author = make_user()
    headers = api_token(author)
    tags = json.dumps([{"image_index": 0, "x": 1, "y": 1, "product_id": product_id}])
    posted = post_note(client, headers, product_tags=tags)
    note = make_note(author, "Green tea", "#tea")
    url = f"/api/v1/notes/{note.id}"
    edited = client.patch(url, data={"product_tags": tags}, headers=headers,
                          content_type="multipart/form-data")
    as_json = client.patch(url, json={"product_tags": json.loads(tags)}, headers=headers)
    for response in (posted, edited, as_json):
        assert response.status_code == 422, response.get_json()
        error = error_of(response)
        assert (error["code"], list(error["fields"])) == ("invalid_id",
                                                          ["product_tags.0.product_id"])
    assert note_total() == 1


@pytest.mark.parametrize("tags", ["NaN", '[{"image_index": 0, "x": NaN, "y": 1}]', "[" * 5000,
                                  '{"product_id": 1}', "[1]", '"[]"', "9" * 5000])
def test_multipart_tags_that_are_not_an_array_of_objects(client, make_user, api_token,
                                                         make_note, tags):
    author = make_user()
    headers = api_token(author)
    note = make_note(author, "Green tea", "#tea")
    for response in (post_note(client, headers, product_tags=tags),
                     client.patch(f"/api/v1/notes/{note.id}", data={"product_tags": tags},
                                  headers=headers, content_type="multipart/form-data")):
        assert response.status_code == 422
        assert (error_of(response)["code"], list(error_of(response)["fields"])) == (
            "invalid_product_tag", ["product_tags"])
    assert note_total() == 1


def test_nul_characters_in_a_multipart_note_are_named(client, make_user, api_token, make_note):
    author = make_user()
    headers = api_token(author)
    posted = post_note(client, headers, title="Tea\x00")
    note = make_note(author, "Green tea", "#tea")
    edited = client.patch(f"/api/v1/notes/{note.id}", data={"body": "\x00"}, headers=headers,
                          content_type="multipart/form-data")
    assert (posted.status_code, list(error_of(posted)["fields"])) == (422, ["title"])
    assert (edited.status_code, list(error_of(edited)["fields"])) == (422, ["body"])


# GET / PATCH / DELETE -----------------------------------------------------------------------
def test_read_edit_and_delete(client, make_user, api_token, make_note):
    author, intruder = make_user(), make_user()
    note = make_note(author, "Green tea", "#tea")
    url = f"/api/v1/notes/{note.id}"
    assert client.get(url).get_json()["title"] == "Green tea"  # no token needed

    response = client.patch(url, json={"title": "Hacked"}, headers=api_token(intruder))
    assert (response.status_code, error_of(response)["code"]) == (403, "not_note_author")
    assert client.delete(url, headers=api_token(intruder)).status_code == 403

    headers = api_token(author)
    response = client.patch(url, json={"title": "Longjing", "body": "#longjing",
                                       "status": "draft"}, headers=headers)
    assert response.status_code == 200
    assert (response.get_json()["title"], response.get_json()["topics"]) == (
        "Longjing", ["longjing"])
    assert client.get(url).status_code == 404  # now a draft
    assert client.get(url, headers=api_token(intruder)).status_code == 404
    assert client.get(url, headers=headers).get_json()["status"] == "draft"
    response = client.patch(url, json={"status": "archived"}, headers=headers)
    assert set(error_of(response)["fields"]) == {"status"}

    response = client.patch(url, data={"images[]": [(io.BytesIO(image_bytes()), "n.jpg")] * 1,
                                       "cover_index": "0"},
                            headers=headers, content_type="multipart/form-data")
    assert response.status_code == 200 and len(response.get_json()["images"]) == 1

    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


# Interactions -------------------------------------------------------------------------------
def test_like_collect_comment_and_follow(client, make_user, api_token, quick_note):
    author, fan = make_user(), make_user()
    note = quick_note(author, "Tea set")
    db.session.commit()
    headers = api_token(fan)
    base = f"/api/v1/notes/{note.id}"
    assert client.post(f"{base}/like", headers=headers).get_json() == {"liked": True,
                                                                       "like_count": 1}
    assert client.post(f"{base}/like", headers=headers).get_json()["like_count"] == 1
    assert client.get(base, headers=headers).get_json()["liked"] is True
    assert client.delete(f"{base}/like", headers=headers).get_json() == {"liked": False,
                                                                         "like_count": 0}

    board = client.post("/api/v1/boards", json={"name": "Teaware", "is_private": False},
                        headers=headers).get_json()
    collected = client.post(f"{base}/collect", json={"board_id": board["id"]}, headers=headers)
    assert collected.get_json()["collect_count"] == 1
    assert collected.get_json()["board"]["name"] == "Teaware"
    assert client.post(f"{base}/collect", headers=headers).get_json()["board"]["name"] == "Saved"
    assert [b["name"] for b in client.get("/api/v1/boards", headers=headers).get_json()["items"]
            ] == ["Saved", "Teaware"]
    listed = client.get(f"/api/v1/boards/{board['id']}/notes", headers=api_token(author))
    assert [n["id"] for n in listed.get_json()["items"]] == [note.id]
    gone = client.delete(f"{base}/collect", headers=headers).get_json()
    assert (gone["collected"], gone["collect_count"]) == (False, 0)

    comment = client.post(f"{base}/comments", json={"body": "Where from?"}, headers=headers)
    assert comment.status_code == 201
    parent = comment.get_json()["id"]
    reply = client.post(f"{base}/comments", json={"body": "Jingdezhen", "parent_id": parent},
                        headers=api_token(author))
    assert reply.get_json()["parent_id"] == parent
    thread = client.get(f"{base}/comments").get_json()
    assert [(c["body"], [r["body"] for r in c["replies"]]) for c in thread["items"]] == [
        ("Where from?", ["Jingdezhen"])]
    response = client.post(f"{base}/comments", json={"body": ""}, headers=headers)
    assert response.status_code == 422

    follow = client.post(f"/api/v1/users/{author.id}/follow", headers=headers)
    assert follow.get_json()["following"] is True and follow.get_json()["follower_count"] == 1
    response = client.post(f"/api/v1/users/{fan.id}/follow", headers=headers)
    assert error_of(response)["code"] == "cannot_follow_self"
    feed = client.get("/api/v1/feed?tab=following", headers=headers).get_json()
    assert [n["id"] for n in feed["items"]] == [note.id]
    assert client.delete(f"/api/v1/users/{author.id}/follow",
                         headers=headers).get_json()["following"] is False


def test_reports(client, make_user, api_token, quick_note):
    note = quick_note(make_user())
    db.session.commit()
    headers = api_token(make_user())
    body = {"target_type": "note", "target_id": note.id, "reason": "counterfeit"}
    response = client.post("/api/v1/reports", json=body, headers=headers)
    assert response.status_code == 201 and response.get_json()["status"] == "open"
    response = client.post("/api/v1/reports", json=body, headers=headers)
    assert (response.status_code, error_of(response)["code"]) == (409, "already_reported")
    response = client.post("/api/v1/reports", json={**body, "reason": "meh"}, headers=headers)
    assert set(error_of(response)["fields"]) == {"reason"}
    assert db.session.scalar(select(func.count(Report.id))) == 1


def test_notifications(client, make_user, api_token, quick_note):
    author, fan = make_user(), make_user(display_name="Fan")
    note = quick_note(author)
    interactions.like_note(fan, note.id)
    interactions.add_comment(fan, note.id, "Love it")
    db.session.commit()
    headers = api_token(author)
    listed = client.get("/api/v1/notifications", headers=headers).get_json()
    assert listed["unread_count"] == 2
    assert [(n["kind"], n["actor"]["display_name"], n["note_id"]) for n in listed["items"]] == [
        ("comment", "Fan", note.id), ("like", "Fan", note.id)]
    marked = client.post("/api/v1/notifications/read", json={"ids": [listed["items"][0]["id"]]},
                         headers=headers).get_json()
    assert marked == {"marked": 1, "unread_count": 1}
    assert client.post("/api/v1/notifications/read", headers=headers).get_json() == {
        "marked": 1, "unread_count": 0}


# Feed ---------------------------------------------------------------------------------------
def test_discover_pages_with_a_cursor(client, make_user, quick_note):
    author = make_user()
    made = [quick_note(author, f"Note {i}", age_hours=i).id for i in range(5)]
    db.session.commit()
    seen, url = [], "/api/v1/feed?limit=2"
    while url:
        body = client.get(url).get_json()
        seen += [n["id"] for n in body["items"]]
        url = f"/api/v1/feed?limit=2&cursor={body['next_cursor']}" if body["next_cursor"] \
            else None
    assert seen == made
    response = client.get("/api/v1/feed?cursor=garbage")
    assert (response.status_code, error_of(response)["code"]) == (400, "invalid_cursor")
    assert client.get("/api/v1/feed?tab=following").status_code == 401
    assert client.get("/api/v1/feed?tab=popular").status_code == 422


def test_feed_api_uses_a_constant_number_of_queries(client, make_user, api_token,
                                                    quick_note):
    viewer = make_user()
    headers = api_token(viewer)
    for i in range(2):
        quick_note(make_user(), f"Few {i}", language="en")
        quick_note(make_user(), f"Peu {i}", language="fr")
    db.session.commit()
    client.get("/api/v1/me", headers=headers)  # records the token's use (one UPDATE) up front
    with QueryCounter() as few:
        assert client.get("/api/v1/feed?limit=20", headers=headers).status_code == 200
    for i in range(50):
        quick_note(make_user(), f"Many {i}", language=("en", "zh", "ja")[i % 3])
    db.session.commit()
    with QueryCounter() as many:
        body = client.get("/api/v1/feed?limit=20", headers=headers).get_json()
    assert len(body["items"]) == 20
    assert many.count == few.count, many.statements


# Search -------------------------------------------------------------------------------------
def test_search_notes_users_and_topics(client, make_user, make_note):
    xiaohong = make_user(display_name="小红 Xiaohong")
    make_note(xiaohong, "这支口红太好看了", "#口红")
    make_note(make_user(), "Lipsticks I love", "#lipstick")
    hits = client.get("/api/v1/search?q=口红").get_json()
    assert hits["type"] == "notes"
    assert [n["title"] for n in hits["items"]] == ["这支口红太好看了"]
    assert [n["title"] for n in client.get("/api/v1/search?q=lipstick").get_json()["items"]] == [
        "Lipsticks I love"]
    users = client.get("/api/v1/search?q=xiaohong&type=users").get_json()["items"]
    assert [u["id"] for u in users] == [xiaohong.id]
    topics = client.get("/api/v1/search?q=lip&type=topics").get_json()["items"]
    assert topics == [{"id": topics[0]["id"], "name": "lipstick", "note_count": 1}]
    response = client.get("/api/v1/search?q=")
    assert (response.status_code, error_of(response)["code"]) == (422, "empty_query")


# Translation --------------------------------------------------------------------------------
def test_translation_endpoint(client, make_user, quick_note, libretranslate):
    note = quick_note(make_user(), "这支口红太好看了", "颜色很正", language="zh")
    db.session.commit()
    body = client.get(f"/api/v1/notes/{note.id}/translation?target=en").get_json()
    assert body == {"title": "[en] 这支口红太好看了", "body": "[en] 颜色很正",
                    "source_language": "zh", "target_language": "en"}


def test_translation_endpoint_without_a_provider_is_503(client, make_user, quick_note):
    note = quick_note(make_user(), "Bonjour", language="fr")
    db.session.commit()
    response = client.get(f"/api/v1/notes/{note.id}/translation?target=en")
    assert (response.status_code, error_of(response)["code"]) == (503,
                                                                 "translation_unavailable")


# OpenAPI ------------------------------------------------------------------------------------
def test_the_openapi_document_describes_the_notes_endpoints(client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    paths = document["paths"]
    assert "multipart/form-data" in paths["/api/v1/notes"]["post"]["requestBody"]["content"]
    for path, method in [("/api/v1/notes/{note_id}", "patch"), ("/api/v1/feed", "get"),
                         ("/api/v1/search", "get"), ("/api/v1/notes/{note_id}/like", "delete"),
                         ("/api/v1/notes/{note_id}/collect", "post"),
                         ("/api/v1/notes/{note_id}/comments", "post"),
                         ("/api/v1/users/{user_id}/follow", "delete"),
                         ("/api/v1/notifications", "get")]:
        assert method in paths[path], path


def test_store_notes_lists_shoppable_notes(client, shop, other_shop, api_token):
    tee = shop.add_product(skus=("TEE-1",))
    mug = other_shop.add_product(skus=("MUG-1",))
    headers = api_token(shop.owner)
    tagged = post_note(client, headers, title="Wearing the tee", product_tags=json.dumps(
        [{"image_index": 0, "x": 50, "y": 50, "product_id": tee.id}])).get_json()
    post_note(client, headers, title="Other store", product_tags=json.dumps(
        [{"image_index": 0, "x": 50, "y": 50, "product_id": mug.id}]))
    post_note(client, headers, title="Untagged")
    body = client.get(f"/api/v1/stores/{shop.store.id}/notes").get_json()
    assert [n["id"] for n in body["items"]] == [tagged["id"]]
    assert client.get("/api/v1/stores/999999/notes").status_code == 404
