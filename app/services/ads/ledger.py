"""The one writer of ad balances: every change is a conditional UPDATE plus a ledger entry.

`post_entry` is the only function that changes `AdAccount.balance_minor`. A debit is
`UPDATE ... SET balance = balance - :n WHERE id = :id AND balance >= :n` (row count 0:
InsufficientBalance), so concurrent debits never overdraw the account on SQLite or
PostgreSQL; the entry records the balance the UPDATE produced. An entry is unique per
(kind, reference), so a second credit for the same top-up fails at the database.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import LEDGER_KINDS, AdAccount, AdLedgerEntry, User, utcnow
from app.money import Money
from app.services.errors import DomainError

ACCOUNTS = AdAccount.__table__


class InsufficientBalance(DomainError):
    """The account's balance does not cover the debit; nothing was debited."""

    code = "insufficient_balance"
    status = 422


def post_entry(account: AdAccount, kind: str, amount_minor: int, *,
               reference_type: str | None = None, reference_id: int | None = None,
               memo: str = "", actor: User | None = None) -> AdLedgerEntry:
    """Change the balance by `amount_minor` (signed) and record it; flushes.

    Raises InsufficientBalance when a debit is larger than the balance. Callers take
    care of "once per reference" themselves (a conditional state change) and the
    database's unique (kind, reference) backs them up.
    """
    if kind not in LEDGER_KINDS:
        raise ValueError(f"unknown ledger kind {kind}")
    if amount_minor == 0:
        raise ValueError("a ledger entry moves money")
    db.session.flush()
    statement = update(ACCOUNTS).where(ACCOUNTS.c.id == account.id).values(
        balance_minor=ACCOUNTS.c.balance_minor + amount_minor, updated_at=utcnow())
    if amount_minor < 0:
        statement = statement.where(ACCOUNTS.c.balance_minor >= -amount_minor)
    if db.session.execute(statement).rowcount != 1:
        available = Money(account_balance_minor(account.id), account.currency)
        raise InsufficientBalance(
            _("The balance (%(balance)s) does not cover %(amount)s. Top up first.",
              balance=available.format(), amount=Money(-amount_minor,
                                                      account.currency).format()),
            fields={"balance": [_("Top up your balance first.")]})
    balance_after = account_balance_minor(account.id)
    db.session.refresh(account, ["balance_minor", "updated_at"])
    entry = AdLedgerEntry(
        account_id=account.id, kind=kind, amount_minor=amount_minor,
        balance_after_minor=balance_after, currency=account.currency,
        reference_type=reference_type, reference_id=reference_id, memo=memo,
        created_by_id=actor.id if actor is not None else None)
    db.session.add(entry)
    db.session.flush()
    return entry


def account_balance_minor(account_id: int) -> int:
    """The balance as the database holds it now (after this transaction's updates)."""
    return db.session.scalar(select(ACCOUNTS.c.balance_minor)
                             .where(ACCOUNTS.c.id == account_id)) or 0


def ledger_sum_minor(account_id: int) -> int:
    """The sum of the account's entries (equals the balance; checked by tests and reconcile)."""
    return db.session.scalar(select(func.coalesce(func.sum(AdLedgerEntry.amount_minor), 0))
                             .where(AdLedgerEntry.account_id == account_id)) or 0
