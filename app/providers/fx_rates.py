"""Exchange-rate sources behind a small interface; the ECB's euro reference rates over HTTP.

FX_RATE_SOURCE chooses the source; "ecb" (the only one so far) downloads ECB_RATES_URL,
the ECB's eurofxref-daily.xml: `<Cube time="YYYY-MM-DD">` holding one
`<Cube currency="USD" rate="1.0850"/>` per currency, each the price of 1 EUR. A source
answers with a RateSheet of Decimal rates (never float); recording it is the fx service's
job. `parse_ecb_document` reads the same format from a local file (`flask fx import --file`).
"""

from __future__ import annotations

import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from flask import current_app
from flask_babel import gettext as _

from app.money import normalize_currency

ECB_NAMESPACE = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"
# ECB reference rates are set around 16:00 CET on TARGET working days.
ECB_PUBLICATION_TIME = time(15, 0, tzinfo=UTC)
ECB_TIMEOUT_SECONDS = 20.0


class RateSourceUnreachable(Exception):
    """The source could not be reached or answered with an error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RateDocumentInvalid(Exception):
    """The source's document is not a rate sheet: `message` says why, `hint` in a few words."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class RateSheet:
    """One publication of a source: units of each currency per 1 unit of `base_currency`."""

    source: str  # recorded on the snapshot, e.g. "ecb"
    title: str  # what the snapshot's note says it is
    base_currency: str
    as_of: datetime
    rates: dict[str, Decimal]


class RateSource(Protocol):
    """Downloads a source's current reference rates."""

    name: str

    def fetch_rates(self) -> RateSheet:
        """The current sheet; RateSourceUnreachable or RateDocumentInvalid if there is none."""


def parse_ecb_document(content: bytes) -> RateSheet:
    """The EUR-based rates in an ECB eurofxref XML document; RateDocumentInvalid if bad."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise RateDocumentInvalid(_("The ECB file is not valid XML: %(problem)s.", problem=exc),
                                  _("Not valid XML.")) from None
    day_cube = next((c for c in root.iter(f"{ECB_NAMESPACE}Cube") if c.get("time")), None)
    if day_cube is None:
        raise RateDocumentInvalid(_("The ECB file has no dated <Cube time=...> element."),
                                  _("No rates found."))
    try:
        day = datetime.strptime(day_cube.get("time"), "%Y-%m-%d").date()
    except ValueError:
        raise RateDocumentInvalid(_("The ECB file's date is not YYYY-MM-DD."),
                                  _("Bad date.")) from None
    rates: dict[str, Decimal] = {}
    for cube in day_cube.findall(f"{ECB_NAMESPACE}Cube"):
        try:
            currency = normalize_currency(cube.get("currency", ""))
            rate = Decimal(cube.get("rate", ""))
        except (ValueError, InvalidOperation):
            raise RateDocumentInvalid(
                _("Bad rate entry: currency='%(currency)s' rate='%(rate)s'.",
                  currency=cube.get("currency"), rate=cube.get("rate")),
                _("A rate entry is not valid.")) from None
        if not rate.is_finite() or rate <= 0:
            raise RateDocumentInvalid(_("The rate for %(currency)s must be positive.",
                                        currency=currency),
                                      _("Bad rate for %(currency)s.", currency=currency))
        rates[currency] = rate
    if not rates:
        raise RateDocumentInvalid(_("The ECB file lists no rates."), _("No rates."))
    return RateSheet(source="ecb", title="ECB euro foreign exchange reference rates",
                     base_currency="EUR", as_of=datetime.combine(day, ECB_PUBLICATION_TIME),
                     rates=rates)


class EcbRateSource:
    """The European Central Bank's daily euro reference rates at `url`."""

    name = "ecb"

    def __init__(self, url: str, *, timeout: float = ECB_TIMEOUT_SECONDS) -> None:
        self.url = url
        self.timeout = timeout

    def fetch_rates(self) -> RateSheet:
        """Download the document and parse it."""
        return parse_ecb_document(self._download())

    def _download(self) -> bytes:
        url = self.url
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310
                return response.read()
        except urllib.error.HTTPError as exc:
            raise RateSourceUnreachable(_("The rate source %(url)s answered HTTP %(status)s",
                                          url=url, status=exc.code)) from None
        except urllib.error.URLError as exc:
            raise RateSourceUnreachable(
                _("Could not reach the rate source %(url)s (%(reason)s)", url=url,
                  reason=exc.reason)) from None
        except (OSError, ValueError) as exc:  # timeouts, resets, URLs urllib cannot open
            raise RateSourceUnreachable(
                _("Could not download the rates from %(url)s (%(problem)s)", url=url,
                  problem=exc)) from None


# Each source is built from the app's configuration and an optional address override.
RATE_SOURCES: dict[str, Callable[[Any, str | None], RateSource]] = {
    "ecb": lambda config, url: EcbRateSource(url or config["ECB_RATES_URL"]),
}


def rate_source(url: str | None = None) -> RateSource:
    """The source FX_RATE_SOURCE names, downloading from `url` instead when it is given."""
    # Built on each call, not kept on the app: it is cheap, and the address is read from
    # the configuration at the moment of the import.
    name = current_app.config["FX_RATE_SOURCE"]
    if name not in RATE_SOURCES:
        raise RuntimeError(f"FX_RATE_SOURCE={name!r}: choose one of {', '.join(RATE_SOURCES)}")
    return RATE_SOURCES[name](current_app.config, url)
