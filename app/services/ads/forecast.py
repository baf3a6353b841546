"""Guaranteed-placement maths: traffic forecasts, day availability and delivery pacing.

Pure functions over plain values (no database, no clock), so the rules can be read and
tested on their own; `app.services.ads.placements` feeds them rows.

**Forecast.** A slot such as "the first sponsored position of Discover in Japan" is shown
once per Discover first page viewed in that country, so its daily volume is forecast from
the last `HISTORY_DAYS` days of Discover views there. The forecast for a day is the mean
daily level times that weekday's factor (its own mean over the level, once the weekday has
been seen twice); the 80 % interval around it is ±1.2816 standard deviations of the
residuals, widened with the horizon (√(1 + h / HISTORY_DAYS) for a day h days ahead).
Counts are Decimals and are rounded half-up to whole impressions once, at the end.

**Availability** of one slot-day:
- `booked`: a paid booking holds it;
- `possible`: it may be bookable but cannot be promised: either another brand's unpaid
  hold has it (holds lapse after 30 minutes), or the forecast is uncertain: fewer than
  `MIN_HISTORY_DAYS` days of traffic observed, nothing forecast, or an interval wider than
  ±`MAX_RELATIVE_SPREAD` of the forecast. A free but uncertain day can be booked; its
  planned volume (and so its price) is the interval's lower bound, not the point forecast;
- `available`: free, with a confident forecast; planned volume = the point forecast.

**Pacing.** A booked slot-day is served to a share of the eligible requests (its rate),
recomputed every interval: next rate = current rate × planned-so-far ÷ delivered-so-far,
clamped to [`MIN_RATE`, 1], and 0 once the booked volume is delivered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

HISTORY_DAYS = 28
MIN_HISTORY_DAYS = 14
Z_80 = Decimal("1.2816")  # two-sided 80 % interval of a normal distribution
MAX_RELATIVE_SPREAD = Decimal("0.5")
MIN_RATE = Decimal("0.05")
SLOT_STATES = ("available", "possible", "booked")


@dataclass(frozen=True)
class DayForecast:
    """Forecast impressions of one day: point estimate and 80 % interval."""

    day: date
    expected: int
    low: int
    high: int
    confident: bool

    @property
    def planned(self) -> int:
        """The volume a booking of this day promises: the forecast, or its lower bound."""
        return self.expected if self.confident else self.low


def _whole(value: Decimal) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def observed_days(history: Mapping[date, int], today: date) -> list[tuple[date, int]]:
    """The window's days since traffic was first recorded (a silent day counts 0)."""
    start = today - timedelta(days=HISTORY_DAYS)
    seen = [d for d in history if start <= d < today]
    if not seen:
        return []
    first = min(seen)
    return [(first + timedelta(days=i), history.get(first + timedelta(days=i), 0))
            for i in range((today - first).days)]


def forecast_views(history: Mapping[date, int], today: date,
                   days: Sequence[date]) -> list[DayForecast]:
    """Forecast each of `days` (all after `today`) from daily counts before `today`."""
    observed = observed_days(history, today)
    n = len(observed)
    if n == 0:
        return [DayForecast(d, 0, 0, 0, False) for d in days]
    level = Decimal(sum(count for _, count in observed)) / n
    by_weekday: dict[int, list[int]] = {}
    for day, count in observed:
        by_weekday.setdefault(day.weekday(), []).append(count)
    factors = {weekday: (Decimal(sum(counts)) / len(counts) / level)
               for weekday, counts in by_weekday.items() if len(counts) >= 2 and level > 0}

    def expected_on(day: date) -> Decimal:
        return level * factors.get(day.weekday(), Decimal(1))

    residuals = [Decimal(count) - expected_on(day) for day, count in observed]
    sd = ((sum(r * r for r in residuals) / (n - 1)).sqrt() if n > 1 else level)
    forecasts = []
    for day in days:
        horizon = max((day - today).days, 1)
        expected = expected_on(day)
        spread = Z_80 * sd * (1 + Decimal(horizon) / HISTORY_DAYS).sqrt()
        confident = (n >= MIN_HISTORY_DAYS and expected > 0
                     and spread <= MAX_RELATIVE_SPREAD * expected)
        low = max(expected - spread, Decimal(0))
        forecasts.append(DayForecast(day, _whole(expected), _whole(low),
                                     _whole(expected + spread), confident))
    return forecasts


def day_status(forecast: DayForecast, *, booked: bool, held_by_other: bool) -> str:
    """`available`, `possible` or `booked` for one slot-day (see the module docstring)."""
    if booked:
        return "booked"
    if held_by_other or not forecast.confident:
        return "possible"
    return "available"


def next_serve_rate(rate: Decimal, *, planned_total: int, planned_so_far: Decimal,
                    delivered: int) -> Decimal:
    """The next interval's serving rate, corrected by delivered ÷ planned so far."""
    if delivered >= planned_total:
        return Decimal(0)
    if planned_so_far <= 0:
        return max(rate, MIN_RATE)
    if delivered <= 0:
        return Decimal(1)
    corrected = rate * planned_so_far / Decimal(delivered)
    return min(max(corrected, MIN_RATE), Decimal(1)).quantize(Decimal("0.0001"))


def planned_by(planned_total: int, elapsed_fraction: Decimal) -> Decimal:
    """Impressions a day's plan expects by `elapsed_fraction` (0..1) of the day (even)."""
    fraction = min(max(elapsed_fraction, Decimal(0)), Decimal(1))
    return Decimal(planned_total) * fraction


def placement_price_minor(planned: int, cpm_minor: int) -> int:
    """The price of a slot-day: planned impressions at the slot's CPM, rounded half-up."""
    return _whole(Decimal(planned) * cpm_minor / 1000)
