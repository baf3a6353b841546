"""Pacing maths: how much a campaign may have spent by now, and the feedback throttle.

All spend is in micro minor units of the campaign's currency (see app.services.ads.auction).
Days are UTC days, the unit of the daily cap and of the per-day statistics.
"""

from __future__ import annotations

from datetime import datetime, timedelta

SECONDS_PER_DAY = 86_400
THROTTLE_SCALE = 1000  # throttles are stored in thousandths: 1000 = serve at every chance
MIN_THROTTLE = 20      # never quite stop: a paused-by-pacing campaign still learns its CTR


def day_start(moment: datetime) -> datetime:
    """Midnight (UTC) of `moment`'s day."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def elapsed_share(moment: datetime) -> tuple[int, int]:
    """The part of the UTC day already gone, as (seconds elapsed, seconds in a day)."""
    seconds = int((moment - day_start(moment)).total_seconds())
    return seconds, SECONDS_PER_DAY


def daily_target_micros(budget_minor: int, spent_minor: int, daily_cap_minor: int | None,
                        ends_at: datetime | None, now: datetime) -> int:
    """Today's planned spend: the remaining budget spread over the remaining flight days,
    never above the daily cap; without an end date, the daily cap (or the whole remainder).
    """
    remaining = max(budget_minor - spent_minor, 0)
    if ends_at is not None:
        days_left = max((day_start(ends_at) - day_start(now)) // timedelta(days=1) + 1, 1)
        target = -(-remaining // days_left)
    else:
        target = remaining
    if daily_cap_minor is not None:
        target = min(target, daily_cap_minor)
    return target * 1_000_000


def allowed_by_now_micros(target_micros: int, moment: datetime, slack_micros: int) -> int:
    """Even pacing: the share of today's target the elapsed part of the day allows, plus a
    slack (one maximum price) so a campaign can start spending at midnight.
    """
    elapsed, total = elapsed_share(moment)
    return target_micros * elapsed // total + slack_micros


def may_serve_even(today_spend_micros: int, target_micros: int, moment: datetime,
                   slack_micros: int) -> bool:
    """Whether an even-paced campaign is behind (or on) its plan for this moment."""
    return today_spend_micros < allowed_by_now_micros(target_micros, moment, slack_micros)


def next_throttle(current: int, delivered_micros: int, planned_micros: int) -> int:
    """The next interval's serving rate, corrected by delivered / planned (thousandths).

    Over-delivery lowers the rate in proportion; under-delivery raises it (at most doubling
    per interval, so one quiet interval does not open the floodgates); nothing planned
    (the day's target is reached) drops to the minimum.
    """
    if planned_micros <= 0:
        return MIN_THROTTLE
    if delivered_micros <= 0:
        proposed = current * 2
    else:
        proposed = min(current * planned_micros // delivered_micros, current * 2)
    return max(MIN_THROTTLE, min(THROTTLE_SCALE, proposed))


def planned_micros(target_micros: int, seconds: int) -> int:
    """The share of today's target that `seconds` of the day should deliver."""
    return target_micros * max(seconds, 0) // SECONDS_PER_DAY
