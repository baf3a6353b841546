"""Demo shipping profiles: the tea house ships from Hangzhou, Brooklyn Goods from New York."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import ShippingProfile, ShippingRate, ShippingZone, Store

# name, countries (empty: the rest of the world), free over, (min, max) days,
# [(max grams or None, price)]; amounts in the store's currency, minor units.
EU_AND_UK = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR",
             "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE",
             "SI", "SK"]
TEA_HOUSE_ZONES = [
    ("China", ["CN"], 9900, (2, 4), [(1000, 1000), (None, 2000)]),
    ("Hong Kong, Taiwan, Singapore", ["HK", "TW", "SG"], 39900, (4, 7),
     [(500, 4500), (2000, 8000), (None, 15000)]),
    ("Japan and Korea", ["JP", "KR"], 59900, (4, 8),
     [(500, 6000), (2000, 11000), (None, 20000)]),
    ("European Union and UK", EU_AND_UK, 99900, (8, 14),
     [(500, 8500), (2000, 15000), (None, 28000)]),
    ("Rest of the world", [], None, (7, 15), [(500, 9000), (2000, 16000), (None, 30000)]),
]
BROOKLYN_ZONES = [
    ("United States", ["US"], 7500, (2, 5), [(1000, 599), (None, 1299)]),
    ("Canada and Mexico", ["CA", "MX"], None, (5, 9), [(1000, 1499), (None, 2999)]),
    ("European Union and UK", EU_AND_UK, 20000, (6, 12),
     [(500, 1799), (2000, 3299), (None, 5499)]),
    ("Asia Pacific", ["AU", "CN", "HK", "JP", "KR", "SG"], 25000, (7, 14),
     [(500, 1999), (2000, 3499), (None, 5999)]),
    ("Rest of the world", [], 25000, (7, 14), [(500, 1999), (2000, 3499), (None, 5999)]),
]


def _profile(store: Store, zones: list) -> bool:
    """Give `store` these zones unless it has a profile already; True if it was added."""
    if db.session.scalar(select(ShippingProfile).where(ShippingProfile.store_id == store.id)):
        return False
    profile = ShippingProfile(store_id=store.id, name="Standard")
    for position, (name, countries, free_over, days, rates) in enumerate(zones):
        profile.zones.append(ShippingZone(
            name=name, position=position, countries=countries, free_over_minor=free_over,
            delivery_days_min=days[0], delivery_days_max=days[1],
            rates=[ShippingRate(max_weight_grams=grams, price_minor=price)
                   for grams, price in rates]))
    db.session.add(profile)
    db.session.flush()
    return True


def seed_shipping_profiles(tea_store: Store, brooklyn_store: Store) -> list[str]:
    """Shipping zones for both demo stores (safe to run again)."""
    added = [store.name for store, zones in ((tea_store, TEA_HOUSE_ZONES),
                                             (brooklyn_store, BROOKLYN_ZONES))
             if _profile(store, zones)]
    return [f"Shipping profiles added: {', '.join(added)}"] if added else []
