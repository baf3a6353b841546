"""Accounts: sign-up, e-mail verification, log-in, password reset, e-mail and password change."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import User, utcnow
from app.services import signed_links
from app.services.accounts import throttle
from app.services.accounts.api_tokens import revoke_login_tokens
from app.services.accounts.devices import KnownDevice
from app.services.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from app.services.errors import Conflict, RateLimited, Unauthorized, ValidationFailed
from app.services.mail import EmailLinks, queue_email

# A hash computed once, so a log-in for an unknown e-mail costs as much as a real one.
_DUMMY_HASH = hash_password("qiao-timing-equaliser")
# Ties a PasswordCheck to the password it checked, never stored beyond this process.
_CHECK_KEY = secrets.token_bytes(32)


def normalize_email(raw: str, *, check_deliverability: bool = False) -> str:
    """A syntactically valid, lower-cased e-mail address, or ValidationFailed."""
    try:
        result = validate_email((raw or "").strip(), check_deliverability=check_deliverability)
    except EmailNotValidError:
        raise ValidationFailed(
            _("The e-mail address is not valid."),
            fields={"email": [_("Enter an e-mail address such as name@example.com.")]}
        ) from None
    return result.normalized.lower()


def find_user_by_email(email: str) -> User | None:
    """The account with this e-mail (case-insensitive), if any."""
    if "\x00" in email:  # no address holds one, and PostgreSQL refuses it in a query
        return None
    # The roles in the same statement: they would otherwise cost one of their own.
    return db.session.scalars(
        select(User).options(joinedload(User.platform_roles))
        .where(func.lower(User.email) == email.strip().lower())).unique().first()


def check_new_password(password: str, email: str = "", display_name: str = "") -> None:
    """Raise ValidationFailed with each rule a new password breaks."""
    problems = password_problems(password or "", email, display_name)
    if problems:
        raise ValidationFailed(_("Choose a stronger password."), fields={"password": problems})


def register_user(email: str, password: str, display_name: str, *,
                  links: EmailLinks) -> User | None:
    """Create an account and e-mail a verification link; None when the address is taken.

    A taken address is not revealed to the caller: the answer is the same as for a new
    account, and the address's owner gets an e-mail about the attempt instead. Only the
    input itself (address syntax, name, password rules) is ever refused.
    """
    errors: dict[str, list[str]] = {}
    try:
        email = normalize_email(email)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    display_name = (display_name or "").strip()
    if not display_name:
        errors["display_name"] = [_("Enter the name other people will see.")]
    elif len(display_name) > 80:
        errors["display_name"] = [_("Use at most 80 characters.")]
    problems = password_problems(password or "", email if "email" not in errors else "",
                                 display_name)
    if problems:
        errors["password"] = problems
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)

    # Hash first either way, so a taken address costs as long to answer as a new one.
    password_hash = hash_password(password)
    owner = find_user_by_email(email)
    if owner is not None:
        send_signup_attempt_notice(owner, links=links)
        return None
    user = User(email=email, password_hash=password_hash, display_name=display_name)
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Two sign-ups with one address raced; the first one's owner gets the verification.
        return None
    send_verification_email(user, links=links)
    return user


def send_signup_attempt_notice(owner: User, *, links: EmailLinks) -> None:
    """Tell an address's owner that someone tried to sign up with it, with a reset link."""
    queue_email(
        owner.email,
        _("Someone tried to create a Qiao account with your address"),
        _("Hello %(name)s,\n\nSomeone tried to create a new Qiao account with this e-mail "
          "address, which already has an account. If it was you, log in instead; if you "
          "forgot your password, set a new one with this link (valid for one hour):\n"
          "%(link)s\n\nIf it was not you, you can ignore this message: nothing has changed.",
          name=owner.display_name, link=links.reset_password(_reset_token(owner))),
        purpose="signup_attempt",
    )


def send_verification_email(user: User, *, links: EmailLinks) -> None:
    """E-mail a link that proves control of the user's current address."""
    token = signed_links.sign("verify-email", {"uid": user.id, "email": user.email})
    link = links.verify_email(token)
    queue_email(
        user.email,
        _("Confirm your e-mail address for Qiao"),
        _("Hello %(name)s,\n\nConfirm your e-mail address by opening this link:\n%(link)s\n\n"
          "If you did not sign up for Qiao, ignore this message.", name=user.display_name,
          link=link),
        purpose="verify_email",
    )


def verify_email(token: str) -> User:
    """Mark the address in a verification link as verified."""
    payload = signed_links.unsign(
        "verify-email", token, current_app.config["EMAIL_VERIFY_MAX_AGE"]
    )
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.email != payload.get("email"):
        raise signed_links.InvalidLink(_("This link is for an address that is no longer in use."))
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


@dataclass(frozen=True)
class PasswordCheck:
    """A log-in's password checked against the account's stored hash, ahead of its writes."""

    email: str
    # The hash it was checked against (the dummy's when there is no such account).
    password_hash: str
    matches: bool
    password_key: bytes


def _password_key(password: str) -> bytes:
    return hashlib.blake2b(password.encode(), key=_CHECK_KEY).digest()


def check_password(email: str, password: str, ip: str, *,
                   device: KnownDevice | None = None) -> PasswordCheck | None:
    """Verify a log-in's password (argon2, the slow part): reads only, so a route can run it
    before the transaction that writes (app.core.database.read_apart) and other writers
    don't queue behind it. None while the account and client are locked out: a locked
    pair costs no hash, and `authenticate` refuses it.
    """
    email = (email or "").strip().lower()
    user = find_user_by_email(email) if email else None
    device_id = device.device_id if device is not None and device.knows(user) else None
    try:
        throttle.check_login_allowed(throttle.LoginPair(email, ip, device_id))
    except RateLimited:
        return None
    stored = user.password_hash if user is not None else _DUMMY_HASH
    return PasswordCheck(email, stored, verify_password(stored, password or ""),
                         _password_key(password or ""))


def authenticate(email: str, password: str, ip: str, *,
                 device: KnownDevice | None = None, checked: PasswordCheck | None = None
                 ) -> User:
    """The user for these credentials; failures lock only this account and client pair.

    `checked` (check_password's answer for the same e-mail and password) spares the second
    argon2 run; a hash changed since it was made is verified again here.
    """
    email = (email or "").strip().lower()
    user = find_user_by_email(email) if email else None
    # A browser this account logged in from before is judged on its own failures alone.
    device_id = device.device_id if device is not None and device.knows(user) else None
    pair = throttle.LoginPair(email, ip, device_id)
    throttle.check_login_allowed(pair)
    stored = user.password_hash if user is not None else _DUMMY_HASH
    if (checked is not None and checked.email == email and checked.password_hash == stored
            and secrets.compare_digest(checked.password_key, _password_key(password or ""))):
        matches = checked.matches
    else:
        matches = verify_password(stored, password or "")
    if user is None or not matches:
        throttle.record_login_failure(pair)
        raise Unauthorized(_("The e-mail address or password is wrong."),
                           code="invalid_credentials")
    if not user.is_active:
        raise Unauthorized(_("This account has been disabled."), code="account_disabled")
    throttle.clear_login_failures(pair)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of the user (logout everywhere)."""
    user.session_version += 1


def end_all_sessions_and_logins(user: User) -> None:
    """After a password change: end every session and revoke the API log-in tokens.

    Log-in tokens were obtained with the old password, so they go too; personal access
    tokens are separate credentials the user manages on the tokens page.
    """
    end_all_sessions(user)
    revoke_login_tokens(user)


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password does, so a reset link works once.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _reset_token(user: User) -> str:
    return signed_links.sign("password-reset", {"uid": user.id, "pw": _password_fingerprint(user)})


def request_password_reset(email: str, *, links: EmailLinks) -> None:
    """E-mail a reset link if the account exists; silent otherwise (no account probing)."""
    # A plain look-up, not validation: an address already on an account is always findable.
    user = find_user_by_email(email or "")
    if user is None or not user.is_active:
        return
    link = links.reset_password(_reset_token(user))
    queue_email(
        user.email,
        _("Reset your Qiao password"),
        _("Hello %(name)s,\n\nSet a new password with this link (valid for one hour):\n"
          "%(link)s\n\nIf you did not ask for this, you can ignore this message.",
          name=user.display_name, link=link),
        purpose="password_reset",
    )


def user_for_reset_token(token: str) -> User:
    """The user a reset link is for; InvalidLink when expired, tampered with or used."""
    payload = signed_links.unsign(
        "password-reset", token, current_app.config["PASSWORD_RESET_MAX_AGE"]
    )
    user = db.session.get(User, payload.get("uid"))
    if user is None or payload.get("pw") != _password_fingerprint(user):
        raise signed_links.InvalidLink(
            _("This reset link has already been used. Ask for a new one."), code="link_used"
        )
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link and end every other session."""
    user = user_for_reset_token(token)
    check_new_password(new_password, user.email, user.display_name)
    user.password_hash = hash_password(new_password)
    end_all_sessions_and_logins(user)
    # The link reached the inbox, so the address is proven too.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password after re-checking the current one; ends all other sessions."""
    if not verify_password(user.password_hash, current_password or ""):
        raise ValidationFailed(
            _("Your current password is wrong."),
            fields={"current_password": [_("Your current password is wrong.")]},
        )
    check_new_password(new_password, user.email, user.display_name)
    if verify_password(user.password_hash, new_password):
        raise ValidationFailed(
            _("Choose a password you are not using now."),
            fields={"password": [_("The new password must differ from the current one.")]},
        )
    user.password_hash = hash_password(new_password)
    end_all_sessions_and_logins(user)


def request_email_change(user: User, new_email: str, password: str, *,
                         links: EmailLinks) -> str:
    """E-mail a confirmation link to the new address; the change applies when it is opened.

    An address that belongs to another account is not revealed (the same answer, and the
    same notice to the user's current address): its owner is told of the attempt instead
    of getting a link, and nothing changes.
    """
    if not verify_password(user.password_hash, password or ""):
        raise ValidationFailed(
            _("Your password is wrong."), fields={"password": [_("Your password is wrong.")]}
        )
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise ValidationFailed(_("That is already your address."),
                               fields={"email": [_("That is already your address.")]})
    owner = find_user_by_email(new_email)
    if owner is None:
        token = signed_links.sign("email-change", {"uid": user.id, "old": user.email,
                                                   "new": new_email})
        queue_email(
            new_email,
            _("Confirm your new e-mail address for Qiao"),
            _("Hello %(name)s,\n\nOpen this link to use this address for your Qiao account:\n"
              "%(link)s", name=user.display_name, link=links.confirm_email_change(token)),
            purpose="email_change",
        )
    else:
        send_email_change_attempt_notice(owner)
    queue_email(
        user.email,
        _("Your Qiao e-mail address is being changed"),
        _("Someone asked to move your Qiao account to %(new)s. If it was not you, change your "
          "password now.", new=new_email),
        purpose="email_change_notice",
    )
    return new_email


def send_email_change_attempt_notice(owner: User) -> None:
    """Tell an address's owner that another account tried to move to it (nothing changed)."""
    queue_email(
        owner.email,
        _("Someone tried to use your address for another Qiao account"),
        _("Hello %(name)s,\n\nSomeone asked to move another Qiao account to this e-mail "
          "address, which already belongs to your account. Nothing has changed: your account "
          "keeps this address and the other account does not get it; there is nothing you "
          "need to do.", name=owner.display_name),
        purpose="email_change_attempt",
    )


def confirm_email_change(token: str) -> User:
    """Apply an e-mail change from its confirmation link (once)."""
    payload = signed_links.unsign("email-change", token,
                                  current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.email != payload.get("old"):
        raise signed_links.InvalidLink(_("This link has already been used."), code="link_used")
    if find_user_by_email(payload["new"]) is not None:
        raise Conflict(_("Another account now uses this address."), code="email_taken")
    user.email = payload["new"]
    user.email_verified_at = utcnow()
    return user

