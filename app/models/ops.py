"""Leases of the periodic jobs, shared by every server so each job runs once per interval."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime


class JobLease(db.Model):
    """One periodic job: who runs it now (until when) and when it last started.

    The embedded scheduler of every server takes a job with one conditional UPDATE (free
    lease and interval elapsed), so two servers sharing a database never run it at once,
    and a holder that died frees it when `locked_until` passes.
    """

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "ok: <count>" or "failed: <exception class>", for `flask jobs status`.
    last_result: Mapped[str | None] = mapped_column(String(200))


class ContentVersion(db.Model):
    """One counter that every write to what public pages show moves on (app.core.page_cache).

    Cached pages are stored under the version they were rendered at, so a price change or
    a removed note makes every older entry unreachable on every server at once: the bump
    commits in the same transaction as the change, and readers fetch the version first.
    """

    __tablename__ = "content_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)


class CacheVersion(db.Model):
    """The token of a group of slow-changing tables processes cache (app.core.cache_versions).

    Every transaction that writes one of the group's tables gives the row a new random
    token before it commits; a process's cached copy is good while the token it was read
    under is the row's.
    """

    __tablename__ = "cache_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[int] = mapped_column(BigInteger, nullable=False)
