"""A sponsored note in a real browser: a shopper in Japan sees it in Discover, the view is
counted once half the card was on screen for a second (static/js/ad_tracking.js), the tap
is counted and charged and opens the note, and "Hide this ad" removes it for good.

The campaign targets Japan only and its notes rank below every other note, so the other
journeys sharing this live server (guests in the US, shoppers in China) never meet it.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import (
    AdAccount,
    AdClick,
    AdHide,
    AdImpression,
    Campaign,
    CampaignNote,
    Note,
    NoteImage,
    Organization,
    User,
    utcnow,
)
from app.services.accounts.passwords import hash_password
from app.services.ads.tokens import read_token
from tests.ad_delivery_factories import BROWSER
from tests.e2e.browser import Page, expect
from tests.e2e.session import PASSWORD, log_in


def _note(author: User, title: str, hot_score: float) -> Note:
    note = Note(author_id=author.id, title=title, body="", language="ja", region="JP",
                status="published", published_at=utcnow(), hot_score=hot_score)
    note.images = [NoteImage(position=0, is_cover=True, width=640, height=800,
                             keys={"display": "notes/x/fake-display.webp",
                                   "thumb": "notes/x/fake-thumb.webp"})]
    db.session.add(note)
    return note


@pytest.fixture(scope="module")
def campaign_id(live_server) -> int:
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        author = User(email=f"ad-author-{tag}@example.com", password_hash="x",
                      display_name="Mika", email_verified_at=utcnow())
        org = Organization(kind="brand", name="Lumi Beauty", slug=f"lumi-{tag}")
        db.session.add_all([author, org])
        db.session.flush()
        # Enough notes above the promoted one that it only shows as sponsored.
        for i in range(21):
            _note(author, f"Tokyo cafe {i} {tag}", hot_score=-0.5)
        promoted = _note(author, f"Glow serum {tag}", hot_score=-1.0)
        account = AdAccount(organization_id=org.id, currency="USD", balance_minor=100_000)
        db.session.add(account)
        db.session.flush()
        campaign = Campaign(organization_id=org.id, account_id=account.id, name="Glow JP",
                            objective="traffic", pricing="cpc", bid_minor=80,
                            budget_minor=10_000, currency="USD", pacing="asap",
                            starts_at=utcnow() - timedelta(days=1),
                            ends_at=utcnow() + timedelta(days=5), status="active",
                            countries=["JP"], languages=[], topics=[])
        campaign.campaign_notes = [CampaignNote(note_id=promoted.id)]
        db.session.add(campaign)
        db.session.flush()
        found = campaign.id
        commit()
        db.session.remove()  # hold no transaction (nor SQLite's write lock) meanwhile
    yield found
    with live_server.app.app_context():
        db.session.get(Campaign, found).status = "paused"
        commit()
        db.session.remove()


def shopper_in_japan(live_server) -> str:
    email = f"jp-{uuid.uuid4().hex[:8]}@example.com"
    with live_server.app.app_context():
        db.session.add(User(email=email, password_hash=hash_password(PASSWORD),
                            display_name="Haru", home_country="JP",
                            email_verified_at=utcnow()))
        commit()
        db.session.remove()
    return email


def wait_for(live_server, query, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with live_server.app.app_context():
            found = db.session.scalars(query).all()
            db.session.remove()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"nothing recorded for {query}")


def test_sponsored_card_is_seen_clicked_and_hidden(page: Page, live_server, campaign_id):
    # Headless Chromium says "HeadlessChrome" in its user agent, which the bot filter
    # rightly refuses to bill; this shopper's browser is an ordinary one.
    page.set_extra_http_headers({"User-Agent": BROWSER})
    email = shopper_in_japan(live_server)
    log_in(page, email)
    with live_server.app.app_context():
        promoted_id = db.session.scalar(select(CampaignNote.note_id).where(
            CampaignNote.campaign_id == campaign_id))
        db.session.remove()
    # Other journeys' campaigns in the same live database may show beside this one, and the
    # next page, loaded as the viewer nears the end, may show this one again.
    ours = f'article.note-card.sponsored[data-note-id="{promoted_id}"]'
    page.goto("/")
    card = page.locator(ours).first
    expect(card).to_be_visible()
    expect(card.locator(".ad-label")).to_have_text("Sponsored")
    card.scroll_into_view_if_needed()
    with live_server.app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        db.session.remove()
    # The view of the card about to be clicked: on a wide screen the next page may show
    # the campaign again beside it, and that card's view may be reported first; a click on
    # a card whose own view is not on record yet is rightly not billed.
    with live_server.app.app_context():
        seen = read_token(live_server.app.config["SECRET_KEY"], "impression",
                          card.get_attribute("data-ad-impression"), 600).token
    impressions = wait_for(live_server, select(AdImpression).where(
        AdImpression.viewer_user_id == user_id, AdImpression.campaign_id == campaign_id,
        AdImpression.token_id == seen.token_id))
    assert impressions[0].invalid_reason is None

    with page.expect_navigation():
        card.locator(".note-card-link").click()
    assert "/notes/" in page.url
    clicks = wait_for(live_server, select(AdClick).where(AdClick.viewer_user_id == user_id,
                                                         AdClick.campaign_id == campaign_id))
    # Billed at most the bid (80): the second price, which other live campaigns may set.
    assert [(c.is_billable, c.invalid_reason) for c in clicks] == [(True, None)]
    assert 0 < clicks[0].charged_minor <= 80

    page.goto("/")
    card = page.locator(ours).first
    card.locator(".ad-menu summary").click()
    card.locator("input[value=seen_too_often]").check()
    with page.expect_navigation():
        card.locator(".ad-hide-form button[type=submit]").click()
    expect(page.locator(ours)).to_have_count(0)
    expect(page.get_by_text("You won't see this ad again")).to_be_visible()
    hides = wait_for(live_server, select(AdHide).where(AdHide.user_id == user_id))
    assert [h.reason for h in hides] == ["seen_too_often"]
