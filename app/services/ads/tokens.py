"""Signed, expiring, single-use impression and click tokens for sponsored notes.

A token names everything needed to bill it without trusting the client: the campaign,
the note, the slot it was served in, the viewer it was served to, the price the auction
settled (in micro minor units of the campaign's currency) and a random id. The random id
is stored with the event under a unique constraint, so a token counts at most once.

A token is `<payload>.<signature>`: the payload is the fields and the time of signing as a
compact JSON list in URL-safe base64, the signature one HMAC-SHA256 of it under a key
derived from the app's secret per kind, so an impression token cannot be used as a click
token and vice versa. (Every sponsored card of every feed page signs two tokens: itsdangerous'
timed serializer cost about 100 µs a token, this about a tenth.) Both parts use only
`A-Z a-z 0-9 - _ .`, so a token goes into a URL or an HTML attribute unescaped.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, fields
from functools import lru_cache
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


_FIELDS = tuple(f.name for f in fields(AdToken))
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))


@lru_cache(maxsize=8)
def _key(secret: str, kind: TokenKind) -> bytes:
    return hmac.new(secret.encode(), f"qiao.ads.{kind}".encode(), hashlib.sha256).digest()


def _signature(secret: str, kind: TokenKind, payload: bytes) -> bytes:
    return base64.urlsafe_b64encode(hmac.digest(_key(secret, kind), payload, "sha256")
                                    ).rstrip(b"=")


def sign_token(secret: str, kind: TokenKind, token: AdToken) -> str:
    """The URL-safe signed form of `token` for `kind`."""
    values = [getattr(token, name) for name in _FIELDS]
    values.append(int(time.time()))
    payload = base64.urlsafe_b64encode(_COMPACT_JSON.encode(values).encode()).rstrip(b"=")
    return f"{payload.decode()}.{_signature(secret, kind, payload).decode()}"


def _payload(data: object) -> AdToken | None:
    if isinstance(data, list) and len(data) == len(_FIELDS):
        data = dict(zip(_FIELDS, data, strict=True))
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
    payload, dot, signature = raw.encode("ascii", "replace").rpartition(b".")
    if b"." in payload:  # itsdangerous' three parts: served before the compact format
        return _read_serialized(secret, kind, raw, max_age)
    if not dot or not hmac.compare_digest(signature, _signature(secret, kind, payload)):
        return TokenCheck(None, "forged")
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return TokenCheck(None, "forged")
    if not isinstance(data, list) or not data or type(data[-1]) is not int:
        return TokenCheck(None, "forged")
    token = _payload(data[:-1])
    if token is None:
        return TokenCheck(None, "forged")
    return TokenCheck(token, "expired" if time.time() - data[-1] > max_age else None)


def _read_serialized(secret: str, kind: TokenKind, raw: str, max_age: int) -> TokenCheck:
    """A token of the earlier itsdangerous format: a page left open may still send one
    (hiding an ad accepts tokens of any age).
    """
    serializer = URLSafeTimedSerializer(secret, salt=f"qiao.ads.{kind}")
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
