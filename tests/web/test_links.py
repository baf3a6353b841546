"""The links e-mails carry: the public base address plus each page's path, request or not."""

from __future__ import annotations

from flask import has_request_context

from app.web.links import site_links

PAGES = {
    "verify_email": ("tok.en", "/auth/verify/tok.en"),
    "reset_password": ("tok.en", "/auth/reset/tok.en"),
    "confirm_email_change": ("tok.en", "/account/email/confirm/tok.en"),
    "accept_invitation": ("s3cret", "/orgs/invitations/s3cret"),
    "order": (42, "/orders/42"),
}


def test_links_outside_a_request_use_the_public_base_url(app):
    # Tasks and CLI commands send e-mail with only an application context.
    assert not has_request_context()
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    for method, (value, path) in PAGES.items():
        assert getattr(site_links, method)(value) == base + path


def test_links_inside_a_request_ignore_the_request_host(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://shop.example/")
    with app.test_request_context("/", base_url="http://internal:8080"):
        assert site_links.order(7) == "https://shop.example/orders/7"
        assert site_links.accept_invitation("x") == "https://shop.example/orgs/invitations/x"
