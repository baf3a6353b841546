"""Frequency-cap and pacing counters: in Redis when REDIS_URL is set, else in the database.

Two implementations of one small interface, chosen by configuration (`counter_store()`):

- `DatabaseCounters` keeps per-viewer frequencies in `ad_frequencies` (an upsert per
  counted impression) and reads pacing delivery from `campaign_days.spend_micros`.
- `RedisCounters` keeps both in Redis hashes that expire after two days, so busy feeds do
  not write frequency rows to the database at all.

Hides are always rows in the database (they carry a reason). Reading a viewer's state for
a feed request is one database query either way (app.services.ads.serving): the database
store's frequencies are folded into that query with UNION ALL; the Redis store's come
from one HGETALL.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import AdFrequency, CampaignDay

TWO_DAYS = 2 * 86_400


class CounterStore(Protocol):
    """Where serving keeps per-viewer frequencies and per-campaign delivery for pacing."""

    def frequency_select(self, viewer_key: str, day: date) -> Select | None:
        """A SELECT of (campaign_id, count) to fold into the viewer's one state query, or
        None when the frequencies live elsewhere (then `frequencies` reads them).
        """

    def frequencies(self, viewer_key: str, day: date) -> dict[int, int]:
        """Today's impressions per campaign for this viewer (stores outside the database)."""

    def count_impression(self, viewer_key: str, campaign_id: int, day: date) -> None:
        """One more impression of `campaign_id` for this viewer today."""

    def add_delivery(self, campaign_id: int, day: date, micros: int) -> None:
        """`micros` more spend delivered by the campaign today (pacing's "delivered")."""

    def deliveries(self, campaign_ids: list[int], day: date) -> dict[int, int]:
        """Spend delivered today per campaign, in micros."""


class DatabaseCounters:
    """Counters as rows: the embedded default (`make run` needs nothing else)."""

    def frequency_select(self, viewer_key: str, day: date) -> Select | None:
        """The viewer's rows of today."""
        return select(AdFrequency.campaign_id, AdFrequency.count) \
            .where(AdFrequency.viewer_key == viewer_key, AdFrequency.day == day)

    def frequencies(self, viewer_key: str, day: date) -> dict[int, int]:
        """Read on their own (the feed folds `frequency_select` into one query instead)."""
        return dict(db.session.execute(self.frequency_select(viewer_key, day)).tuples().all())

    def count_impression(self, viewer_key: str, campaign_id: int, day: date) -> None:
        """Upsert +1 (atomic on both databases)."""
        table = AdFrequency.__table__
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(table).values(
            viewer_key=viewer_key, day=day, campaign_id=campaign_id, count=1)
        statement = statement.on_conflict_do_update(
            index_elements=["viewer_key", "day", "campaign_id"],
            set_={"count": table.c.count + 1})
        db.session.execute(statement)

    def add_delivery(self, campaign_id: int, day: date, micros: int) -> None:
        """Nothing to do: spend already raised `campaign_days.spend_micros`."""

    def deliveries(self, campaign_ids: list[int], day: date) -> dict[int, int]:
        """Read from the day's statistics."""
        if not campaign_ids:
            return {}
        rows = db.session.execute(select(CampaignDay.campaign_id, CampaignDay.spend_micros)
                                  .where(CampaignDay.day == day,
                                         CampaignDay.campaign_id.in_(campaign_ids)))
        return {campaign_id: micros for campaign_id, micros in rows}


class RedisCounters:
    """Counters in Redis hashes: `<prefix>f:<day>:<viewer>` and `<prefix>d:<day>`."""

    def __init__(self, client, prefix: str, url: str = "") -> None:
        self.client = client
        self.prefix = prefix
        self.url = url

    def _frequency_key(self, viewer_key: str, day: date) -> str:
        return f"{self.prefix}f:{day.isoformat()}:{viewer_key}"

    def _delivery_key(self, day: date) -> str:
        return f"{self.prefix}d:{day.isoformat()}"

    def frequency_select(self, viewer_key: str, day: date) -> Select | None:
        """None: frequencies are in Redis."""
        return None

    def frequencies(self, viewer_key: str, day: date) -> dict[int, int]:
        """HGETALL of the viewer's hash for the day."""
        raw = self.client.hgetall(self._frequency_key(viewer_key, day))
        return {int(k): int(v) for k, v in raw.items()}

    def count_impression(self, viewer_key: str, campaign_id: int, day: date) -> None:
        """HINCRBY and refresh the expiry, in one round trip."""
        key = self._frequency_key(viewer_key, day)
        pipe = self.client.pipeline()
        pipe.hincrby(key, str(campaign_id), 1)
        pipe.expire(key, TWO_DAYS)
        pipe.execute()

    def add_delivery(self, campaign_id: int, day: date, micros: int) -> None:
        """HINCRBY the day's delivery hash."""
        key = self._delivery_key(day)
        pipe = self.client.pipeline()
        pipe.hincrby(key, str(campaign_id), micros)
        pipe.expire(key, TWO_DAYS)
        pipe.execute()

    def deliveries(self, campaign_ids: list[int], day: date) -> dict[int, int]:
        """HMGET of the campaigns asked for (absent: 0)."""
        if not campaign_ids:
            return {}
        values = self.client.hmget(self._delivery_key(day), [str(c) for c in campaign_ids])
        return {c: int(v or 0) for c, v in zip(campaign_ids, values, strict=True)}


def counter_store() -> CounterStore:
    """The store configured for this app (one Redis client per app, reused)."""
    url = current_app.config.get("REDIS_URL") or ""
    if not url:
        return DatabaseCounters()
    store = current_app.extensions.get("qiao_ad_counters")
    if store is None or store.url != url:
        import redis

        store = RedisCounters(redis.Redis.from_url(url, decode_responses=True),
                              current_app.config.get("ADS_REDIS_PREFIX", "qiao:ads:"), url)
        current_app.extensions["qiao_ad_counters"] = store
    return store

