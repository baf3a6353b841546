"""The shipped rule book with the ECB sample's rates, and rule-file entries to vary.

Used by the worked examples of rule changes and of thresholds by place of shipment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.extensions import db
from app.services.fx import conversion as fx
from app.services.markets.landed_cost import load_market_rules

ECB_SAMPLE = (Path(__file__).parent / "data" / "ecb-eurofxref-sample.xml").read_bytes()


@pytest.fixture
def rules(app):
    """The rule book loaded, with the sample's rates (of 2026-11-27) counting as current."""
    load_market_rules()
    fx.import_ecb_rates(ECB_SAMPLE)
    saved = app.config["FX_MAX_AGE_HOURS"]
    app.config["FX_MAX_AGE_HOURS"] = 24 * 365 * 10
    db.session.flush()
    yield
    app.config["FX_MAX_AGE_HOURS"] = saved


def rule_entry(**changes) -> dict:
    """A valid rule-file entry for a made-up country, with `changes` applied."""
    base = {"country": "ZW", "name": "Test rule", "effective_from": "2026-01-01",
            "effective_to": None, "currency": "USD", "duty_free_threshold": "0",
            "tax_free_threshold": None, "default_duty_rate": "0.05", "vat_rate": "0.15",
            "tax_includes_shipping": True, "tax_includes_duty": True,
            "checkout_collection_limit": None, "max_consignment": None,
            "source": "Test", "notes": "", "duty_rates": []}
    return {**base, **changes}
