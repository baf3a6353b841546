"""What every brand portal page shares: the brand, the viewer's role, the ad account."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import render_template
from flask_babel import get_locale
from flask_login import current_user

from app.money import Money
from app.providers.payments import payment_provider
from app.services import ads


def format_money(minor: int | None, currency: str) -> str:
    """A minor-unit amount for display in the page's language ("" for none)."""
    if minor is None:
        return ""
    return Money(minor, currency).format(str(get_locale() or "en"))


def plain_amount(minor: int | None, currency: str) -> str:
    """A minor-unit amount as a form value, e.g. "19.99"."""
    return "" if minor is None else str(Money(minor, currency).amount)


def open_brand(org_id: int) -> ads.BrandContext:
    """The brand the current user is staff of (another brand, or a merchant: 404)."""
    return ads.require_brand(current_user, org_id)


def render_brand(template: str, brand: ads.BrandContext, *, tab: str, status: int = 200,
                 **context):
    """A portal page with the organisation header and the ads tabs."""
    return render_template(template, brand=brand, organization=brand.organization,
                           membership=brand.membership, account=brand.account, tab=tab,
                           money=format_money, plain_amount=plain_amount, **context), status


def stripe_csp() -> str:
    """The site's policy plus what Stripe.js (or the sandbox's stand-in) needs.

    The same policy as the checkout's card page, which the top-up page mirrors.
    """
    provider = payment_provider()
    if provider.is_sandbox:
        parts = urlsplit(provider.js_url)
        origin = f"{parts.scheme}://{parts.netloc}"
        scripts, connect, frames = origin, origin, "'none'"
    else:
        scripts = "https://js.stripe.com"
        connect = "https://api.stripe.com"
        frames = "https://js.stripe.com https://hooks.stripe.com"
    return (f"default-src 'self'; img-src 'self' data: blob: https://*.stripe.com; "
            f"style-src 'self'; script-src 'self' {scripts}; font-src 'self'; "
            f"connect-src 'self' {connect}; frame-src {frames}; frame-ancestors 'none'; "
            "base-uri 'self'; form-action 'self'; object-src 'none'")
