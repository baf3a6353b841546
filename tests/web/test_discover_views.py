"""Discover's first page reports itself (POST with its CSRF token), and apps report theirs
to the API the same way: the placements' traffic. Reading a feed writes nothing."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import DiscoverViewDay, utcnow
from tests.conftest import csrf_from


def views(country: str) -> int:
    return db.session.scalar(select(DiscoverViewDay.views).where(
        DiscoverViewDay.country == country, DiscoverViewDay.day == utcnow().date())) or 0


def test_the_first_page_reports_one_view_in_the_viewers_country(client, make_user, login):
    login(make_user(home_country="JP"))
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert 'data-discover-view="/feed/discover-views"' in html
    assert "js/discover_views.js" in html
    assert views("JP") == 0  # the GET itself wrote nothing
    for _ in range(2):
        answer = client.post("/feed/discover-views", data={"csrf_token": csrf_from(html)})
        assert answer.status_code == 204
    assert views("JP") == 2
    # Later pages and the Following tab do not report.
    assert "data-discover-view" not in client.get("/?tab=following").get_data(as_text=True)


def test_a_post_without_the_pages_token_counts_nothing(client, make_user, login):
    login(make_user(home_country="JP"))
    assert client.post("/feed/discover-views").status_code == 400
    assert views("JP") == 0


def test_an_app_reports_its_discover_first_page_and_reading_the_feed_writes_nothing(
        client, make_user, api_token):
    headers = api_token(make_user(home_country="JP"))
    assert client.get("/api/v1/feed", headers=headers).status_code == 200
    assert views("JP") == 0  # the GET itself wrote nothing
    assert client.post("/api/v1/feed/discover-views", headers=headers).status_code == 204
    assert views("JP") == 1
    # A guest app counts in the country it ships to.
    assert client.post("/api/v1/feed/discover-views?country=US").status_code == 204
    assert views("US") == 1
