"""Paid orders for the customs-document tests, and reading a PDF's text back.

Load with `pytest_plugins = ["tests.checkout_factories", "tests.customs_factories"]`.
`make_paid_order` runs the real quote (landed cost, FX, stock reservation) and turns it
into orders with the fulfilment the Stripe webhook runs (`fulfil_payment`); the card
payment itself is not what these tests are about, so Stripe is not called
(tests/web/test_store_orders.py pays for real).

`pdf_text(pdf)` (also the fixture `read_pdf`) inflates each content stream of a PDF
(reportlab writes one per page) and returns the strings it shows with Tj: Latin ones as
they are and the STSong-Light ones (2-byte UCS-2 big-endian) decoded, so a test can look
for an HS code or a Chinese title in what a reader would print.
"""

from __future__ import annotations

import base64
import re
import zlib

import pytest

from app.core.transaction import commit
from app.models import Order
from app.services.payments import quote_payments as payments
from app.web.links import site_links

STREAM = re.compile(rb"stream\r?\n(.*?)(?:\r?\n)?endstream", re.S)
# A font resource name, or a string shown with Tj (literal or hex).
TOKEN = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj|<([0-9A-Fa-f\s]+)>\s*Tj")
# reportlab names each font resource; the CID fonts show 2-byte (UCS-2) strings.
CID_FONT = re.compile(rb"/Encoding /UniGB-UCS2-H /Name /(F\d+)")


def _unescape(raw: bytes) -> bytes:
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    return re.sub(rb"\\(\d{1,3}|.)", lambda m: bytes([int(m.group(1), 8)])
                  if m.group(1)[:1].isdigit() else escapes.get(m.group(1), m.group(1)), raw)


def _inflate(data: bytes) -> bytes:
    """A stream's content: reportlab compresses with Flate, then ASCII85-encodes."""
    if data.rstrip().endswith(b"~>"):
        data = base64.a85decode(re.sub(rb"\s", b"", data).removesuffix(b"~>"))
    try:
        return zlib.decompress(data)
    except zlib.error:
        return data  # an uncompressed stream


def pdf_text(pdf: bytes) -> str:
    """Every string the PDF's content streams show, one per line."""
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    cid_fonts = set(CID_FONT.findall(pdf))
    shown: list[str] = []
    for match in STREAM.finditer(pdf):
        font = b""
        for token in TOKEN.finditer(_inflate(match.group(1))):
            name, literal, hex_digits = token.groups()
            if name is not None:
                font = name
                continue
            raw = (_unescape(literal) if literal is not None
                   else bytes.fromhex(re.sub(rb"\s", b"", hex_digits).decode()))
            shown.append(raw.decode("utf-16-be" if font in cid_fonts else "latin-1"))
    return "\n".join(shown)


@pytest.fixture
def make_paid_order(make_user, make_quote):
    """Quote `items` for a new shopper and record the payment as succeeded; the order."""

    def factory(items, *, currency: str = "USD", country: str = "US",
                address: dict | None = None) -> Order:
        shopper = make_user()
        quote = make_quote(shopper, items, currency=currency, country=country,
                           address=address)
        payment = payments.prepare_payment(shopper, quote.id, links=site_links)
        payment.intent_id = f"pi_test_{quote.id}"
        orders = payments.fulfil_payment(payment, links=site_links)
        commit()
        return orders[0]

    return factory


@pytest.fixture
def read_pdf():
    """`pdf_text` as a fixture, so test modules need not import this one."""
    return pdf_text
