"""Topping up an ad account by card: one PaymentIntent per top-up, credited exactly once.

The same discipline as paying a quote (app.services.payments.quote_payments):
`start_topup` writes the AdTopUp row with our own idempotency key (the edge commits),
then `open_topup_intent` calls the provider with that key while holding the row's lock.
The intent carries `qiao_purpose=ad_topup` in its metadata, so the Stripe webhook
route hands its events to `record_topup_outcome`, which the return page also calls.
Whichever comes first moves the top-up to `succeeded` with a conditional UPDATE and
writes the one `topup` ledger entry; the other finds it done. The ledger's unique
(kind, reference) would refuse a second credit even if that guard were bypassed.

A refund debits the balance first (a conditional UPDATE: refused with
`insufficient_balance` when the money was already spent or reserved) and then asks the
provider, with a key derived from the top-up so a retry cannot refund twice.

A refund made at the provider instead (the Stripe dashboard, a card dispute) cannot be
refused: the money has gone back to the card. The webhook hands it to
`record_topup_refunds`, which records each provider refund once (`AdTopUpRefund`, unique
per refund id) and debits what the balance still holds. The rest, already spent or
reserved, becomes the account's debt, as an ad platform's unpaid balance does: its
campaigns stop serving (the serving snapshot skips accounts in debt) and the next top-up
pays the debt first (`debt_repayment`) before any of it is spendable.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import AdAccount, AdTopUp, AdTopUpRefund, User, utcnow
from app.money import Money
from app.providers.payments import (
    Intent,
    PaymentProviderError,
    SandboxStripeProvider,
    payment_provider,
)
from app.services.ads.accounts import require_brand
from app.services.ads.ledger import account_balance_minor, post_entry
from app.services.ads.snapshot import invalidate_snapshot
from app.services.errors import Conflict, DomainError, Forbidden, NotFound
from app.services.fields import FieldErrors, clean_money
from app.services.payments import check_chargeable
from app.services.permissions import ROLE_RANK

log = logging.getLogger("qiao.ads.topups")
PURPOSE = "ad_topup"
TOPUPS = AdTopUp.__table__
OPEN_STATES = ("created", "processing")
MAX_TOPUP_MAJOR = 1_000_000


class TopUpUnavailable(DomainError):
    """The payment provider cannot be reached; nothing was charged."""

    code = "payment_provider_unavailable"
    status = 503


class TopUpRejected(DomainError):
    """The provider refused the request, or the card token is unreadable."""

    code = "payment_rejected"
    status = 422


class TopUpNotRefundable(Conflict):
    """Only a succeeded, not yet refunded top-up can be refunded."""

    code = "topup_not_refundable"


def _provider_error(exc: PaymentProviderError) -> DomainError:
    if exc.unavailable:
        return TopUpUnavailable(_("The payment service is unavailable right now. Nothing was "
                                  "charged; please try again in a moment."))
    return TopUpRejected(exc.message)


def start_topup(actor: User, account: AdAccount, amount_input, *,
                idempotency_key: str | None = None) -> AdTopUp:
    """A new top-up of the account for `amount_input` (Money, API money or a decimal)."""
    errors = FieldErrors()
    amount = clean_money(amount_input, "amount", errors, default_currency=account.currency,
                         required=True, exact=isinstance(amount_input, dict))
    if amount is not None and amount.currency != account.currency:
        errors.add("amount", _("Top-ups are in the account's billing currency %(currency)s.",
                               currency=account.currency), "currency_mismatch")
    elif amount is not None and amount.minor == 0:
        errors.add("amount", _("Must be more than zero."))
    elif amount is not None and amount.amount > MAX_TOPUP_MAJOR:
        errors.add("amount", _("Top up at most %(n)s at a time.",
                               n=f"{MAX_TOPUP_MAJOR:,}"), "amount_above_maximum")
    errors.raise_if_any(_("Please correct the highlighted fields."))
    check_chargeable(amount)
    topup = AdTopUp(account_id=account.id, state="created", currency=amount.currency,
                    amount_minor=amount.minor, provider=payment_provider().name,
                    idempotency_key=idempotency_key or f"qiao-adtopup-{uuid.uuid4().hex}",
                    created_by_id=actor.id)
    db.session.add(topup)
    db.session.flush()
    return topup


def open_topup_intent(topup: AdTopUp) -> Intent:
    """Create the top-up's intent with its stored key, or fetch the one it has.

    Concurrent calls queue on the row's lock until the first stored the intent id.
    """
    db.session.flush()
    db.session.refresh(topup, with_for_update=True)
    provider = payment_provider()
    try:
        if topup.intent_id:
            intent = provider.retrieve_intent(topup.intent_id)
        else:
            intent = provider.create_intent(
                Money(topup.amount_minor, topup.currency),
                idempotency_key=topup.idempotency_key,
                metadata={"qiao_purpose": PURPOSE, "qiao_topup_id": str(topup.id),
                          "qiao_ad_account_id": str(topup.account_id)})
    except PaymentProviderError as exc:
        raise _provider_error(exc) from None
    if not _matches(topup, intent):
        raise TopUpRejected(f"Intent {intent.id} does not match top-up {topup.id}.")
    topup.intent_id = intent.id
    db.session.flush()
    if intent.status in ("succeeded", "processing"):
        record_topup_outcome(intent)
    return intent


def get_topup(actor: User, account: AdAccount, topup_id: int) -> AdTopUp:
    """A top-up of the account (the caller has checked the actor may see the account)."""
    topup = db.session.get(AdTopUp, topup_id)
    if topup is None or topup.account_id != account.id:
        raise NotFound(_("No such top-up."), code="topup_not_found")
    return topup


def get_own_topup(actor: User, topup_id: int) -> AdTopUp:
    """A top-up of the actor's own (creator) account; anyone else's answers 404."""
    topup = db.session.get(AdTopUp, topup_id)
    account = db.session.get(AdAccount, topup.account_id) if topup else None
    if topup is None or account is None or account.user_id != actor.id:
        raise NotFound(_("No such top-up."), code="topup_not_found")
    return topup


def list_topups(account: AdAccount, limit: int = 20) -> list[AdTopUp]:
    """The account's recent top-ups, newest first."""
    return list(db.session.scalars(select(AdTopUp).where(AdTopUp.account_id == account.id)
                                   .order_by(AdTopUp.id.desc()).limit(limit)))


def confirm_sandbox_topup(topup: AdTopUp, token_id: str) -> Intent:
    """Sandbox only: confirm the top-up's intent with a card token from Stripe.js."""
    provider = payment_provider()
    if not isinstance(provider, SandboxStripeProvider):
        raise NotFound("No such page.")
    if topup.intent_id is None:
        raise NotFound(_("This top-up has no payment yet."), code="topup_not_found")
    if not isinstance(token_id, str) or not token_id.startswith("tok_") or len(token_id) > 255:
        raise TopUpRejected(_("The card could not be read. Check the details and try again."),
                            code="invalid_card_token")
    try:
        intent = provider.confirm_with_token(topup.intent_id, token_id)
    except PaymentProviderError as exc:
        raise _provider_error(exc) from None
    record_topup_outcome(intent)
    return intent


def sync_topup(topup: AdTopUp) -> str:
    """Ask the provider how the top-up stands and record it (the return page)."""
    if topup.intent_id is None:
        return "no intent"
    try:
        intent = payment_provider().retrieve_intent(topup.intent_id)
    except PaymentProviderError as exc:
        raise _provider_error(exc) from None
    return record_topup_outcome(intent)


def _matches(topup: AdTopUp, intent: Intent) -> bool:
    return intent.amount == Money(topup.amount_minor, topup.currency)


def _topup_for_intent(intent: Intent) -> AdTopUp | None:
    topup = db.session.scalar(select(AdTopUp).where(AdTopUp.intent_id == intent.id))
    if topup is None and intent.metadata.get("qiao_topup_id", "").isdigit():
        # Created, but our row never learnt its id (a crash after the call).
        candidate = db.session.get(AdTopUp, int(intent.metadata["qiao_topup_id"]))
        if candidate is not None and candidate.intent_id is None:
            candidate.intent_id = intent.id
            topup = candidate
    return topup


def _set_state(topup: AdTopUp, state: str, from_states: tuple[str, ...], **values) -> bool:
    db.session.flush()
    result = db.session.execute(
        update(TOPUPS).where(TOPUPS.c.id == topup.id, TOPUPS.c.state.in_(from_states))
        .values(state=state, updated_at=utcnow(), **values))
    db.session.expire(topup)
    return result.rowcount == 1


def record_topup_outcome(intent: Intent) -> str:
    """Apply an ad top-up intent's current state, crediting the balance at most once."""
    topup = _topup_for_intent(intent)
    if topup is None:
        return "not a Qiao ad top-up"
    if not _matches(topup, intent):
        log.error("intent %s amount %s does not match ad top-up %s", intent.id, intent.amount,
                  topup.id)
        return "amount mismatch: ignored"
    if intent.status == "succeeded":
        if not _set_state(topup, "succeeded", ("created", "processing", "failed", "cancelled"),
                          succeeded_at=utcnow(), failure_message=""):
            return "top-up already credited"
        account = db.session.get(AdAccount, topup.account_id)
        post_entry(account, "topup", topup.amount_minor, reference_type="topup",
                   reference_id=topup.id, memo=intent.id)
        if _repay_debt(account, topup):
            return "top-up credited, debt repaid"
        return "top-up credited"
    if intent.status == "processing":
        _set_state(topup, "processing", ("created",))
        return "processing"
    if intent.status == "canceled":
        return "cancelled" if _set_state(topup, "cancelled", OPEN_STATES) else "already closed"
    if intent.status == "requires_payment_method" and intent.last_error:
        failed = _set_state(topup, "failed", OPEN_STATES,
                            failure_message=intent.last_error[:2000])
        return "failed" if failed else "already closed"
    return f"waiting ({intent.status})"


def sync_stale_topups(*, min_age: timedelta = timedelta(minutes=5), limit: int = 100
                      ) -> list[str]:
    """Ask the provider about open top-ups neither the webhook nor the return page settled.

    One line per top-up looked at; a provider that cannot be reached leaves it for the
    next run.
    """
    cutoff = utcnow() - min_age
    stale = list(db.session.scalars(
        select(AdTopUp).where(AdTopUp.state.in_(OPEN_STATES), AdTopUp.intent_id.is_not(None),
                              AdTopUp.created_at <= cutoff)
        .order_by(AdTopUp.id).limit(limit)))
    lines = []
    for topup in stale:
        try:
            lines.append(f"top-up {topup.id}: {sync_topup(topup)}")
        except TopUpUnavailable:
            lines.append(f"top-up {topup.id}: provider unavailable")
    return lines


def refund_topup(actor: User, topup_id: int) -> AdTopUp:
    """Return a top-up to the card: brand owners and admins, while the balance covers it.

    The debit comes first; if the balance was spent it fails with `insufficient_balance`
    and nothing is refunded. The provider call uses a key derived from the top-up, so a
    retry after a crash cannot refund twice.
    """
    topup = db.session.get(AdTopUp, topup_id)
    account = db.session.get(AdAccount, topup.account_id) if topup else None
    if topup is None or account is None:
        raise NotFound(_("No such top-up."), code="topup_not_found")
    _require_refunder(actor, account)
    key = f"qiao-adtopup-refund-{topup.id}"
    # What a refund made at the provider already returned stays returned.
    left = topup.amount_minor - refunded_at_provider_minor(topup.id)
    if left <= 0 or not _set_state(topup, "refunded", ("succeeded",), refunded_at=utcnow(),
                                   refund_idempotency_key=key):
        raise TopUpNotRefundable(_("Only a paid top-up that has not been refunded can be "
                                   "refunded."))
    post_entry(account, "topup_refund", -left, reference_type="topup",
               reference_id=topup.id, memo=topup.intent_id or "", actor=actor)
    try:
        payment_provider().refund(topup.intent_id, Money(left, topup.currency),
                                  idempotency_key=key,
                                  metadata={"qiao_purpose": PURPOSE,
                                            "qiao_topup_id": str(topup.id)})
    except PaymentProviderError as exc:
        raise _provider_error(exc) from None
    return topup


def _require_refunder(actor: User, account: AdAccount) -> None:
    if actor.has_role("admin"):
        return
    if account.organization_id is None:
        if account.user_id != actor.id:
            raise NotFound(_("No such top-up."), code="topup_not_found")
        return
    context = require_brand(actor, account.organization_id)
    if ROLE_RANK[context.membership.role] < ROLE_RANK["admin"]:
        raise Forbidden(_("Only the brand's owner or an admin can refund a top-up."))



# Refunds made at the provider ----------------------------------------------------------------

def refunded_at_provider_minor(topup_id: int) -> int:
    """How much of the top-up refunds made at the provider returned to the card."""
    return db.session.scalar(select(func.coalesce(func.sum(AdTopUpRefund.amount_minor), 0))
                             .where(AdTopUpRefund.topup_id == topup_id)) or 0


def record_topup_refunds(intent: Intent) -> str:
    """Record every succeeded refund of a top-up's intent made at the provider, once each.

    Called by the webhook for `charge.refunded` and `refund.*` events; the refunds are
    asked of the provider, not read from the event. Refunds Qiao made itself (their
    metadata names the top-up) were debited when they were asked for.
    """
    topup = _topup_for_intent(intent)
    if topup is None:
        return "not a Qiao ad top-up"
    try:
        refunds = payment_provider().list_refunds(intent.id, topup.currency)
    except PaymentProviderError as exc:
        raise _provider_error(exc) from None
    outcomes = [_record_provider_refund(topup, refund) for refund in refunds
                if refund.status == "succeeded"
                and refund.metadata.get("qiao_topup_id") != str(topup.id)]
    return "; ".join(outcomes) or "no refund made at the provider"


def _record_provider_refund(topup: AdTopUp, refund) -> str:
    if refund.amount.currency != topup.currency:
        log.error("refund %s is in %s, top-up %s in %s", refund.id, refund.amount.currency,
                  topup.id, topup.currency)
        return f"{refund.id}: currency mismatch, ignored"
    if db.session.scalar(select(AdTopUpRefund.id).where(
            AdTopUpRefund.provider_refund_id == refund.id)) is not None:
        return f"{refund.id}: already recorded"
    account = db.session.scalar(select(AdAccount).where(AdAccount.id == topup.account_id)
                                .with_for_update())
    amount = refund.amount.minor
    debited = min(amount, account_balance_minor(account.id))
    row = AdTopUpRefund(topup_id=topup.id, account_id=account.id,
                        provider_refund_id=refund.id, currency=topup.currency,
                        amount_minor=amount, debited_minor=debited,
                        debt_minor=amount - debited)
    db.session.add(row)
    db.session.flush()  # the unique refund id stops a concurrent delivery here
    if debited:
        post_entry(account, "topup_refund", -debited, reference_type="topup_refund",
                   reference_id=row.id, memo=refund.id)
    if row.debt_minor:
        db.session.execute(update(AdAccount).where(AdAccount.id == account.id).values(
            debt_minor=AdAccount.debt_minor + row.debt_minor, updated_at=utcnow()))
        db.session.refresh(account, ["debt_minor"])
        invalidate_snapshot()
    if refunded_at_provider_minor(topup.id) >= topup.amount_minor:
        _set_state(topup, "refunded", ("succeeded",), refunded_at=utcnow())
    if row.debt_minor:
        return f"{refund.id}: debited {debited}, owed {row.debt_minor}"
    return f"{refund.id}: debited {debited}"


def _repay_debt(account: AdAccount, topup: AdTopUp) -> int:
    """Pay the account's debt from its balance after a top-up; the amount repaid."""
    db.session.refresh(account, ["debt_minor", "balance_minor"])
    repay = min(account.debt_minor, account.balance_minor)
    if repay <= 0:
        return 0
    post_entry(account, "debt_repayment", -repay, reference_type="topup",
               reference_id=topup.id, memo=topup.intent_id or "")
    db.session.execute(update(AdAccount).where(AdAccount.id == account.id,
                                               AdAccount.debt_minor >= repay)
                       .values(debt_minor=AdAccount.debt_minor - repay))
    db.session.refresh(account, ["debt_minor"])
    invalidate_snapshot()
    return repay
