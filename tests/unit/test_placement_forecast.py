"""The guaranteed-placement maths: forecast, availability states, pacing and price."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app.services.ads.forecast import (
    HISTORY_DAYS,
    MIN_RATE,
    DayForecast,
    day_status,
    forecast_views,
    next_serve_rate,
    placement_price_minor,
    planned_by,
)

TODAY = date(2026, 12, 7)  # a Monday


def history(counts_by_offset: dict[int, int]) -> dict[date, int]:
    return {TODAY - timedelta(days=offset): count for offset, count in counts_by_offset.items()}


def steady(count: int, days: int = HISTORY_DAYS) -> dict[date, int]:
    return history({offset: count for offset in range(1, days + 1)})


def test_steady_traffic_forecasts_the_same_volume_with_confidence():
    [day] = forecast_views(steady(1000), TODAY, [TODAY + timedelta(days=3)])
    assert (day.expected, day.low, day.high, day.confident) == (1000, 1000, 1000, True)
    assert day.planned == 1000


def test_weekday_pattern_is_kept():
    # Saturdays and Sundays twice as busy as weekdays, four full weeks.
    counts = {}
    for offset in range(1, HISTORY_DAYS + 1):
        day = TODAY - timedelta(days=offset)
        counts[offset] = 2000 if day.weekday() >= 5 else 1000
    forecasts = forecast_views(history(counts), TODAY,
                               [date(2026, 12, 12), date(2026, 12, 14)])  # Sat, Mon
    assert [f.expected for f in forecasts] == [2000, 1000]
    assert all(f.confident for f in forecasts)


def test_noisy_traffic_has_an_interval_that_widens_with_the_horizon():
    counts = {offset: (1200 if offset % 2 else 800) for offset in range(1, HISTORY_DAYS + 1)}
    near, far = forecast_views(history(counts), TODAY,
                               [TODAY + timedelta(days=1), TODAY + timedelta(days=60)])
    assert near.low < near.expected < near.high
    assert far.high - far.low > near.high - near.low
    assert near.confident  # ±~260 around 1000: within ±50 %


def test_too_little_history_is_not_confident_and_plans_the_lower_bound():
    [day] = forecast_views(steady(500, days=5), TODAY, [TODAY + timedelta(days=2)])
    assert not day.confident
    assert day.planned == day.low


def test_days_before_the_first_record_do_not_count_as_silent():
    # Ten days of traffic: the mean is over ten days, not the 28-day window.
    [day] = forecast_views(steady(300, days=10), TODAY, [TODAY + timedelta(days=1)])
    assert day.expected == 300


def test_silent_days_after_the_first_record_count_as_zero():
    counts = {offset: 1000 for offset in range(1, HISTORY_DAYS + 1) if offset % 5}
    [day] = forecast_views(history(counts), TODAY, [TODAY + timedelta(days=1)])
    assert day.expected < 1000


def test_no_traffic_forecasts_nothing():
    [day] = forecast_views({}, TODAY, [TODAY + timedelta(days=1)])
    assert (day.expected, day.confident, day.planned) == (0, False, 0)


def test_wildly_varying_traffic_is_only_possible():
    counts = {offset: (3000 if offset % 3 == 0 else 100) for offset in range(1, 29)}
    [day] = forecast_views(history(counts), TODAY, [TODAY + timedelta(days=1)])
    assert not day.confident
    assert day_status(day, booked=False, held_by_other=False) == "possible"


def test_day_status():
    sure = DayForecast(TODAY, 100, 90, 110, True)
    unsure = DayForecast(TODAY, 100, 10, 190, False)
    assert day_status(sure, booked=False, held_by_other=False) == "available"
    assert day_status(sure, booked=True, held_by_other=False) == "booked"
    assert day_status(sure, booked=False, held_by_other=True) == "possible"
    assert day_status(unsure, booked=False, held_by_other=False) == "possible"
    assert day_status(unsure, booked=True, held_by_other=False) == "booked"


def test_pacing_speeds_up_when_behind_and_slows_down_when_ahead():
    half = Decimal("0.5")
    behind = next_serve_rate(half, planned_total=1000, planned_so_far=Decimal(400),
                             delivered=200)
    ahead = next_serve_rate(half, planned_total=1000, planned_so_far=Decimal(400),
                            delivered=800)
    on_plan = next_serve_rate(half, planned_total=1000, planned_so_far=Decimal(400),
                              delivered=400)
    assert behind == Decimal(1)  # 0.5 × 400/200
    assert ahead == Decimal("0.25")
    assert on_plan == half


def test_pacing_stops_at_the_booked_volume_and_never_falls_below_the_floor():
    assert next_serve_rate(Decimal(1), planned_total=1000, planned_so_far=Decimal(900),
                           delivered=1000) == 0
    assert next_serve_rate(Decimal("0.1"), planned_total=1000, planned_so_far=Decimal(10),
                           delivered=900) == MIN_RATE
    assert next_serve_rate(Decimal("0.3"), planned_total=1000, planned_so_far=Decimal(50),
                           delivered=0) == 1


def test_planned_by_is_even_through_the_day():
    assert planned_by(1000, Decimal("0.25")) == 250
    assert planned_by(1000, Decimal("1.5")) == 1000


def test_price_is_planned_impressions_at_the_cpm_rounded_half_up():
    assert placement_price_minor(1500, 2000) == 3000  # 1,500 at 20.00 per mille
    assert placement_price_minor(1, 500) == 1  # 0.5 rounds up
    assert placement_price_minor(0, 2000) == 0
