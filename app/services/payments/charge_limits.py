"""Which amounts can be paid by card: the provider's rules plus the settlement minimum.

The payment provider says which amounts it can represent (a step, e.g. KWD in 0.010) and
its own minimum and maximum per currency (app.providers.payments.AmountRules). What needs
our data stays here: a charge in another currency than the account's settlement currency
(STRIPE_SETTLEMENT_CURRENCY) must also reach the settlement currency's minimum after
conversion, which we check at today's mid rate from app.services.fx.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from app.money import Money
from app.providers.payments import AmountRules, payment_provider
from app.services.errors import ValidationFailed
from app.services.fx import RateUnavailable, StaleRate, lock_rate


class AmountNotChargeable(ValidationFailed):
    """The provider cannot represent this amount exactly (e.g. 1.005 KWD)."""

    code = "amount_not_chargeable"


class AmountBelowMinimum(ValidationFailed):
    """Below the provider's minimum charge."""

    code = "amount_below_minimum"


class AmountAboveMaximum(ValidationFailed):
    """Above the largest amount the provider accepts."""

    code = "amount_above_maximum"


def check_representable(money: Money) -> None:
    """Refuse an amount the provider cannot represent exactly (refunds, before claiming)."""
    _check_step(money, payment_provider().amount_rules(money.currency))


def check_chargeable(money: Money) -> None:
    """Refuse a payment the provider would refuse: not representable, too large, too small."""
    rules = payment_provider().amount_rules(money.currency)
    _check_step(money, rules)
    if money > rules.maximum:
        largest = rules.maximum
        raise AmountAboveMaximum(
            _("%(amount)s %(currency)s is above the largest card payment (%(largest)s "
              "%(currency)s); split the order.", amount=money.amount, currency=money.currency,
              largest=largest.amount),
            fields={"amount": [_("At most %(amount)s %(currency)s.", amount=largest.amount,
                                 currency=money.currency)]})
    minimum = rules.minimum
    if minimum is None or money.currency != _settlement_currency():
        minimum = _settlement_minimum_in(money.currency, rules.minimum) or minimum
    if minimum is not None and money < minimum:
        raise AmountBelowMinimum(
            _("%(amount)s %(currency)s is below the minimum card payment of %(minimum)s "
              "%(currency)s.", amount=money.amount, currency=money.currency,
              minimum=minimum.amount),
            fields={"amount": [_("At least %(amount)s %(currency)s.", amount=minimum.amount,
                                 currency=money.currency)]})


def _check_step(money: Money, rules: AmountRules) -> None:
    if money.minor % rules.step.minor:
        step = rules.step.amount
        raise AmountNotChargeable(
            _("%(amount)s %(currency)s cannot be charged by card: card payments in "
              "%(currency)s must be a multiple of %(step)s %(currency)s.", amount=money.amount,
              currency=money.currency, step=step),
            fields={"amount": [_("Use a multiple of %(step)s %(currency)s.", step=step,
                                 currency=money.currency)]})


def _settlement_currency() -> str:
    return current_app.config.get("STRIPE_SETTLEMENT_CURRENCY", "USD").upper()


def _settlement_minimum_in(currency: str, own: Money | None) -> Money | None:
    """The settlement currency's minimum expressed in `currency` at today's mid rate."""
    settlement = _settlement_currency()
    settlement_minimum = payment_provider().amount_rules(settlement).minimum
    if settlement == currency or settlement_minimum is None:
        return own
    try:
        locked = lock_rate(settlement, currency)
    except (RateUnavailable, StaleRate):
        return own  # no rate to compare with: the provider itself has the last word
    # The mid-market rate without our conversion fee is what Stripe compares against.
    converted = settlement_minimum.convert(locked.mid_rate, currency)
    return max(converted, own) if own is not None else converted
