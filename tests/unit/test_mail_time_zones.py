"""E-mails give times on the reader's clock, saying which clock, in the reader's words."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.models import User
from app.services.accounts import format_local_time, mail_time_zone


def test_the_zone_a_person_chose_comes_first():
    assert mail_time_zone(User(time_zone="Europe/Paris", home_country="JP")) == \
        ZoneInfo("Europe/Paris")


def test_else_their_countrys_one_clock_and_utc_for_countries_with_many():
    assert mail_time_zone(User(home_country="JP")) == ZoneInfo("Asia/Tokyo")
    assert mail_time_zone(User(home_country="CN")) == ZoneInfo("Asia/Shanghai")
    assert mail_time_zone(User(home_country="US")) == UTC
    assert mail_time_zone(None) == UTC


def test_a_time_reads_on_that_clock_with_its_offset():
    moment = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
    assert format_local_time(moment, ZoneInfo("Asia/Tokyo"), "en") == \
        "Dec 7, 2026, 10:30\u202fAM GMT+09:00"
    assert format_local_time(moment.replace(tzinfo=None), ZoneInfo("Asia/Shanghai"), "zh") \
        .startswith("2026年12月7日 09:30")
