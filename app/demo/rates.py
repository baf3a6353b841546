"""Demo exchange rates and market rules, so checkout works offline on the first run.

The demo ships one dated ECB snapshot (app/data/ecb-eurofxref-demo.xml). Once
it is older than FX_MAX_AGE_HOURS checkout would refuse every foreign currency,
so the seed then records the same rates again as a snapshot with source "demo",
dated now and labelled as such. A real import (`flask fx import`) replaces them.
"""

from __future__ import annotations

from pathlib import Path

from app.extensions import db
from app.models import utcnow
from app.models.fx import FxRate, FxSnapshot
from app.services.fx import conversion as fx
from app.services.fx.admin import import_ecb_document
from app.services.markets.landed_cost import load_market_rules
from app.services.regions import SUPPORTED_CURRENCIES

DEMO_RATES_FILE = Path(__file__).resolve().parent.parent / "data" / "ecb-eurofxref-demo.xml"


def _prices_every_currency() -> bool:
    """Whether checkout could convert EUR into each presentment currency right now."""
    try:
        for currency in SUPPORTED_CURRENCIES:
            fx.lock_rate("EUR", currency)
    except (fx.StaleRate, fx.RateUnavailable):
        return False
    return True


def seed_rates_and_rules() -> list[str]:
    """Load the shipped market rules and the demo rates; re-date the rates when stale."""
    added = load_market_rules()
    lines = [f"Market rules: {added} added (app/data/market_rules.json)."]
    ecb = import_ecb_document(DEMO_RATES_FILE.read_bytes(), actor=None).snapshot
    day = ecb.as_of.strftime("%Y-%m-%d")
    if _prices_every_currency():
        lines.append(f"Exchange rates: current (the ECB demo rates of {day} or newer).")
        return lines
    demo = FxSnapshot(
        source="demo", base_currency=ecb.base_currency, as_of=utcnow(),
        note=f"Demo rates: the ECB reference rates of {day}, re-dated by `flask demo seed` "
             "so checkout works offline. Run `flask fx import` for today's rates.",
        rates=[FxRate(currency=r.currency, rate=r.rate) for r in ecb.rates])
    db.session.add(demo)
    db.session.flush()
    lines.append(f"Exchange rates: the ECB demo rates of {day} were too old, so they were "
                 "recorded again as demo rates dated now (source 'demo').")
    return lines
