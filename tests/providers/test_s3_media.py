"""Media on an S3-compatible store, against moto's S3 server on loopback (tests/s3_server.py)."""

from __future__ import annotations

import io
import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Note, NoteImage
from app.providers.media import (
    CACHE_CONTROL,
    LocalMediaStorage,
    MediaStoreError,
    S3MediaStorage,
    storage_from_settings,
)
from app.services.images import MediaUnavailable, process_image
from config import ConfigurationError, ProductionConfig
from tests.notes_factories import image_bytes

pytest_plugins = ["tests.s3_server"]


def fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
    """GET over real HTTP, the way a browser would."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), {k.lower(): v for k, v in
                                                      response.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), {}


def allow_public_reads(s3_server, bucket: str) -> None:
    """The bucket policy the README gives for MEDIA_URL_MODE=public."""
    s3_server.client().put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{bucket}/*"}]}))


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count(Note.id))),
            db.session.scalar(select(func.count(NoteImage.id))))


# The provider -------------------------------------------------------------------------------
def test_upload_read_and_delete(s3_server, s3_bucket):
    storage = s3_server.storage(s3_bucket)
    storage.save("notes/7/abc-thumb.webp", b"RIFF-webp-bytes", "image/webp")
    assert storage.read("notes/7/abc-thumb.webp") == b"RIFF-webp-bytes"
    head = s3_server.client().head_object(Bucket=s3_bucket, Key="notes/7/abc-thumb.webp")
    assert head["ContentType"] == "image/webp"
    assert head["CacheControl"] == CACHE_CONTROL == "public, max-age=31536000, immutable"
    assert storage.stat("notes/7/abc-thumb.webp").size == len(b"RIFF-webp-bytes")
    storage.delete("notes/7/abc-thumb.webp")
    assert storage.stat("notes/7/abc-thumb.webp") is None
    assert s3_server.keys(s3_bucket) == []
    storage.delete("notes/7/never-there.webp")  # absent is fine


def test_public_urls_are_plain_and_served_by_a_public_bucket(s3_server, s3_bucket):
    storage = s3_server.storage(s3_bucket)
    storage.save("stores/3/logo-logo.webp", b"logo-bytes", "image/webp")
    url = storage.url("stores/3/logo-logo.webp")
    assert url == f"{s3_server.endpoint_url}/{s3_bucket}/stores/3/logo-logo.webp"
    assert fetch(url)[0] == 403  # a private bucket refuses anonymous reads
    allow_public_reads(s3_server, s3_bucket)
    status, body, headers = fetch(url)
    assert (status, body) == (200, b"logo-bytes")
    assert headers["content-type"] == "image/webp"
    assert headers["cache-control"] == CACHE_CONTROL


def test_public_urls_through_a_cdn_or_on_aws():
    cdn = S3MediaStorage(bucket="media", public_base_url="https://cdn.example.com/m/")
    assert cdn.url("notes/1/a b-thumb.webp") == "https://cdn.example.com/m/notes/1/a%20b-thumb.webp"
    aws = S3MediaStorage(bucket="qiao-media", region="eu-west-1")
    assert aws.url("k.webp") == "https://qiao-media.s3.eu-west-1.amazonaws.com/k.webp"


def test_signed_urls_serve_the_bytes_until_they_expire(s3_server, s3_bucket):
    storage = s3_server.storage(s3_bucket, url_mode="signed", signed_url_seconds=120)
    storage.save("returns/5/x-large.webp", b"photo-bytes", "image/webp")
    url = storage.url("returns/5/x-large.webp")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=120" in url
    assert fetch(f"{s3_server.endpoint_url}/{s3_bucket}/returns/5/x-large.webp")[0] == 403
    status, body, headers = fetch(url)
    assert (status, body, headers["content-type"]) == (200, b"photo-bytes", "image/webp")
    # The same URL for a while, so pages and browser caches keep it between views.
    assert storage.url("returns/5/x-large.webp") == url
    s3_server.advance(121)
    status, body, _ = fetch(url)
    assert status == 403 and b"Request has expired" in body


def test_an_unreachable_store_is_a_media_store_error_quickly(app):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    storage = S3MediaStorage(bucket="media", endpoint_url=f"http://127.0.0.1:{port}",
                             access_key_id="k", secret_access_key="s", timeout_seconds=2,
                             max_attempts=1)
    with pytest.raises(MediaStoreError, match="could not upload"):
        storage.save("a.webp", b"x", "image/webp")
    storage.delete("a.webp")  # logged, not raised: the row is already gone


# Images through the pipeline ----------------------------------------------------------------
def test_a_refused_rendition_removes_the_ones_already_stored(app, s3_server, s3_bucket,
                                                            s3_storage):
    s3_server.refused_suffixes = ("-thumb.webp",)  # the second rendition is refused
    with app.test_request_context(), pytest.raises(MediaUnavailable) as refused:
        process_image(image_bytes(), field="images", prefix="notes/1",
                      renditions={"display": 64, "thumb": 32})
    assert refused.value.code == "media_unavailable" and refused.value.status == 503
    assert refused.value.fields == {"images": [refused.value.message]}
    assert s3_server.keys(s3_bucket) == []  # the display rendition went again


def test_a_note_posted_through_the_api_lands_in_the_bucket(client, make_user, api_token,
                                                           s3_server, s3_bucket, s3_storage):
    s3_storage.url_mode = "signed"
    response = client.post("/api/v1/notes", headers=api_token(make_user()),
                           content_type="multipart/form-data",
                           data={"title": "Night market", "body": "Snacks",
                                 "images[]": [(io.BytesIO(image_bytes()), "a.jpg")]})
    assert response.status_code == 201, response.get_json()
    urls = response.get_json()["images"][0]["urls"]
    assert len(s3_server.keys(s3_bucket)) == 2
    status, body, headers = fetch(urls["thumb"])
    assert status == 200 and body[:4] == b"RIFF" and headers["content-type"] == "image/webp"
    # An old /media/ link sends the browser to the bucket.
    key = s3_server.keys(s3_bucket)[0]
    moved = client.get(f"/media/{key}")
    assert moved.status_code == 302 and moved.headers["Location"].startswith(
        f"{s3_server.endpoint_url}/{s3_bucket}/{key}?")


# A store that refuses: no note, no rows, no objects, the user told ---------------------------
def test_a_refused_upload_through_the_web_form_creates_nothing(client, make_user, login,
                                                              post_form, s3_server, s3_bucket,
                                                              s3_storage):
    login(make_user())
    s3_server.refused_suffixes = ("-thumb.webp",)
    before = counts()
    response = post_form("/notes/new", {
        "title": "Lipsticks", "body": "Shade 999", "publish": "Publish",
        "images": [(io.BytesIO(image_bytes()), "a.jpg"), (io.BytesIO(image_bytes()), "b.jpg")],
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "The image could not be stored right now" in response.get_data(as_text=True)
    assert counts() == before
    assert s3_server.keys(s3_bucket) == []


def test_a_refused_upload_through_the_api_creates_nothing(client, make_user, api_token,
                                                          s3_server, s3_bucket, s3_storage):
    headers = api_token(make_user())
    s3_server.refused_suffixes = ("-display.webp",)
    before = counts()
    response = client.post("/api/v1/notes", headers={**headers, "Idempotency-Key": "m-1"},
                           content_type="multipart/form-data",
                           data={"title": "Tea", "body": "Oolong",
                                 "images[]": [(io.BytesIO(image_bytes()), "a.jpg")]})
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "media_unavailable"
    assert "nothing was saved" in error["message"]
    assert counts() == before
    assert s3_server.keys(s3_bucket) == []


def test_a_missing_bucket_is_told_in_chinese(client, make_user, api_token, s3_server, app,
                                             monkeypatch):
    monkeypatch.setitem(app.extensions, "qiao_media", s3_server.storage("no-such-bucket"))
    before = counts()
    response = client.post("/api/v1/notes",
                           headers={**api_token(make_user()), "Accept-Language": "zh-CN"},
                           content_type="multipart/form-data",
                           data={"title": "茶", "body": "乌龙",
                                 "images[]": [(io.BytesIO(image_bytes()), "a.jpg")]})
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "media_unavailable" and "图片" in error["message"]
    assert counts() == before


# flask media migrate ------------------------------------------------------------------------
@pytest.fixture
def local_media(app, tmp_path, monkeypatch) -> Path:
    root = tmp_path / "media"
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(root))
    files = {"avatars/1/a-256.webp": b"avatar", "notes/2/b-thumb.webp": b"thumb!",
             "notes/2/b-display.webp": b"display-bytes", "returns/3/c-large.webp": b"r"}
    for key, data in files.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(data)
    (root / "notes/2/half-written.webp.part").write_bytes(b"partial")
    return root


def test_migrate_copies_the_local_folder_once(runner, local_media, s3_server, s3_bucket,
                                              s3_storage):
    dry = runner.invoke(args=["media", "migrate", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would copy 4 file(s)" in dry.output and "0 already there" in dry.output
    assert s3_server.keys(s3_bucket) == []

    first = runner.invoke(args=["media", "migrate"])
    assert first.exit_code == 0, first.output
    assert "Copied 4 file(s) (26 bytes)" in first.output and "0 already there" in first.output
    assert s3_server.keys(s3_bucket) == ["avatars/1/a-256.webp", "notes/2/b-display.webp",
                                         "notes/2/b-thumb.webp", "returns/3/c-large.webp"]
    assert s3_storage.read("notes/2/b-display.webp") == b"display-bytes"
    head = s3_server.client().head_object(Bucket=s3_bucket, Key="notes/2/b-thumb.webp")
    assert (head["ContentType"], head["CacheControl"]) == ("image/webp", CACHE_CONTROL)

    again = runner.invoke(args=["media", "migrate"])
    assert "Copied 0 file(s)" in again.output and "4 already there" in again.output

    (local_media / "avatars/1/a-256.webp").write_bytes(b"avatar-changed")  # other size
    (local_media / "returns/3/c-large.webp").write_bytes(b"R")  # same size, other content
    changed = runner.invoke(args=["media", "migrate"])
    assert "Copied 2 file(s)" in changed.output and "2 already there" in changed.output
    assert s3_storage.read("avatars/1/a-256.webp") == b"avatar-changed"
    assert s3_storage.read("returns/3/c-large.webp") == b"R"


def test_migrate_reports_refused_files_and_fails(runner, local_media, s3_server, s3_bucket,
                                                 s3_storage):
    s3_server.refused_suffixes = ("-thumb.webp",)
    result = runner.invoke(args=["media", "migrate"])
    assert result.exit_code == 1
    assert "Copied 3 file(s)" in result.output
    assert "Failed: notes/2/b-thumb.webp" in result.output
    assert "1 file(s) could not be copied" in result.output


def test_migrate_needs_object_storage_configured(runner, local_media):
    result = runner.invoke(args=["media", "migrate"])
    assert result.exit_code == 1 and "Set MEDIA_STORAGE=s3" in result.output


# Configuration ------------------------------------------------------------------------------
def test_the_setting_chooses_the_backend(tmp_path):
    local = storage_from_settings({"MEDIA_ROOT": str(tmp_path)})
    assert isinstance(local, LocalMediaStorage)
    s3 = storage_from_settings({"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "media",
                                "MEDIA_S3_ENDPOINT_URL": "http://127.0.0.1:9000/",
                                "MEDIA_URL_MODE": "signed", "MEDIA_SIGNED_URL_SECONDS": 600,
                                "MEDIA_ROOT": str(tmp_path)})
    assert isinstance(s3, S3MediaStorage)
    assert (s3.bucket, s3.endpoint_url, s3.url_mode, s3.signed_url_seconds) == (
        "media", "http://127.0.0.1:9000", "signed", 600)


@pytest.mark.parametrize(("settings", "problem"), [
    ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE='ftp' is not one of local, s3"),
    ({"MEDIA_STORAGE": "s3"}, "needs MEDIA_S3_BUCKET"),
    ({"MEDIA_URL_MODE": "secret"}, "MEDIA_URL_MODE='secret'"),
    ({"MEDIA_SIGNED_URL_SECONDS": 8 * 86400}, "MEDIA_SIGNED_URL_SECONDS must be"),
])
def test_bad_media_settings_refuse_to_start(settings, problem, tmp_path, monkeypatch):
    with pytest.raises(ConfigurationError, match=problem):
        storage_from_settings({"MEDIA_ROOT": str(tmp_path), **settings})
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 40)
    for name, value in settings.items():
        monkeypatch.setattr(ProductionConfig, name, value)
    with pytest.raises(ConfigurationError, match=problem):
        ProductionConfig.validate()


def test_a_refused_product_image_leaves_no_product_rows_or_objects(client, login, make_org,
                                                                   make_user, s3_server,
                                                                   s3_bucket, s3_storage):
    from tests.catalog_factories import make_shop, png_bytes
    from tests.web.test_merchant_products import catalog_state, new_product_form

    shop = make_shop(make_org, make_user)
    login(shop.owner)
    before = catalog_state(shop.store.id)
    data = new_product_form(client, shop.store.id)
    data.update({"title": "Vase", "variants-0-sku": "VASE", "variants-0-price": "30.00"})
    s3_server.uploads_left = 4  # the first image's three renditions, then one more
    response = client.post(
        f"/merchant/stores/{shop.store.id}/products/new",
        data={**data, "images": [(io.BytesIO(png_bytes()), "one.png"),
                                 (io.BytesIO(png_bytes(color=(0, 0, 200))), "two.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 503
    assert "The image could not be stored right now" in response.get_data(as_text=True)
    assert catalog_state(shop.store.id) == before
    assert s3_server.keys(s3_bucket) == []  # the first image's renditions went again
