"""The age gate: an adults-only note asks guests and unconfirmed users to confirm 18+ first."""

from __future__ import annotations

from app.extensions import db
from app.models import User
from app.services.social.engagement import add_comment
from tests.conftest import csrf_from

pytest_plugins = ["tests.notes_fixtures"]


def gated_note(quick_note, make_user):
    note = quick_note(make_user(), title="Late-night cocktail recipes", body="Strong ones.")
    note.moderation_state = "age_gated"
    db.session.commit()
    return note


def confirm(client, page_html: str, url: str):
    return client.post("/age-confirmation", data={"csrf_token": csrf_from(page_html),
                                                  "next": url})


def test_a_guest_confirms_once_per_session_then_reads(client, quick_note, make_user):
    note = gated_note(quick_note, make_user)
    url = f"/notes/{note.id}"

    gate = client.get(url)
    page = gate.get_data(as_text=True)
    assert gate.status_code == 200
    assert "This note is for adults 18+" in page
    assert "Strong ones." not in page and note.title not in page

    answer = confirm(client, page, url)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(url)
    shown = client.get(url).get_data(as_text=True)
    assert "Strong ones." in shown and "This note is for adults 18+" not in shown


def test_a_signed_in_users_confirmation_is_kept_on_the_account(client, login, quick_note,
                                                                make_user):
    note = gated_note(quick_note, make_user)
    reader = make_user()
    login(reader)
    url = f"/notes/{note.id}"
    page = client.get(url).get_data(as_text=True)
    assert "I am 18 or older" in page

    confirm(client, page, url)

    db.session.expire_all()
    assert db.session.get(User, reader.id).adult_confirmed_at is not None
    assert "Strong ones." in client.get(url).get_data(as_text=True)


def test_a_guests_confirmation_is_kept_on_the_account_they_log_in_to(client, login,
                                                                    quick_note, make_user):
    note = gated_note(quick_note, make_user)
    reader = make_user()
    url = f"/notes/{note.id}"
    confirm(client, client.get(url).get_data(as_text=True), url)

    login(reader)

    db.session.expire_all()
    assert db.session.get(User, reader.id).adult_confirmed_at is not None
    page = client.get(url).get_data(as_text=True)
    assert "Strong ones." in page and "I am 18 or older" not in page
    liked = client.post(f"/notes/{note.id}/like", data={"csrf_token": csrf_from(page)})
    assert liked.status_code in (302, 303)


def test_logging_in_without_confirming_leaves_the_account_unconfirmed(client, login,
                                                                      quick_note, make_user):
    note = gated_note(quick_note, make_user)
    reader = make_user()
    client.get(f"/notes/{note.id}")
    login(reader)
    db.session.expire_all()
    assert db.session.get(User, reader.id).adult_confirmed_at is None


def test_the_author_is_not_asked(client, login, quick_note, make_user):
    note = gated_note(quick_note, make_user)
    login(note.author)
    assert "Strong ones." in client.get(f"/notes/{note.id}").get_data(as_text=True)


def test_the_gate_speaks_chinese(client, quick_note, make_user):
    note = gated_note(quick_note, make_user)
    page = client.get(f"/notes/{note.id}", headers={"Accept-Language": "zh-CN"}) \
        .get_data(as_text=True)
    assert "这篇笔记仅限 18 岁以上成年人查看" in page and "我已年满 18 岁" in page


def test_confirming_does_not_redirect_off_site(client, quick_note, make_user):
    note = gated_note(quick_note, make_user)
    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    answer = confirm(client, page, "https://evil.example/")
    assert "evil.example" not in answer.headers["Location"]


def test_the_api_answers_403_until_the_account_confirms(client, api_token, quick_note,
                                                         make_user):
    note = gated_note(quick_note, make_user)
    url = f"/api/v1/notes/{note.id}"

    guest = client.get(url)
    assert guest.status_code == 403
    assert guest.get_json()["error"]["code"] == "age_confirmation_required"
    headers = api_token(make_user())
    assert client.get(url, headers=headers).status_code == 403

    confirmed = client.post("/api/v1/me/adult-confirmation", headers=headers)
    assert confirmed.status_code == 200
    first = confirmed.get_json()["adult_confirmed_at"]
    again = client.post("/api/v1/me/adult-confirmation", headers=headers).get_json()
    assert again["adult_confirmed_at"] == first  # the first date stays

    assert client.get(url, headers=headers).get_json()["title"] == note.title
    assert client.get(url, headers=api_token(note.author)).status_code == 200


def test_an_adults_only_cover_is_not_shown_on_cards(client, login, quick_note, make_user):
    note = gated_note(quick_note, make_user)
    login(note.author)
    profile = client.get(f"/u/{note.author_id}").get_data(as_text=True)
    card = profile.split(f'data-note-id="{note.id}"')[1].split("</article>")[0]
    assert 'data-testid="adults-only-cover"' in card and "fake-thumb" not in card


def test_every_part_of_an_adults_only_note_is_gated_in_the_api(client, api_token, quick_note,
                                                                make_user):
    note = gated_note(quick_note, make_user)
    note.question_to = "china"  # a question, so it has answers too
    comment = add_comment(note.author, note.id, "Shaken, never stirred.")
    db.session.commit()
    reads = [f"/api/v1/notes/{note.id}/comments", f"/api/v1/notes/{note.id}/answers",
             f"/api/v1/notes/{note.id}/translation?target=zh",
             f"/api/v1/translations/note/{note.id}?target=zh",
             f"/api/v1/translations/comment/{comment.id}?target=zh"]
    writes = [f"/api/v1/notes/{note.id}/like", f"/api/v1/notes/{note.id}/collect",
              f"/api/v1/comments/{comment.id}/like"]
    headers = api_token(make_user())

    for url in reads:
        for who in ({}, headers):
            answer = client.get(url, headers=who)
            assert answer.status_code == 403, url
            assert answer.get_json()["error"]["code"] == "age_confirmation_required"
            assert "Shaken" not in answer.get_data(as_text=True)
    for url in writes:
        assert client.post(url, headers=headers).status_code == 403, url
    said = client.post(f"/api/v1/notes/{note.id}/comments", json={"body": "Cheers"},
                       headers=headers)
    assert said.status_code == 403

    client.post("/api/v1/me/adult-confirmation", headers=headers)
    listed = client.get(f"/api/v1/notes/{note.id}/comments", headers=headers)
    assert [c["body"] for c in listed.get_json()["items"]] == ["Shaken, never stirred."]
    assert client.get(f"/api/v1/notes/{note.id}/answers", headers=headers).status_code == 200
    for url in writes:
        assert client.post(url, headers=headers).status_code == 200, url
    assert client.post(f"/api/v1/notes/{note.id}/comments", json={"body": "Cheers"},
                       headers=headers).status_code == 201


def test_lists_in_the_api_leave_out_an_adults_only_notes_text_and_pictures(
        client, api_token, quick_note, make_user):
    note = gated_note(quick_note, make_user)
    headers = api_token(make_user())
    url = f"/api/v1/users/{note.author_id}/notes"

    for who in ({}, headers):
        [item] = client.get(url, headers=who).get_json()["items"]
        assert item["age_gated"] is True and item["title"] == note.title
        assert item["body"] == "" and item["images"] == [] and item["cover"] is None
    searched = client.get("/api/v1/search?q=cocktail&type=notes").get_data(as_text=True)
    assert note.title in searched and "Strong ones." not in searched

    client.post("/api/v1/me/adult-confirmation", headers=headers)
    [item] = client.get(url, headers=headers).get_json()["items"]
    assert item["age_gated"] is False and item["body"] == "Strong ones."
    assert item["images"] and item["cover"] is not None


def test_see_translation_of_an_adults_only_note_waits_for_the_guests_confirmation(
        client, quick_note, make_user):
    note = gated_note(quick_note, make_user)
    url = f"/translations/note/{note.id}"
    refused = client.get(url)
    assert refused.status_code == 403 and "Strong ones." not in refused.get_data(as_text=True)

    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    confirm(client, page, f"/notes/{note.id}")
    assert client.get(url).status_code == 200
