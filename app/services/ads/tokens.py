"""Signed, expiring, single-use impression and click tokens for sponsored notes.

A token names everything needed to bill it without trusting the client: the campaign,
the note, the slot it was served in, the viewer it was served to, the price the auction
settled (in micro minor units of the campaign's currency) and a random id. The random id
is stored with the event under a unique constraint, so a token counts at most once.

The signature is itsdangerous' HMAC over the payload with the app's secret and a salt per
kind, so an impression token cannot be used as a click token and vice versa.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

TokenKind = Literal["impression", "click"]
TOKEN_KINDS: tuple[TokenKind, ...] = ("impression", "click")


@dataclass(frozen=True)
class AdToken:
    """What a served sponsored card carries (and what the tracking endpoints verify)."""

    token_id: str
    campaign_id: int
    note_id: int
    surface: str
    position: int
    viewer: str
    price_micros: int
    # The impression token's id rides in the click token, so a click can be tied to a
    # counted view (the no-JavaScript heuristic) and a report can count unique reach.
    impression_id: str = ""


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of reading a token: its payload (if readable) and why it is invalid."""

    token: AdToken | None
    invalid_reason: str | None


def new_token_id() -> str:
    """A random id, unguessable, short enough for a unique index."""
    return secrets.token_urlsafe(16)


def _serializer(secret: str, kind: TokenKind) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"qiao.ads.{kind}")


def sign_token(secret: str, kind: TokenKind, token: AdToken) -> str:
    """The URL-safe signed form of `token` for `kind`."""
    return _serializer(secret, kind).dumps(asdict(token))


def _payload(data: object) -> AdToken | None:
    if not isinstance(data, dict):
        return None
    try:
        token = AdToken(**data)
    except TypeError:
        return None
    numbers = (token.campaign_id, token.note_id, token.position, token.price_micros)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in numbers):
        return None
    if not all(isinstance(v, str) for v in (token.token_id, token.surface, token.viewer,
                                            token.impression_id)):
        return None
    if token.price_micros < 0 or not token.token_id:
        return None
    return token


def read_token(secret: str, kind: TokenKind, raw: str, max_age: int) -> TokenCheck:
    """Verify `raw`: a valid token, or the invalid bucket it belongs to.

    An expired token still names its campaign (the signature was good), so the event can be
    counted against that campaign as `expired`; a forged one names nothing trustworthy.
    """
    serializer = _serializer(secret, kind)
    try:
        data = serializer.loads(raw, max_age=max_age)
    except SignatureExpired as exc:
        try:
            expired = _payload(serializer.load_payload(exc.payload))
        except BadSignature:
            expired = None
        return TokenCheck(expired, "expired" if expired else "forged")
    except (BadSignature, UnicodeError, ValueError):
        return TokenCheck(None, "forged")
    token = _payload(data)
    return TokenCheck(token, None if token else "forged")
