"""The account pages: change password and e-mail, profile and avatar, personal access tokens."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, User
from app.services.accounts.passwords import verify_password
from tests.conftest import PASSWORD, csrf_from
from tests.web.test_auth import field_errors, is_logged_in, user_by_email

NEW_PASSWORD = "a-fresh-long-passphrase"


def security_form(post_form, which: str, data: dict, **kwargs):
    prefix = "pw" if which == "password" else "em"
    return post_form(f"/account/security/{which}",
                     {f"{prefix}-{key}": value for key, value in data.items()},
                     page="/account/security", **kwargs)


# Change password ------------------------------------------------------------------------------
def test_security_page_renders(client, make_user, login):
    login(make_user())
    page = client.get("/account/security")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="pw-current_password"' in html and 'name="em-email"' in html


def test_change_password_logs_out_everywhere(app, client, make_user, login, post_form):
    user = make_user()
    tablet = app.test_client()
    login(user)
    login(user, target=tablet)
    response = security_form(post_form, "password", {
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert verify_password(user_by_email(user.email).password_hash, NEW_PASSWORD)
    assert not is_logged_in(client)
    assert not is_logged_in(tablet)
    assert "Password changed" in client.get("/auth/login").get_data(as_text=True)
    login(user, password=NEW_PASSWORD)


def test_change_password_with_a_wrong_current_password(client, make_user, login, post_form):
    user = make_user()
    login(user)
    response = security_form(post_form, "password", {
        "current_password": "not-my-password", "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "pw-current_password") == [
        "Your current password is wrong."]
    assert verify_password(user_by_email(user.email).password_hash, PASSWORD)
    assert is_logged_in(client)


def test_change_password_to_a_weak_one(make_user, login, post_form):
    user = make_user()
    login(user)
    response = security_form(post_form, "password", {
        "current_password": PASSWORD, "password": "qwertyuiop", "confirm": "qwertyuiop"})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "pw-password") == [
        "This password is too common or too easy to guess."]
    assert verify_password(user_by_email(user.email).password_hash, PASSWORD)


def test_change_password_to_the_same_one(make_user, login, post_form):
    user = make_user()
    login(user)
    response = security_form(post_form, "password", {
        "current_password": PASSWORD, "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "pw-password") == [
        "The new password must differ from the current one."]
    stored = user_by_email(user.email)
    assert stored.session_version == 1


def test_change_password_with_a_mismatched_confirmation(make_user, login, post_form):
    login(make_user())
    response = security_form(post_form, "password", {
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": "something-else-1"})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "pw-confirm") == [
        "The two passwords differ."]


def test_change_password_revokes_api_login_tokens(client, make_user, login, post_form,
                                                  api_token):
    user = make_user()
    headers = api_token(user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    login(user)
    security_form(post_form, "password", {
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert client.get("/api/v1/me", headers=headers).status_code == 401


# Change e-mail --------------------------------------------------------------------------------
def test_change_email_through_the_confirmation_link(client, make_user, login, post_form,
                                                     outbox, mail_link):
    user = make_user("old@example.com")
    login(user)
    response = security_form(post_form, "email", {"email": "New@Example.com",
                                                  "password": PASSWORD})
    assert response.status_code == 302
    assert "We sent a confirmation link to new@example.com" in client.get(
        "/account/security").get_data(as_text=True)
    assert [m.to_address for m in outbox("email_change")] == ["new@example.com"]
    notice = outbox("email_change_notice")
    assert [m.to_address for m in notice] == ["old@example.com"]
    assert "new@example.com" in notice[0].body_text
    assert user_by_email("old@example.com") is not None  # nothing changes until confirmed

    link = mail_link("email_change")
    response = client.get(link)
    assert response.status_code == 302
    assert user_by_email("old@example.com") is None
    changed = user_by_email("new@example.com")
    assert changed.id == user.id and changed.is_email_verified
    # The link works once.
    again = client.get(link)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_change_email_to_a_taken_address_answers_as_for_a_free_one(client, make_user, login,
                                                                  post_form, outbox):
    """The page, the flash and the mover's own notice are those of a free address."""
    owner = make_user("someone@example.com")
    user = make_user("me@example.com")
    login(user)
    taken = security_form(post_form, "email", {"email": "SOMEONE@example.com",
                                               "password": PASSWORD})
    assert taken.status_code == 302 and taken.location.endswith("/account/security")
    assert "We sent a confirmation link to someone@example.com" in client.get(
        "/account/security").get_data(as_text=True)
    assert outbox("email_change") == []  # no link that could move the address
    [attempt] = outbox("email_change_attempt")
    assert attempt.to_address == owner.email and "Nothing has changed" in attempt.body_text
    [notice] = outbox("email_change_notice")
    assert notice.to_address == "me@example.com" and "someone@example.com" in notice.body_text
    assert user_by_email("me@example.com").id == user.id
    assert user_by_email("someone@example.com").id == owner.id

    free = security_form(post_form, "email", {"email": "free@example.com",
                                              "password": PASSWORD})
    assert (free.status_code, free.location) == (taken.status_code, taken.location)
    assert [m.to_address for m in outbox("email_change_notice")] == ["me@example.com"] * 2


def test_change_email_needs_the_password(make_user, login, post_form, outbox):
    login(make_user("me@example.com"))
    response = security_form(post_form, "email", {"email": "new@example.com",
                                                  "password": "not-my-password"})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "em-password") == [
        "Your password is wrong."]
    assert outbox() == []


def test_change_email_to_an_invalid_address(make_user, login, post_form, outbox):
    login(make_user("me@example.com"))
    response = security_form(post_form, "email", {"email": "nope", "password": PASSWORD})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "em-email")
    assert outbox() == []


def test_confirming_an_address_someone_took_meanwhile(client, make_user, login, post_form,
                                                      mail_link):
    user = make_user("me@example.com")
    login(user)
    security_form(post_form, "email", {"email": "wanted@example.com", "password": PASSWORD})
    make_user("wanted@example.com")
    response = client.get(mail_link("email_change"))
    assert response.status_code == 409
    assert user_by_email("me@example.com") is not None


def test_a_tampered_email_change_link(client, make_user, login, post_form, mail_link):
    login(make_user("me@example.com"))
    security_form(post_form, "email", {"email": "new@example.com", "password": PASSWORD})
    link = mail_link("email_change")
    assert client.get(link[:-2]).status_code == 400
    assert user_by_email("me@example.com") is not None


# Profile and avatar ---------------------------------------------------------------------------
def jpeg_with_exif(size=(640, 480)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 15.0), 3: "E", 4: (116.0, 23.0, 29.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def save_profile(post_form, **changes):
    data = {"display_name": "Lin Mei", "bio": "", "home_country": "", **changes}
    return post_form("/account/profile", data, content_type="multipart/form-data")


def test_edit_profile_fields(client, make_user, login, post_form):
    user = make_user()
    login(user)
    response = save_profile(post_form, display_name="  Lin Mei ", bio="Tea and travel.",
                            home_country="CN", languages=["zh", "en"])
    assert response.status_code == 302
    stored = user_by_email(user.email)
    assert stored.display_name == "Lin Mei"
    assert stored.bio == "Tea and travel."
    assert stored.home_country == "CN"
    assert stored.languages == ["en", "zh"]
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Profile saved." in page
    assert 'value="Lin Mei"' in page
    assert '<option selected value="CN">' in page or 'value="CN" selected' in page


def test_profile_rejects_bad_values(make_user, login, post_form):
    user = make_user(display_name="Before")
    login(user)
    response = save_profile(post_form, display_name="", bio="x" * 501, home_country="XX",
                            languages=["tlh"])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_errors(html, "display_name") == ["Enter the name other people will see."]
    assert field_errors(html, "bio")
    assert field_errors(html, "home_country")
    assert user_by_email(user.email).display_name == "Before"


def test_avatar_upload_strips_exif_and_stores_webp(app, client, make_user, login, post_form):
    user = make_user()
    login(user)
    response = save_profile(post_form, avatar=(io.BytesIO(jpeg_with_exif()), "me.jpg"))
    assert response.status_code == 302
    stored = user_by_email(user.email)
    assert stored.avatar_path.startswith(f"avatars/{user.id}/")
    assert stored.avatar_path.endswith(".webp")
    data = (Path(app.config["MEDIA_ROOT"]) / stored.avatar_path).read_bytes()
    assert b"SecretCam" not in data and b"Exif" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP"
    assert "exif" not in image.info
    assert len(image.getexif()) == 0
    assert image.size == (192, 256)  # turned upright by the orientation tag, then resized
    served = client.get(f"/media/{stored.avatar_path}")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert served.data == data
    assert f"/media/{stored.avatar_path}" in client.get("/account/profile").get_data(
        as_text=True)


def test_a_new_avatar_replaces_the_old_file(app, make_user, login, post_form):
    user = make_user()
    login(user)
    save_profile(post_form, avatar=(io.BytesIO(jpeg_with_exif()), "one.jpg"))
    first = user_by_email(user.email).avatar_path
    save_profile(post_form, avatar=(io.BytesIO(jpeg_with_exif((100, 100))), "two.jpg"))
    second = user_by_email(user.email).avatar_path
    assert second != first
    media = Path(app.config["MEDIA_ROOT"])
    assert (media / second).exists() and not (media / first).exists()


def test_a_non_image_named_jpg_is_rejected(make_user, login, post_form):
    user = make_user()
    login(user)
    response = save_profile(post_form, avatar=(io.BytesIO(b"%PDF-1.7 not a picture" * 50),
                                               "holiday.jpg"))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "avatar") == [
        "The file is not a JPEG, PNG or WebP image, or it is damaged."]
    assert user_by_email(user.email).avatar_path is None


def test_a_disallowed_extension_is_rejected(make_user, login, post_form):
    login(make_user())
    response = save_profile(post_form, avatar=(io.BytesIO(b"GIF89a...."), "anim.gif"))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "avatar") == [
        "Upload a JPEG, PNG or WebP image."]


def test_an_oversized_avatar_is_rejected_with_a_clear_message(make_user, login, post_form):
    user = make_user()
    login(user)
    big = jpeg_with_exif() + b"\0" * (5 * 1024 * 1024)
    response = save_profile(post_form, avatar=(io.BytesIO(big), "huge.jpg"))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "avatar") == [
        "Images can be at most 5 MB."]
    assert user_by_email(user.email).avatar_path is None


def test_profile_pages_need_login(client):
    for path in ("/account/profile", "/account/security", "/account/tokens"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")


# Personal access tokens -----------------------------------------------------------------------
SECRET = re.compile(r'id="new-token-secret">(qiao_[A-Za-z0-9_\-]+)<')


def create_token(post_form, name="ERP sync", scopes=("read",), days=""):
    return post_form("/account/tokens", {"name": name, "scopes": list(scopes),
                                         "expires_in_days": days})


def test_personal_token_is_shown_once_listed_and_revocable(client, make_user, login,
                                                           post_form):
    user = make_user()
    login(user)
    response = create_token(post_form, scopes=("read", "write"), days="30")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    secret = SECRET.search(html).group(1)
    assert "Copy it now: it will not be shown again." in html

    listing = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in listing
    assert "ERP sync" in listing and secret[:12] in listing
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.token_hash != secret and secret not in token.token_hash
    assert token.scopes == ["read", "write"]

    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).get_json()["id"] == user.id

    revoke = client.post(f"/account/tokens/{token.id}/revoke",
                         data={"csrf_token": csrf_from(listing)})
    assert revoke.status_code == 302
    after = client.get("/account/tokens").get_data(as_text=True)
    assert "Token ERP sync revoked." in after
    assert "ERP sync</td>" not in after
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_token_form_validation(make_user, login, post_form):
    login(make_user())
    response = create_token(post_form, name="", scopes=(), days="999")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_errors(html, "name") == ["Name the token."]
    assert field_errors(html, "expires_in_days")
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_token_without_scopes_is_refused(make_user, login, post_form):
    login(make_user())
    response = create_token(post_form, scopes=())
    assert response.status_code == 422
    assert "Choose at least one scope." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_cannot_revoke_someone_elses_token(client, make_user, login, post_form):
    owner = make_user()
    from app.services.accounts.api_tokens import create_personal_token

    token, _secret = create_personal_token(owner, "theirs", ["read"], None)
    db.session.commit()
    login(make_user())
    page = client.get("/account/tokens").get_data(as_text=True)
    response = client.post(f"/account/tokens/{token.id}/revoke",
                           data={"csrf_token": csrf_from(page)})
    assert response.status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_user_model_keeps_sessions_versioned(make_user):
    user = make_user()
    assert user.get_id() == f"{user.id}:1"
    assert isinstance(db.session.get(User, user.id), User)


def test_profile_country_names_follow_the_ui_language(client, make_user, login):
    login(make_user(locale="zh"))
    html = client.get("/account/profile").get_data(as_text=True)
    assert re.search(r'<option (selected )?value="CN"( selected)?>中国</option>', html)
