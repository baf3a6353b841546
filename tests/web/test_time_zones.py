"""Times in the viewer's zone: the account's choice, else the browser's cookie, else UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.core.transaction import commit
from app.merchant.portal import day_param
from app.services.logistics.tracking import ingest_tracking_events
from app.services.logistics.tracking_reads import share_token
from app.web.links import site_links
from tests.logistics_factories import tracking_event

pytest_plugins = ["tests.checkout_factories", "tests.logistics_factories"]

AT_15_UTC = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def tracked(shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    event = tracking_event(shipment, "in_transit", AT_15_UTC, location="Shenzhen",
                           description="Departed sorting centre")
    event["occurred_at"] = "2026-11-02T23:00:00+08:00"  # 15:00 UTC on Shenzhen's clock
    ingest_tracking_events([event], source="webhook", links=site_links)
    commit()
    return shipped_order, shipment


def _timeline(html: str) -> str:
    match = re.search(r'<ol class="timeline".*?</ol>', html, re.S)
    assert match, "no timeline on the page"
    return match.group(0)


def test_a_tokyo_user_sees_a_15_utc_event_at_midnight_the_next_day(client, login, tracked):
    placed, _shipment = tracked
    placed.shopper.time_zone = "Asia/Tokyo"
    commit()
    login(placed.shopper)
    timeline = _timeline(client.get(f"/orders/{placed.order.id}").get_data(as_text=True))
    assert "Nov 3, 2026, 12:00\u202fAM GMT+09:00" in timeline
    # The scan's own clock stays available as a hint.
    assert "Nov 2, 2026, 11:00\u202fPM GMT+08:00 where it was scanned" in timeline


@pytest.mark.parametrize("cookie", ["Asia/Tokyo", "Asia%2FTokyo"])  # as timezone.js writes it
def test_a_visitor_gets_the_browser_zone_from_the_cookie(client, tracked, cookie):
    _placed, shipment = tracked
    client.set_cookie("qiao_tz", cookie)
    timeline = _timeline(client.get(f"/track/{share_token(shipment)}").get_data(as_text=True))
    assert "Nov 3, 2026, 12:00\u202fAM GMT+09:00" in timeline


@pytest.mark.parametrize("cookie", ["Mars/Olympus_Mons", "../../etc/passwd", "", "x" * 300])
def test_an_invalid_cookie_falls_back_to_utc(client, tracked, cookie):
    _placed, shipment = tracked
    client.set_cookie("qiao_tz", cookie)
    html = client.get(f"/track/{share_token(shipment)}").get_data(as_text=True)
    assert "Nov 2, 2026, 3:00\u202fPM GMT" in _timeline(html)
    assert "Times are in UTC (GMT+00:00)." in html


def test_the_chosen_zone_wins_over_the_browser(client, login, tracked):
    placed, _shipment = tracked
    placed.shopper.time_zone = "America/New_York"
    commit()
    login(placed.shopper)
    client.set_cookie("qiao_tz", "Asia/Tokyo")
    timeline = _timeline(client.get(f"/orders/{placed.order.id}").get_data(as_text=True))
    assert "Nov 2, 2026, 10:00\u202fAM GMT-05:00" in timeline


def test_chinese_timeline_has_no_english(client, login, tracked):
    placed, _shipment = tracked
    placed.shopper.locale = "zh"
    placed.shopper.time_zone = "Asia/Tokyo"
    commit()
    login(placed.shopper)
    timeline = _timeline(client.get(f"/orders/{placed.order.id}").get_data(as_text=True))
    assert "2026年11月3日 00:00 GMT+09:00" in timeline
    text = re.sub(r"<[^>]+>", " ", timeline)
    # What may stay Latin: the zone's "GMT" and what the carrier wrote (place, description).
    for allowed in ("GMT", "Shenzhen", "Departed sorting centre"):
        text = text.replace(allowed, "")
    assert not re.search(r"[A-Za-z]{2,}", text), text


def test_settings_offer_grouped_zones_and_save_one(client, login, post_form, make_user):
    user = make_user()
    login(user)
    client.set_cookie("qiao_tz", "Europe/Paris")
    html = client.get("/account/profile").get_data(as_text=True)
    assert '<optgroup label="Asia">' in html
    assert '<option value="Asia/Tokyo">Japan Time</option>' in html
    assert "Your browser says it is in Europe/Paris." in html
    assert html.count('id="csrf_token"') == 1  # three forms, one id
    response = post_form("/account/time-zone", {"time_zone": "Asia/Tokyo"},
                         page="/account/profile", follow=True)
    assert "Time zone saved." in response.get_data(as_text=True)
    assert user.time_zone == "Asia/Tokyo"
    html = client.get("/account/profile").get_data(as_text=True)
    assert '<option selected value="Asia/Tokyo">' in html
    assert "Times are shown for Asia/Tokyo (GMT+09:00)." in html
    post_form("/account/time-zone", {"time_zone": ""}, page="/account/profile")
    assert user.time_zone is None


def test_settings_reject_an_unknown_zone_with_a_specific_message(client, login, post_form,
                                                                 make_user):
    user = make_user(time_zone="Asia/Tokyo")
    login(user)
    response = post_form("/account/time-zone", {"time_zone": "Asia/Atlantis"},
                         page="/account/profile")
    assert response.status_code == 422
    assert ("“Asia/Atlantis” is not a time zone we know: choose one from the list, such as "
            "Asia/Tokyo.") in response.get_data(as_text=True)
    assert user.time_zone == "Asia/Tokyo"


def test_chinese_settings_name_zones_in_chinese(client, login, make_user):
    login(make_user(locale="zh"))
    html = client.get("/account/profile").get_data(as_text=True)
    assert '<optgroup label="亚洲">' in html
    assert '<option value="Asia/Tokyo">日本时间</option>' in html
    assert "Japan Time" not in html


@pytest.mark.parametrize(("cookie", "start"), [
    ("Asia/Tokyo", datetime(2026, 11, 2, 15, 0, tzinfo=UTC)),
    ("", datetime(2026, 11, 3, tzinfo=UTC))])
def test_merchant_day_filters_start_at_the_viewers_midnight(app, cookie, start):
    with app.test_request_context("/?from=2026-11-03&to=2026-11-03",
                                  headers={"Cookie": f"qiao_tz={cookie}"}):
        assert day_param("from") == start
        assert day_param("to", end=True) == start + timedelta(days=1)


def test_the_quote_expiry_is_in_the_viewers_zone(app):
    from app.web.times import format_when

    with app.test_request_context("/", headers={"Cookie": "qiao_tz=Asia/Kolkata"}):
        assert format_when(AT_15_UTC) == "Nov 2, 2026, 8:30\u202fPM GMT+05:30"


FUTURE_15_UTC = datetime(2030, 11, 2, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(("language", "suspended", "restricted"), [
    ("en", "Your account is suspended until Nov 3, 2030, 12:00\u202fAM GMT+09:00.",
     "After repeated removals you cannot post until Nov 3, 2030, 12:00\u202fAM GMT+09:00."),
    ("zh", "你的账号已被封禁，至 2030年11月3日 00:00 GMT+09:00 解封。",
     "由于内容多次被删除，2030年11月3日 00:00 GMT+09:00 前无法发布。")])
def test_a_posting_ban_ends_at_the_viewers_time(app, make_user, language, suspended,
                                                  restricted):
    from flask_babel import refresh

    from app.services.errors import Forbidden
    from app.services.social.abuse import check_posting_allowed

    banned = make_user(suspended_until=FUTURE_15_UTC)
    restricted_user = make_user(posting_restricted_until=FUTURE_15_UTC)
    with app.test_request_context("/", headers={"Cookie": "qiao_tz=Asia/Tokyo",
                                                "Accept-Language": language}):
        refresh()  # nothing this test did before the request may choose the language
        for user, said in ((banned, suspended), (restricted_user, restricted)):
            with pytest.raises(Forbidden) as refused:
                check_posting_allowed(user, "Hello")
            assert refused.value.message == said


def test_every_page_loads_the_time_zone_script(client):
    html = client.get("/").get_data(as_text=True)
    assert "js/timezone.js" in html
    response = client.get("/static/js/timezone.js")
    assert b"resolvedOptions().timeZone" in response.data
    response.close()
