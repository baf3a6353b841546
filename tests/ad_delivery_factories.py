"""Live campaigns for the serving and tracking tests: rows inserted directly (the brand
portal's own flow is tested with it), plus helpers that serve a card and report its view.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flask import current_app

from app.extensions import db
from app.models import (
    AdAccount,
    Campaign,
    CampaignNote,
    Note,
    NoteImage,
    Organization,
    utcnow,
)
from app.services.ads import AdViewer, Requester, sponsored_for_page
from app.services.ads.tokens import AdToken, new_token_id, sign_token

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131 Safari/537.36"
_counter = {"n": 0}


def promoted_note(author, title: str = "Sponsored serum", *, language: str = "en") -> Note:
    note = Note(author_id=author.id, title=title, body="", status="published",
                language=language, published_at=utcnow(), hot_score=0.0)
    note.images = [NoteImage(position=0, is_cover=True, width=640, height=800,
                             keys={"display": "notes/x/ad-display.webp",
                                   "thumb": "notes/x/ad-thumb.webp"})]
    db.session.add(note)
    db.session.flush()
    return note


def brand(make_org, name: str = "Lumi Beauty", currency: str = "USD") -> Organization:
    org = make_org("brand", name=name)
    db.session.add(AdAccount(organization_id=org.id, currency=currency,
                             balance_minor=1_000_000))
    db.session.commit()
    return org


def live_campaign(org: Organization, note: Note, **fields) -> Campaign:
    """An active, in-flight campaign promoting `note` (CPC traffic unless told)."""
    _counter["n"] += 1
    account = db.session.query(AdAccount).filter_by(organization_id=org.id).one()
    objective = fields.pop("objective", "traffic")
    values = {
        "name": f"Campaign {_counter['n']}", "objective": objective,
        "pricing": "cpm" if objective == "awareness" else "cpc",
        "bid_minor": 50, "budget_minor": 100_000, "currency": account.currency,
        "starts_at": utcnow() - timedelta(days=1), "ends_at": utcnow() + timedelta(days=10),
        "pacing": "asap", "status": "active", "countries": [], "languages": [],
        "topics": [], "audience": "all",
    }
    values.update(fields)
    campaign = Campaign(organization_id=org.id, account_id=account.id, **values)
    campaign.campaign_notes = [CampaignNote(note_id=note.id, position=0)]
    db.session.add(campaign)
    db.session.commit()
    return campaign


def viewer_of(user=None, *, country: str | None = "JP", language: str = "ja",
              anon: str | None = None) -> AdViewer:
    return AdViewer(user_id=user.id if user is not None else None, anon_id=anon,
                    country=country, language=language)


def requester_of(user=None, *, anon: str | None = None, agent: str = BROWSER) -> Requester:
    return Requester(user_id=user.id if user is not None else None, anon_id=anon,
                     user_agent=agent, country="JP", language="ja")


def serve(viewer: AdViewer, surface: str = "discover", page: int = 20, **kwargs):
    """The sponsored slots of a page of `page` organic notes (ids that are not notes)."""
    return sponsored_for_page(viewer, surface, range(10**8, 10**8 + page), **kwargs)


def tokens_for(campaign: Campaign, viewer: AdViewer, price_micros: int = 0,
               note_id: int | None = None) -> tuple[str, str]:
    """Signed (impression, click) tokens as if the campaign had won slot 3 of Discover."""
    secret = current_app.config["SECRET_KEY"]
    impression = AdToken(token_id=new_token_id(), campaign_id=campaign.id,
                         note_id=note_id or campaign.note_ids[0], surface="discover",
                         position=3, viewer=viewer.key, price_micros=price_micros)
    click = replace(impression, token_id=new_token_id(), impression_id=impression.token_id)
    return sign_token(secret, "impression", impression), sign_token(secret, "click", click)
