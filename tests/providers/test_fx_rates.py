"""The ECB rate source against a loopback ECB: a good sheet, a bad document, HTTP failures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.providers.fx_rates import (
    EcbRateSource,
    RateDocumentInvalid,
    RateSourceUnreachable,
    parse_ecb_document,
    rate_source,
)

pytest_plugins = ["tests.ecb_server"]

ECB_SAMPLE = (Path(__file__).resolve().parent.parent / "data" / "ecb-eurofxref-sample.xml"
              ).read_bytes()


def test_fetches_and_parses_the_daily_document(ecb_server):
    sheet = EcbRateSource(ecb_server.url).fetch_rates()
    assert ecb_server.requests == ["/eurofxref-daily.xml"]
    assert (sheet.source, sheet.base_currency) == ("ecb", "EUR")
    assert sheet.as_of == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert len(sheet.rates) == 9
    assert sheet.rates["JPY"] == Decimal("162.43")
    assert sheet.rates["GBP"] == Decimal("0.83215")  # all five decimals, exactly
    assert all(isinstance(rate, Decimal) for rate in sheet.rates.values())


def test_a_local_file_is_read_by_the_same_parser(ecb_server):
    assert parse_ecb_document(ECB_SAMPLE) == EcbRateSource(ecb_server.url).fetch_rates()


@pytest.mark.parametrize(("body", "message", "hint"), [
    (b"<html>maintenance</html>", "no dated <Cube time=...> element", "No rates found."),
    (b"<html><body>Service unavailable", "not valid XML", "Not valid XML."),
    (ECB_SAMPLE.replace(b"rate='162.43'", b"rate='0'"), "JPY must be positive",
     "Bad rate for JPY."),
    (ECB_SAMPLE.replace(b"time='2026-11-27'", b"time='27.11.2026'"), "not YYYY-MM-DD",
     "Bad date."),
])
def test_a_malformed_document_is_refused(ecb_server, body, message, hint):
    ecb_server.body = body
    with pytest.raises(RateDocumentInvalid, match=message) as caught:
        EcbRateSource(ecb_server.url).fetch_rates()
    assert caught.value.hint == hint


def test_an_http_error_says_what_the_source_answered(ecb_server):
    ecb_server.status = 503
    with pytest.raises(RateSourceUnreachable) as caught:
        EcbRateSource(ecb_server.url).fetch_rates()
    assert caught.value.message == f"The rate source {ecb_server.url} answered HTTP 503"


def test_a_source_nobody_answers_is_unreachable(app, closed_port_url):
    with pytest.raises(RateSourceUnreachable, match="Could not reach the rate source"):
        EcbRateSource(closed_port_url, timeout=5).fetch_rates()


def test_the_configured_source_downloads_ecb_rates_url_unless_told_otherwise(app, ecb_server):
    source = rate_source()
    assert isinstance(source, EcbRateSource) and source.url == ecb_server.url
    assert rate_source("http://127.0.0.1:9/other.xml").url == "http://127.0.0.1:9/other.xml"


def test_an_unknown_source_name_is_a_configuration_error(app, monkeypatch):
    monkeypatch.setitem(app.config, "FX_RATE_SOURCE", "carrier-pigeon")
    with pytest.raises(RuntimeError, match="FX_RATE_SOURCE='carrier-pigeon'"):
        rate_source()
