"""Event pages: the community team's admin form (in the viewer's time zone), the public list
and event page in both languages, joining and entering through the buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Event, EventEntry, Notification, utcnow
from app.services.social import events
from app.services.social.events import EventInput

pytest_plugins = ["tests.notes_fixtures"]


def _running_event(creator, **changes) -> Event:
    values = dict(title_en="Tea around the world", title_zh="世界各地的茶",
                  prompt_en="Show us your cup.", prompt_zh="晒出你的那杯茶。", topic="tea",
                  starts_at=utcnow() - timedelta(hours=1), ends_at=utcnow() + timedelta(days=3),
                  rules="One note per person.", prizes="A tin of Longjing")
    values.update(changes)
    event = events.create_event(creator, EventInput(**values))
    db.session.commit()
    return event


def _form(**changes) -> dict:
    data = {"title_en": "Tea around the world", "title_zh": "世界各地的茶",
            "prompt_en": "Show us your cup.", "prompt_zh": "晒出你的那杯茶。", "topic": "#tea",
            "starts_at": "2030-03-01T09:00", "ends_at": "2030-03-08T21:00",
            "rules": "One note per person.", "prizes": "", "sponsor_id": "0"}
    data.update(changes)
    return data


def test_the_community_team_creates_an_event_on_its_own_clock(
        client, login, post_form, make_user, make_org):
    team = make_user(roles=("community",), time_zone="Asia/Shanghai")
    brand = make_org("brand", name="Lumi Beauty")
    login(team)
    response = post_form("/admin/events/new", _form(sponsor_id=str(brand.id)))
    assert response.status_code == 303
    event = db.session.scalar(select(Event))
    # 09:00 in Shanghai is 01:00 UTC.
    assert event.starts_at == datetime(2030, 3, 1, 1, 0, tzinfo=UTC)
    assert event.sponsor_id == brand.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sponsored by Lumi Beauty" in page
    assert "Mar 1, 2030, 9:00\u202fAM GMT+08:00" in page


def test_event_form_errors_are_specific_and_nothing_is_saved(client, login, post_form,
                                                             make_user):
    login(make_user(roles=("community",)))
    response = post_form("/admin/events/new", _form(topic="tea time", title_zh="",
                                                    ends_at="2030-02-01T09:00"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give the event a Chinese title." in page
    assert db.session.scalar(select(Event.id)) is None
    response = post_form("/admin/events/new", _form(topic="tea time",
                                                    ends_at="2030-02-01T09:00"))
    page = response.get_data(as_text=True)
    assert "Enter one topic: letters and digits only" in page
    assert "The end must come after the start." in page
    assert db.session.scalar(select(Event.id)) is None


def test_people_without_the_community_role_cannot_open_the_events_admin(
        client, login, make_user):
    login(make_user(roles=("moderator",)))
    assert client.get("/admin/events/new").status_code == 403


def test_the_community_team_edits_an_event_but_not_the_rest_of_admin(
        client, login, post_form, make_user):
    team = make_user(roles=("community",))
    event = _running_event(team)
    login(team)
    assert client.get("/admin/users").status_code == 403
    form = client.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert "Tea around the world" in form
    response = post_form(f"/admin/events/{event.id}/edit",
                         _form(title_en="Tea around the world, again",
                               starts_at="2020-01-01T00:00"))
    assert response.status_code == 303
    db.session.refresh(event)
    assert event.title_en == "Tea around the world, again"


def test_events_are_linked_from_discover_and_listed_in_both_languages(client, make_user):
    _running_event(make_user(roles=("community",)))
    assert "/events" in client.get("/").get_data(as_text=True)
    english = client.get("/events").get_data(as_text=True)
    assert "Tea around the world" in english and "Running now" in english
    chinese = client.get("/events", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "世界各地的茶" in chinese and "进行中" in chinese


@pytest.fixture
def entered_event(make_user, make_note):
    event = _running_event(make_user(roles=("community",)))
    china = make_user(home_country="CN")
    abroad = make_user(home_country="US")
    china_note = make_note(china, title="龙井", body="明前龙井，豆香很浓 #tea")
    abroad_note = make_note(abroad, title="Sencha at home",
                            body="Steeped for one minute, grassy and sweet #tea")
    events.enter_note(china, event.id, china_note.id)
    events.enter_note(abroad, event.id, abroad_note.id)
    db.session.commit()
    return event, china_note, abroad_note


def test_the_event_page_shows_entries_and_a_leaderboard_per_side(client, entered_event):
    event, china_note, abroad_note = entered_event
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    china_board = page.split('data-testid="leaderboard-china"')[1].split("</div>")[0]
    abroad_board = page.split('data-testid="leaderboard-abroad"')[1].split("</div>")[0]
    assert "龙井" in china_board and "Sencha at home" not in china_board
    assert "Sencha at home" in abroad_board
    assert page.count(f'data-note-id="{china_note.id}"') == 3  # combined, china, entries


def test_joining_and_entering_through_the_buttons(client, login, post_form, make_user,
                                                  make_note):
    event = _running_event(make_user(roles=("community",)))
    person = make_user()
    off_topic = make_note(person, body="Matcha #matcha")
    on_topic = make_note(person, body="Oolong #tea")
    login(person)
    page = f"/events/{event.id}"
    response = post_form(f"/events/{event.id}/join", {}, page=page, follow=True)
    assert "You joined the event." in response.get_data(as_text=True)
    response = post_form(f"/events/{event.id}/entries", {"note_id": off_topic.id}, page=page,
                         follow=True)
    assert "Add #tea to your note before entering it in this event." in \
        response.get_data(as_text=True)
    response = post_form(f"/events/{event.id}/entries", {"note_id": on_topic.id}, page=page,
                         follow=True)
    assert "Your note is entered." in response.get_data(as_text=True)
    assert db.session.scalar(select(EventEntry.note_id)) == on_topic.id


def test_joining_an_ended_event_says_so_in_chinese(client, login, post_form, make_user):
    event = _running_event(make_user(roles=("community",)))
    event.ends_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    person = make_user(locale="zh")
    login(person)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'data-testid="join-event"' not in page
    response = post_form(f"/events/{event.id}/join", {}, page="/", follow=True)
    assert "活动已结束" in response.get_data(as_text=True)


def test_notices_link_to_the_event(client, login, make_user, entered_event):
    event, china_note, _abroad = entered_event
    events.advance_events(now=utcnow() + timedelta(days=4))
    db.session.commit()
    login(china_note.author)
    page = client.get("/notifications").get_data(as_text=True)
    assert "“Tea around the world” has ended. See the winners." in page
    assert "Your note placed among the winners of “Tea around the world”." in page
    assert db.session.scalar(select(Notification.id).where(
        Notification.recipient_id == china_note.author_id,
        Notification.event_stage == "placed")) is not None
    shown = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'data-testid="winners"' in shown


def test_the_event_page_costs_the_same_queries_for_two_or_eight_entries(
        client, make_user, quick_note, entered_event):
    from app.models import NoteTopic
    from tests.notes_factories import QueryCounter

    event = entered_event[0]

    def page_statements() -> int:
        with QueryCounter() as counter:
            assert client.get(f"/events/{event.id}").status_code == 200
        return counter.count

    page_statements()  # the first request of a session warms caches
    few = page_statements()
    for i in range(6):
        author = make_user(home_country="US" if i % 2 else "CN")
        note = quick_note(author, title=f"Cup {i}", body="#tea",
                          language="en" if i % 2 else "zh", region=author.home_country)
        db.session.add(NoteTopic(note_id=note.id, topic_id=event.topic_id))
        db.session.flush()
        events.enter_note(author, event.id, note.id)
    db.session.commit()
    assert page_statements() == few


def test_a_sponsored_event_shows_its_brand_and_the_brand_sees_its_reach(
        client, login, post_form, make_user, make_org, make_note):
    owner = make_user(locale="zh")
    brand = make_org("brand", owner=owner, name="Lumi Tea")
    other_brand = make_org("brand", name="Other Brand")
    event = _running_event(make_user(roles=("community",)), sponsor_id=brand.id)
    _running_event(make_user(roles=("community",)), sponsor_id=other_brand.id,
                   title_en="Citywalk", title_zh="城市漫步", topic="citywalk")
    writer = make_user(home_country="US")
    events.join_event(writer, event.id)
    events.enter_note(writer, event.id, make_note(writer, "My cup", "Oolong #tea").id)
    db.session.commit()

    page = client.get(f"/events/{event.id}", headers={"Accept-Language": "zh-CN"})
    html = page.get_data(as_text=True)
    assert "由 Lumi Tea 赞助" in html
    assert f'data-event-view="/events/{event.id}/views"' in html
    # The page reports its own view (GET requests write nothing), twice here.
    for _ in range(2):
        assert post_form(f"/events/{event.id}/views", {}, page=f"/events/{event.id}"
                         ).status_code == 204
    assert post_form("/events/999999/views", {}, page=f"/events/{event.id}"
                     ).status_code == 404

    login(owner)
    portal = client.get(f"/brand/{brand.id}/events").get_data(as_text=True)
    assert "赞助的活动" in portal and "世界各地的茶" in portal and "城市漫步" not in portal
    figures = dict(zip(("participants", "entries", "views"),
                       (portal.split(f'data-testid="sponsored-{name}">')[1].split("<")[0]
                        for name in ("participants", "entries", "views")), strict=True))
    assert figures == {"participants": "1", "entries": "1", "views": "2"}
    # Another brand's staff, or a brand it does not belong to: not found.
    assert client.get(f"/brand/{other_brand.id}/events").status_code == 404
