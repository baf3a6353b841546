"""The links e-mails carry: the site's public address plus the endpoint's path.

Services take these as an `EmailLinks` argument; routes, the webhook, the CLI and Celery
tasks pass `site_links`. It works outside a request too (tasks and commands run without one).
"""

from __future__ import annotations

from flask import current_app, has_request_context, url_for


def absolute_url(endpoint: str, **values) -> str:
    """PUBLIC_BASE_URL plus the endpoint's path, inside or outside a request."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)


class SiteLinks:
    """`app.services.mail.EmailLinks` for this site's blueprints."""

    def verify_email(self, token: str) -> str:
        """The sign-up verification page."""
        return absolute_url("auth.verify_email", token=token)

    def reset_password(self, token: str) -> str:
        """The password reset page."""
        return absolute_url("auth.reset_password", token=token)

    def confirm_email_change(self, token: str) -> str:
        """The page confirming a new e-mail address."""
        return absolute_url("account.confirm_email_change", token=token)

    def accept_invitation(self, secret: str) -> str:
        """The organisation invitation page."""
        return absolute_url("orgs.accept_invitation", secret=secret)

    def order(self, order_id: int) -> str:
        """The shopper's order page."""
        return absolute_url("checkout.order_detail", order_id=order_id)

    def return_request(self, return_id: int) -> str:
        """The shopper's return page."""
        return absolute_url("checkout.return_detail", return_id=return_id)

    def store_return(self, store_id: int, return_id: int) -> str:
        """The merchant portal's return page."""
        return absolute_url("merchant.return_detail", store_id=store_id, return_id=return_id)

    def store_order(self, store_id: int, order_id: int) -> str:
        """The merchant portal's order page."""
        return absolute_url("merchant.order_detail", store_id=store_id, order_id=order_id)

    def media(self, key: str) -> str:
        """A media file through our /media route, which outlives any signed bucket URL."""
        return absolute_url("main.media", key=key)

    def brand_campaign(self, organization_id: int, campaign_id: int) -> str:
        """The brand portal's campaign page."""
        return absolute_url("brand.campaign", org_id=organization_id, campaign_id=campaign_id)

    def boosts(self) -> str:
        """The creator's boosts page."""
        return absolute_url("account.boosts")


site_links = SiteLinks()
