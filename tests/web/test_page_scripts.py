"""The feed and shop scripts lean on the shared infinite-scroll script: pages load it first."""

from __future__ import annotations

import re

from app import ROOT

USERS = ("js/feed.js", "js/storefront.js")
SHARED = "js/infinite_scroll.js"


def script_tags(html: str) -> list[str]:
    """The scripts a template or page loads, in order."""
    return re.findall(r"<script src=\"[^\"]*?(js/[\w.]+)['\"]", html)


def test_templates_load_the_shared_script_before_its_users():
    users = 0
    for template in sorted((ROOT / "templates").rglob("*.html")):
        scripts = script_tags(template.read_text(encoding="utf-8"))
        for index, script in enumerate(scripts):
            if script in USERS:
                users += 1
                assert SHARED in scripts[:index], f"{template}: {script} before {SHARED}"
    assert users >= 4  # the home feed, the shop browse, store and product pages


def test_the_home_feed_loads_the_shared_script_and_it_is_served(client):
    page = client.get("/").get_data(as_text=True)
    scripts = script_tags(page)
    assert scripts.index(SHARED) < scripts.index("js/feed.js")
    response = client.get(f"/static/{SHARED}")
    assert response.status_code == 200
    assert b"window.infiniteScroll = function" in response.data
    response.close()
