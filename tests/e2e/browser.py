"""Playwright's names for the journeys, importable where Playwright is not installed (the
`browser` fixture then skips, or fails with the reason under QIAO_REQUIRE_BROWSER=1)."""

from __future__ import annotations

try:
    from playwright.sync_api import Page, expect
except ImportError:
    Page = object  # type: ignore[assignment,misc]
    expect = None
else:
    expect.set_options(timeout=15_000)  # pages render while other workers run the suite

__all__ = ["Page", "expect"]
