"""The auction for sponsored slots: expected value per impression, second price capped at bid.

Pure integer arithmetic (no floats, no database). Units:

- A bid is in minor units of the campaign's currency: per thousand impressions (CPM,
  objective "awareness") or per click (CPC, objectives "traffic" and "sales").
- `ppm` converts a campaign's minor units to the reference currency: reference minor units
  per campaign minor unit, times 1,000,000 (1_000_000 when the currencies are the same).
- Expected value per impression (`ev`) is in reference micro minor units, times 1,000,000
  (so that the CTR of CPC bids keeps its precision): CPM: bid / 1000; CPC: bid x CTR.
- The CTR of a CPC campaign is smoothed toward a prior, (clicks + a) / (impressions + b),
  so a new campaign neither wins everything on one lucky click nor nothing on zero clicks.
- A price charged is in micro minor units of the campaign's currency per billable event
  (an impression for CPM, a click for CPC); spend accumulates micros and bills whole minor
  units (app.services.ads.spend).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

MICROS = 1_000_000
PPM_SAME_CURRENCY = 1_000_000
CPM_OBJECTIVES = frozenset({"awareness"})


@dataclass(frozen=True)
class CtrPrior:
    """The prior a CPC campaign's click-through rate is smoothed toward."""

    rate: Fraction = Fraction(1, 100)
    weight: int = 200  # impressions' worth of belief in the prior


def pricing_model(objective: str) -> str:
    """`cpm` for awareness campaigns, `cpc` for traffic and sales."""
    return "cpm" if objective in CPM_OBJECTIVES else "cpc"


def smoothed_ctr(clicks: int, impressions: int, prior: CtrPrior) -> Fraction:
    """(clicks + rate x weight) / (impressions + weight), exact."""
    if clicks < 0 or impressions < 0:
        raise ValueError("counts cannot be negative")
    rate = prior.rate
    # One Fraction built from integers: (clicks + r*w) / (impressions + w) with r = n/d.
    return Fraction(clicks * rate.denominator + rate.numerator * prior.weight,
                    (impressions + prior.weight) * rate.denominator)


def expected_value(model: str, bid_minor: int, ctr: Fraction, ppm: int = PPM_SAME_CURRENCY
                   ) -> int:
    """Expected value of one impression in the reference currency (see the module doc)."""
    if model == "cpm":
        return bid_minor * ppm * MICROS // 1000
    return int(bid_minor * ppm * MICROS * ctr)


def price_to_beat(model: str, bid_minor: int, ctr: Fraction, ppm: int, runner_up_ev: int
                  ) -> int:
    """The least price (micros of the campaign's currency per billable event) whose expected
    value still reaches `runner_up_ev`, capped at the bid: the second price.
    """
    cap = bid_minor * MICROS if model == "cpc" else bid_minor * 1000
    if runner_up_ev <= 0:
        return 0
    if model == "cpm":
        # ev = price_micros_per_impression * ppm  ->  price = ceil(ev / ppm)
        price = -(-runner_up_ev // ppm)
    else:
        # ev = price_micros_per_click * ppm * ctr  ->  price = ceil(ev / (ppm * ctr))
        price = -(-runner_up_ev * ctr.denominator // (ppm * ctr.numerator))
    return min(price, cap)


def reserve_price(model: str, bid_minor: int, reserve_percent: int) -> int:
    """What a lone bidder pays: `reserve_percent` of its own bid (micros per event)."""
    cap = bid_minor * MICROS if model == "cpc" else bid_minor * 1000
    return cap * reserve_percent // 100


@dataclass(frozen=True)
class Bidder:
    """One eligible campaign in one auction."""

    campaign_id: int
    model: str
    bid_minor: int
    ctr: Fraction
    ppm: int
    ev: int


@dataclass(frozen=True)
class Award:
    """A slot won: the campaign and the price it pays per billable event (micros)."""

    campaign_id: int
    price_micros: int


def run_auction(bidders: list[Bidder], slots: int, reserve_percent: int = 50) -> list[Award]:
    """Generalised second-price auction: the best `slots` expected values win, in order;
    each pays what it takes to beat the next one (capped at its bid), the last winner
    without a runner-up pays the reserve.
    """
    ranked = sorted(bidders, key=lambda b: (-b.ev, b.campaign_id))
    awards = []
    for index, winner in enumerate(ranked[:slots]):
        if index + 1 < len(ranked):
            runner_up = ranked[index + 1]
            price = price_to_beat(winner.model, winner.bid_minor, winner.ctr, winner.ppm,
                                  runner_up.ev)
        else:
            price = reserve_price(winner.model, winner.bid_minor, reserve_percent)
        awards.append(Award(winner.campaign_id, price))
    return awards
