"""Ad accounts: a brand's prepaid balance (opened on its first portal visit) or a creator's.

Who may act: brand staff (any role) of a brand organisation for its account, campaigns
and partnerships; the creator alone for their own account and boosts. Anything else
answers 404 like every other organisation's object.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, available_timezones

from babel.numbers import get_territory_currencies
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AdAccount, AdLedgerEntry, Membership, Organization, User
from app.services.errors import ValidationFailed
from app.services.permissions import require_membership
from app.services.regions import SUPPORTED_CURRENCIES

DEFAULT_CURRENCY = "USD"
LEDGER_PAGE = 50


@dataclass(frozen=True)
class BrandContext:
    """The brand organisation an actor works for, its membership and its ad account."""

    organization: Organization
    membership: Membership
    account: AdAccount | None


def default_currency(country: str | None) -> str:
    """The billing currency offered first: the country's own, if Qiao bills in it."""
    if country:
        for code in get_territory_currencies(country.upper()):
            if code in SUPPORTED_CURRENCIES:
                return code
    return DEFAULT_CURRENCY


def is_time_zone(name: str | None) -> bool:
    """Whether `name` is an IANA time-zone name."""
    return isinstance(name, str) and name in _zones()


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


_ZONES: frozenset[str] | None = None


def require_brand(actor: User | None, organization_id: int) -> BrandContext:
    """The brand the actor is staff of, with its account if opened; NotFound otherwise."""
    membership = require_membership(actor, organization_id, kind="brand")
    account = db.session.scalar(select(AdAccount).where(
        AdAccount.organization_id == organization_id))
    return BrandContext(organization=membership.organization, membership=membership,
                        account=account)


def brand_account(actor: User | None, organization_id: int) -> AdAccount:
    """The brand's account; NotFound if the actor is not its staff, 409 if not opened yet."""
    context = require_brand(actor, organization_id)
    if context.account is None:
        raise AccountNotOpen(_("Open the brand's ad account first: choose its billing "
                               "currency on the Balance page."))
    return context.account


def open_brand_account(actor: User, organization_id: int, *, currency: str,
                       time_zone: str, country: str | None = None) -> AdAccount:
    """Open the brand's account (once; a second call returns the first account)."""
    context = require_brand(actor, organization_id)
    if context.account is not None:
        return context.account
    _check_settings(currency, time_zone)
    account = AdAccount(organization_id=organization_id, currency=currency,
                        time_zone=time_zone, country=country, balance_minor=0)
    return _insert(account, AdAccount.organization_id == organization_id)


def creator_account(actor: User) -> AdAccount | None:
    """The creator's own account for boosts, if opened."""
    return db.session.scalar(select(AdAccount).where(AdAccount.user_id == actor.id))


def open_creator_account(actor: User, *, currency: str, time_zone: str) -> AdAccount:
    """Open the creator's account for boosting their notes (once)."""
    existing = creator_account(actor)
    if existing is not None:
        return existing
    _check_settings(currency, time_zone)
    account = AdAccount(user_id=actor.id, currency=currency, time_zone=time_zone,
                        country=actor.home_country, balance_minor=0)
    return _insert(account, AdAccount.user_id == actor.id)


def update_account_time_zone(account: AdAccount, time_zone: str) -> AdAccount:
    """Change the zone flight dates are entered in (the currency is fixed once opened)."""
    _check_settings(account.currency, time_zone)
    account.time_zone = time_zone
    db.session.flush()
    return account


def account_zone(account: AdAccount) -> ZoneInfo:
    """The account's time zone."""
    return ZoneInfo(account.time_zone)


def list_ledger(account: AdAccount, *, before_id: int | None = None,
                limit: int = LEDGER_PAGE) -> list[AdLedgerEntry]:
    """The account's ledger, newest first, `limit` entries before `before_id`."""
    query = select(AdLedgerEntry).where(AdLedgerEntry.account_id == account.id)
    if before_id:
        query = query.where(AdLedgerEntry.id < before_id)
    return list(db.session.scalars(query.order_by(AdLedgerEntry.id.desc()).limit(limit)))


def _check_settings(currency: str, time_zone: str) -> None:
    fields: dict[str, list[str]] = {}
    if currency not in SUPPORTED_CURRENCIES:
        fields["currency"] = [_("Choose one of: %(codes)s.",
                                codes=", ".join(SUPPORTED_CURRENCIES))]
    if not is_time_zone(time_zone):
        fields["time_zone"] = [_("Choose a time zone such as Asia/Shanghai.")]
    if fields:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=fields)


def _insert(account: AdAccount, same_owner) -> AdAccount:
    try:
        with db.session.begin_nested():
            db.session.add(account)
            db.session.flush()
    except IntegrityError:
        # A concurrent first visit opened it: use that one.
        existing = db.session.scalar(select(AdAccount).where(same_owner))
        if existing is None:
            raise
        return existing
    return account


class AccountNotOpen(ValidationFailed):
    """The brand has no ad account yet."""

    code = "ad_account_not_open"
    status = 409
