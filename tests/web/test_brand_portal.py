"""The brand portal in the browser: account, campaigns, partnerships, balance, 404s."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import AdAccount, AdTopUp, Campaign, Partnership, utcnow
from app.services import ads
from tests.ads_factories import campaign_input, decide_in_queue
from tests.notes_factories import QueryCounter

pytest_plugins = ["tests.ads_fixtures", "tests.localstripe_server"]


def text(response) -> str:
    return response.get_data(as_text=True)


def local(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_the_dashboard_links_to_the_ads_portal(client, login, make_brand):
    brand = make_brand()
    login(brand.owner)
    page = text(client.get(f"/orgs/{brand.org.id}"))
    assert "Coming next" not in page
    assert f"/brand/{brand.org.id}/campaigns" in page and 'data-testid="tab-balance"' in page


def test_the_first_visit_opens_the_account_with_a_default_currency(
        client, login, make_org, make_user, post_form):
    owner = make_user(home_country="JP")
    org = make_org("brand", owner=owner)
    login(owner)
    response = client.get(f"/brand/{org.id}/campaigns")
    assert response.status_code == 302 and response.location.endswith(f"/brand/{org.id}/balance")
    page = text(client.get(f"/brand/{org.id}/balance"))
    assert 'selected value="JPY"' in page
    response = post_form(f"/brand/{org.id}/account", {"currency": "JPY",
                                                      "time_zone": "Asia/Tokyo"},
                         page=f"/brand/{org.id}/balance")
    assert response.status_code == 302
    account = db.session.scalar(select(AdAccount).where(AdAccount.organization_id == org.id))
    assert (account.currency, account.time_zone, account.balance_minor) == \
        ("JPY", "Asia/Tokyo", 0)
    bad = post_form(f"/brand/{org.id}/account", {"currency": "JPY", "time_zone": "Mars/Base"},
                    page=f"/brand/{org.id}/balance")
    assert bad.status_code == 302  # already open: the first account stands


def test_creating_a_campaign_in_the_brands_time_zone_then_submitting(
        client, login, make_brand, post_form):
    brand = make_brand(time_zone="Asia/Tokyo")
    login(brand.owner)
    form_url = f"/brand/{brand.org.id}/campaigns/new"
    page = text(client.get(form_url))
    assert brand.note.title in page
    start = utcnow() + timedelta(days=2)
    zone = ads.account_zone(brand.account)
    data = {"name": "Tokyo launch", "objective": "traffic", "bid": "0.60", "budget": "50",
            "daily_cap": "", "starts_at": local(start.astimezone(zone)),
            "ends_at": local((start + timedelta(days=5)).astimezone(zone)), "pacing": "even",
            "countries": "JP", "languages": "ja, en", "topics": "", "audience": "all",
            "note_ids": [str(brand.note.id)]}
    response = post_form(form_url, data)
    assert response.status_code == 302, text(response)[:2000]
    campaign = db.session.scalar(select(Campaign).where(Campaign.name == "Tokyo launch"))
    assert campaign.starts_at.replace(second=0, microsecond=0) == \
        start.replace(second=0, microsecond=0)
    assert (campaign.budget_minor, campaign.countries) == (5000, ["JP"])
    detail = text(client.get(response.location))
    assert "Tokyo launch" in detail and 'data-status="draft"' in detail
    submitted = post_form(f"/brand/{brand.org.id}/campaigns/{campaign.id}/submit", {},
                          page=response.location)
    assert submitted.status_code == 302
    db.session.refresh(campaign)
    assert campaign.status == "in_review"
    listing = text(client.get(f"/brand/{brand.org.id}/campaigns"))
    assert 'data-status="in_review"' in listing and "$0.00 / $50.00" in listing


def test_form_errors_name_the_field(client, login, make_brand, post_form):
    brand = make_brand()
    login(brand.owner)
    start = utcnow() + timedelta(days=2)
    response = post_form(f"/brand/{brand.org.id}/campaigns/new", {
        "name": "Too small", "objective": "traffic", "bid": "0.60", "budget": "0.10",
        "starts_at": local(start), "ends_at": local(start - timedelta(days=1)),
        "pacing": "even", "audience": "all", "countries": "ZZ",
        "note_ids": [str(brand.note.id)]})
    page = text(response)
    assert response.status_code == 422
    assert "The budget must cover at least one bid" in page
    assert "The flight must end after it starts." in page
    assert "Not ISO 3166 country codes: ZZ." in page
    assert db.session.scalar(select(Campaign.id)) is None


def test_another_brands_campaign_and_pages_answer_404(client, login, make_brand):
    brand, other = make_brand(), make_brand()
    campaign = ads.create_campaign(brand.owner, brand.org.id, campaign_input(brand))
    db.session.commit()
    login(other.owner)
    for url in (f"/brand/{brand.org.id}/campaigns", f"/brand/{brand.org.id}/balance",
                f"/brand/{brand.org.id}/campaigns/{campaign.id}",
                f"/brand/{other.org.id}/campaigns/{campaign.id}",
                f"/brand/{brand.org.id}/partnerships"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/brand/{other.org.id}/campaigns").status_code == 200


def test_a_merchant_has_no_brand_portal(client, login, make_org, make_user):
    owner = make_user()
    org = make_org("merchant", owner=owner)
    login(owner)
    assert client.get(f"/brand/{org.id}/balance").status_code == 404


def test_the_balance_page_shows_the_ledger_and_invoices(client, login, make_brand):
    brand = make_brand(balance=12_345)
    login(brand.owner)
    page = text(client.get(f"/brand/{brand.org.id}/balance"))
    assert "$123.45" in page and 'data-kind="adjustment"' in page
    month = utcnow()
    assert f"/brand/{brand.org.id}/invoices/{month.year}-{month.month}.pdf" in page
    pdf = client.get(f"/brand/{brand.org.id}/invoices/{month.year}-{month.month}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_partnership_briefs_are_sent_and_listed(client, login, make_brand, make_user,
                                                post_form):
    brand = make_brand(balance=50_000)
    creator = make_user(email="maya@example.test")
    login(brand.owner)
    url = f"/brand/{brand.org.id}/partnerships"
    missing = post_form(url, {"creator": "nobody@example.test", "title": "Serum",
                              "brief": "Try it", "fee": "100"})
    assert missing.status_code == 422 and "No such creator." in text(missing)
    sent = post_form(url, {"creator": "maya@example.test", "title": "Serum review",
                           "brief": "Try it for two weeks", "fee": "150.00"})
    assert sent.status_code == 302
    partnership = db.session.scalar(select(Partnership))
    assert (partnership.creator_id, partnership.fee_minor, partnership.status) == \
        (creator.id, 15000, "proposed")
    assert 'data-status="proposed"' in text(client.get(url))


def test_the_top_up_pages_pay_and_credit_once(client, login, make_brand, post_form,
                                              stripe_sandbox):
    brand = make_brand()
    login(brand.owner)
    started = post_form(f"/brand/{brand.org.id}/topups", {"amount": "75.00"},
                        page=f"/brand/{brand.org.id}/balance")
    assert started.status_code == 302 and started.location.endswith("/pay")
    pay = client.get(started.location)
    assert pay.status_code == 200 and "$75.00" in text(pay)
    assert "script-src 'self' http://127.0.0.1" in pay.headers["Content-Security-Policy"]
    topup = db.session.scalar(select(AdTopUp))
    stripe_sandbox.charge_directly(topup.intent_id)
    complete = f"/brand/{brand.org.id}/topups/{topup.id}/complete"
    assert 'data-state="succeeded"' in text(client.get(complete))
    assert 'data-state="succeeded"' in text(client.get(complete))
    db.session.refresh(brand.account)
    assert brand.account.balance_minor == 7500
    assert ads.ledger_sum_minor(brand.account.id) == 7500
    assert client.get(f"/brand/{brand.org.id}/topups/{topup.id}/pay").status_code == 302


def test_another_brands_top_up_is_404(client, login, make_brand, stripe_sandbox):
    brand, other = make_brand(), make_brand()
    topup = ads.start_topup(brand.owner, brand.account, "10")
    db.session.commit()
    login(other.owner)
    assert client.get(f"/brand/{other.org.id}/topups/{topup.id}/pay").status_code == 404
    assert client.get(f"/brand/{brand.org.id}/topups/{topup.id}/pay").status_code == 404


def test_the_campaign_list_does_not_grow_with_campaigns(client, login, make_brand):
    brand = make_brand()
    login(brand.owner)
    url = f"/brand/{brand.org.id}/campaigns"

    def statements() -> int:
        with QueryCounter() as queries:
            assert client.get(url).status_code == 200
        return queries.count

    ads.create_campaign(brand.owner, brand.org.id, campaign_input(brand))
    db.session.commit()
    few = statements()
    for n in range(8):
        ads.create_campaign(brand.owner, brand.org.id, campaign_input(brand, name=f"C{n}"))
    db.session.commit()
    assert statements() == few


def test_a_months_invoice_nets_each_campaign_and_lists_fees(make_brand, reviewer):
    brand = make_brand(balance=50_000)
    campaign = ads.create_campaign(brand.owner, brand.org.id, campaign_input(brand))
    ads.submit_campaign(brand.owner, brand.org.id, campaign.id)
    decide_in_queue(reviewer, campaign.id)
    campaign.spent_minor = 1_234
    db.session.commit()
    ads.complete_campaign(brand.owner, brand.org.id, campaign.id)
    db.session.commit()
    now = utcnow()
    invoice = ads.build_invoice(brand.account, now.year, now.month)
    assert [(line.description, line.amount.minor) for line in invoice.lines] == \
        [("Campaign: Spring glow", 1_234)]
    assert invoice.total.minor == 1_234 and invoice.paid_in.minor == 0
    assert ads.invoice_pdf(invoice).startswith(b"%PDF")
    earlier = ads.build_invoice(brand.account, 2001, 1)
    assert earlier.lines == [] and earlier.total.minor == 0


def test_the_flight_command_runs_the_job(runner, make_brand, reviewer):
    brand = make_brand(balance=50_000)
    campaign = ads.create_campaign(brand.owner, brand.org.id, campaign_input(brand))
    ads.submit_campaign(brand.owner, brand.org.id, campaign.id)
    decide_in_queue(reviewer, campaign.id)
    campaign.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    result = runner.invoke(args=["ads", "advance"])
    assert result.exit_code == 0 and "1 campaign(s) changed status." in result.output
    db.session.refresh(campaign)
    assert campaign.status == "active"
