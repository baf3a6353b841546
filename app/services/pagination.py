"""Keyset pagination shared by every list: a page of items and where the next one starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list; `next_after` holds the sort values to resume after."""

    items: list[T]
    next_after: list[Any] | None
