"""Bearer tokens: issued at token log-in or made by the user, stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from app.extensions import db
from app.models import TOKEN_SCOPES, ApiToken, User, utcnow
from app.services.errors import NotFound, ValidationFailed

TOKEN_PREFIX = "qiao_"
MAX_NAME = 80
MAX_PERSONAL_DAYS = 366


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def issue_login_token(user: User) -> tuple[ApiToken, str]:
    """A full-scope token for an app that logged in with e-mail and password."""
    secret = _new_secret()
    token = ApiToken(
        user=user, kind="login", name="API log-in", token_hash=_digest(secret),
        prefix=secret[:12], scopes=list(TOKEN_SCOPES),
        expires_at=utcnow() + timedelta(days=current_app.config["API_TOKEN_LOGIN_DAYS"]),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def create_personal_token(
    user: User, name: str, scopes: list[str], expires_in_days: int | None
) -> tuple[ApiToken, str]:
    """A named, scoped personal access token; the secret is returned once, never stored."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the token a name so you can recognise it later.")]
    elif len(name) > MAX_NAME:
        errors["name"] = [_("Use at most %(n)d characters.", n=MAX_NAME)]
    if not scopes:
        errors["scopes"] = [_("Choose at least one scope.")]
    elif any(scope not in TOKEN_SCOPES for scope in scopes):
        errors["scopes"] = [_("Scopes are: %(scopes)s.", scopes=", ".join(TOKEN_SCOPES))]
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_PERSONAL_DAYS:
        errors["expires_in_days"] = [_("Choose between 1 and %(n)d days.", n=MAX_PERSONAL_DAYS)]
    if errors:
        raise ValidationFailed(_("The token could not be created."), fields=errors)
    secret = _new_secret()
    token = ApiToken(
        user=user, kind="personal", name=name, token_hash=_digest(secret), prefix=secret[:12],
        scopes=sorted(set(scopes)),
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def list_tokens(user: User, *, limit: int | None = None,
                before_id: int | None = None) -> list[ApiToken]:
    """The user's tokens that are neither revoked nor expired, newest first.

    `limit` and `before_id` page through them (keyset pagination on the id).
    """
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
               or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()))
        .order_by(ApiToken.id.desc())
    )
    if before_id is not None:
        stmt = stmt.where(ApiToken.id < before_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (another user's token is NotFound)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def revoke_login_tokens(user: User) -> int:
    """Revoke every live log-in token of the user (after a password change); how many."""
    now = utcnow()
    tokens = db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.kind == "login", ApiToken.revoked_at.is_(None)))
    count = 0
    for token in tokens:
        token.revoked_at = now
        count += 1
    return count


def authenticate_bearer(secret: str) -> ApiToken | None:
    """The live token for `secret`, with its user; None when unknown, revoked or expired."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    _touch(token, now)
    return token


def _touch(token: ApiToken, now: datetime) -> None:
    """Record the use at most once per API_TOKEN_TOUCH_MINUTES, so reads seldom write.

    Conditional, so concurrent requests with one token write it once; the others change
    nothing (and on SQLite a GET that does not write never takes the write lock).
    """
    stale = now - timedelta(minutes=current_app.config["API_TOKEN_TOUCH_MINUTES"])
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    tokens = ApiToken.__table__
    db.session.execute(
        update(tokens).where(tokens.c.id == token.id,
                             or_(tokens.c.last_used_at.is_(None), tokens.c.last_used_at <= stale))
        .values(last_used_at=now))
    # A concurrent request may have written it instead: read the row's value when asked.
    db.session.expire(token, ["last_used_at"])
