"""Rendering user text: escaped first, then links, #topics and @mentions become anchors."""

from __future__ import annotations

import pytest

from app.notes.rendering import render_text


@pytest.fixture
def render(app):
    def run(text: str) -> str:
        with app.test_request_context():
            return str(render_text(text))

    return run


def test_script_and_markup_are_escaped(render):
    html = render('<script>alert("x")</script><img src=x onerror=alert(1)>')
    assert html == ("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
                    "&lt;img src=x onerror=alert(1)&gt;")


def test_links_topics_and_mentions(render):
    html = render("See https://example.com/p?a=1&b=2#top, #口红 and @Mia_Shopper.")
    assert html == (
        'See <a class="autolink" href="https://example.com/p?a=1&amp;b=2#top" '
        'rel="nofollow noopener ugc" target="_blank">https://example.com/p?a=1&amp;b=2#top</a>, '
        '<a class="topic" href="/topics/%E5%8F%A3%E7%BA%A2">#口红</a> and '
        '<a class="mention" href="/search?q=Mia_Shopper&amp;type=users">@Mia_Shopper</a>.')


def test_lookalikes_stay_plain_text(render):
    text = "mail me@example.com, C# rocks, javascript:alert(1), &#39;"
    assert render(text) == ("mail me@example.com, C# rocks, javascript:alert(1), "
                            "&amp;#39;")


def test_a_link_cannot_break_out_of_its_attribute(render):
    html = render('https://evil.example/"onmouseover="alert(1)')
    assert 'href="https://evil.example/"' in html
    assert '&#34;onmouseover=&#34;alert(1)' in html
