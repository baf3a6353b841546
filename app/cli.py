"""Flask CLI commands: thin wrappers over services that commit at the end."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.core.transaction import commit, rollback

demo_cli = AppGroup("demo", help="Demo data for the embedded default.")
mail_cli = AppGroup("mail", help="The e-mail outbox.")
inventory_cli = AppGroup("inventory", help="Stock levels, the stock ledger and reservations.")
payments_cli = AppGroup("payments", help="Stripe payments and refunds.")
fx_cli = AppGroup("fx", help="Exchange-rate snapshots: ECB import, manual rates, the rate table.")
markets_cli = AppGroup("markets", help="Destination-market duty and import-tax rules.")
ads_cli = AppGroup("ads", help="Advertising: campaign flights and ad balances.")
placements_cli = AppGroup("placements", help="Guaranteed placements and campaign reports "
                                             "(the periodic jobs, run by hand).")
media_cli = AppGroup("media", help="Stored images: moving the local folder to object storage.")
jobs_cli = AppGroup("jobs", help="The periodic jobs: the embedded scheduler and its leases.")


@demo_cli.command("seed")
def seed_command() -> None:
    """Create (or refresh) demo users, organisations and data; safe to run twice."""
    from app.demo.seed import seed_demo

    summary = seed_demo()
    commit()
    for line in summary:
        click.echo(line)


@mail_cli.command("flush")
def flush_command() -> None:
    """Deliver outbox e-mails that are still pending."""
    from app.tasks.mail import retry_pending_emails

    delivered = retry_pending_emails.run()
    click.echo(f"Delivered {delivered} e-mail(s).")


@inventory_cli.command("check")
@click.option("--store", "store_id", type=int, default=None, help="Check one store only.")
def inventory_check_command(store_id: int | None) -> None:
    """Verify that every level equals the sums of its ledger rows; exit 1 on a mismatch."""
    from app.services.inventory import check_ledger

    mismatches = check_ledger(store_id)
    for mismatch in mismatches:
        click.echo(mismatch.describe(), err=True)
    if mismatches:
        raise click.exceptions.Exit(1)
    click.echo("The stock ledger matches every inventory level.")


@inventory_cli.command("expire")
def inventory_expire_command() -> None:
    """Release reservations whose time has run out."""
    from app.tasks.inventory import release_expired_reservations

    released = release_expired_reservations.run()
    click.echo(f"Released {released} expired reservation(s).")


@payments_cli.command("reconcile")
@click.option("--min-age", type=int, default=5, show_default=True,
              help="Only payments started at least this many minutes ago.")
def payments_reconcile_command(min_age: int) -> None:
    """Record payment and refund outcomes Stripe knows but Qiao never recorded."""
    from datetime import timedelta

    from app.services.payments.reconcile import reconcile_payments
    from app.services.returns import settle_refunded_returns
    from app.web.links import site_links

    lines = reconcile_payments(links=site_links, older_than=timedelta(minutes=min_age))
    settle_refunded_returns(links=site_links)  # returns whose refund just went through
    commit()
    for line in lines:
        click.echo(line)
    click.echo(f"Reconciled {len(lines)} payment(s) and refund(s).")


@fx_cli.command("import")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An ECB eurofxref XML file.")
@click.option("--url", default=None, help="Where to download it (default: ECB_RATES_URL).")
def fx_import_command(path: Path | None, url: str | None) -> None:
    """Import the ECB euro reference rates; exit 1 with the reason, writing nothing, if bad."""
    from app.services.errors import DomainError
    from app.services.fx.admin import download_rates, import_ecb_document, import_rates

    if path and url:
        raise click.UsageError("Give --file or --url, not both.")
    source = str(path) if path else url or current_app.config["ECB_RATES_URL"]
    try:
        if path:
            result = import_ecb_document(path.read_bytes(), actor=None)
        else:
            result = import_rates(download_rates(url), actor=None)
    except DomainError as exc:
        rollback()
        raise click.ClickException(f"{exc.message} (from {source})") from None
    commit()
    snapshot = result.snapshot
    day = snapshot.as_of.strftime("%Y-%m-%d")
    if result.created:
        click.echo(f"Imported the ECB rates of {day}: {len(snapshot.rates)} currencies "
                   f"against EUR (snapshot {snapshot.id}).")
    else:
        click.echo(f"The ECB rates of {day} were already recorded (snapshot {snapshot.id}); "
                   "nothing changed.")


@fx_cli.command("rates")
@click.option("--base", default="EUR", show_default=True, help="Rates for one unit of this.")
def fx_rates_command(base: str) -> None:
    """List the rates checkout uses now for the presentment currencies, with their age."""
    from app.money import CurrencyError
    from app.services.fx.admin import max_age, rate_table
    from app.services.regions import SUPPORTED_CURRENCIES

    try:
        rows = rate_table(base, SUPPORTED_CURRENCIES)
    except CurrencyError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from None
    fee = current_app.config["FX_CONVERSION_FEE_PERCENT"]
    click.echo(f"1 {base.upper()} in each currency (conversion fee {fee} %, stale after "
               f"{max_age().total_seconds() / 3600:g} h):")
    for row in rows:
        if row.status == "identity":
            continue
        if row.mid_rate is None:
            click.echo(f"{row.currency}  no rate  {'STALE' if row.status == 'stale' else ''}"
                       .rstrip())
            continue
        hours = int(row.age.total_seconds() // 3600)
        charged = f"charged {row.rate}" if row.rate is not None else "not charged"
        status = "STALE: checkout refuses it" if row.status == "stale" else "ok"
        click.echo(f"{row.currency}  mid {row.mid_rate}  {charged}  {row.source} "
                   f"{row.as_of:%Y-%m-%d %H:%M} UTC  {hours} h old  {status}")


@fx_cli.command("set")
@click.argument("from_currency")
@click.argument("to_currency")
@click.argument("rate")
@click.option("--note", default="Set with flask fx set", show_default=True)
def fx_set_command(from_currency: str, to_currency: str, rate: str, note: str) -> None:
    """Set a manual rate: 1 FROM_CURRENCY = RATE TO_CURRENCY, in force from now."""
    from app.services.errors import ValidationFailed
    from app.services.fx.conversion import set_manual_rate

    try:
        snapshot = set_manual_rate(None, from_currency, to_currency, rate, note=note)
    except ValidationFailed as exc:
        rollback()
        problems = "; ".join(f"{field}: {' '.join(messages)}"
                             for field, messages in exc.fields.items())
        raise click.ClickException(f"{exc.message} {problems}") from None
    commit()
    saved = snapshot.rates[0]
    click.echo(f"1 {snapshot.base_currency} = {saved.rate} {saved.currency} from "
               f"{snapshot.as_of:%Y-%m-%d %H:%M} UTC (snapshot {snapshot.id}).")


@markets_cli.command("load")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="A rules JSON file (default: app/data/market_rules.json).")
def markets_load_command(path: Path | None) -> None:
    """Add or update the duty and tax rules from JSON; running it again changes nothing."""
    from app.services.errors import ValidationFailed
    from app.services.markets.rules import RULES_FILE, load_market_rules_file

    try:
        summary = load_market_rules_file(path or RULES_FILE)
    except ValidationFailed as exc:
        rollback()
        for where, messages in exc.fields.items():
            for message in messages:
                click.echo(f"{where}: {message}", err=True)
        raise click.ClickException(exc.message) from None
    commit()
    click.echo(f"Market rules: {summary.added} added, {summary.updated} updated, "
               f"{summary.unchanged} unchanged.")


@markets_cli.command("show")
@click.argument("country")
def markets_show_command(country: str) -> None:
    """Show a country's rules, their dates, sources and duty rates."""
    from app.services.markets.rules import (
        describe_market_rule,
        describe_region_tax,
        market_rules_of,
        region_taxes_of,
    )

    rules = market_rules_of(country)
    if not rules:
        raise click.ClickException(f"No market rules for {country.upper()}.")
    for rule in rules:
        for line in describe_market_rule(rule, date.today()):
            click.echo(line)
    regional = region_taxes_of(country)
    if regional:
        click.echo("Regional taxes:")
    for tax in regional:
        click.echo(describe_region_tax(tax))


@markets_cli.command("check")
@click.option("--on", "on", default=None, help="The day to check (YYYY-MM-DD; default today).")
def markets_check_command(on: str | None) -> None:
    """Per destination any store sells to: its rule, source date and HS codes without a rate.

    Exits with status 1 when a destination has no rule in force.
    """
    from app.services.markets.coverage import describe_coverage, market_coverage

    day = date.fromisoformat(on) if on else date.today()
    rows = market_coverage(day)
    for line in describe_coverage(rows):
        click.echo(line)
    if any(row.rule is None for row in rows):
        raise SystemExit(1)


@ads_cli.command("advance")
def ads_advance_command() -> None:
    """Start scheduled campaigns whose flight began; close those that ended."""
    from app.tasks.ads import advance_campaigns

    click.echo(f"{advance_campaigns.run()} campaign(s) changed status.")


@placements_cli.command("expire")
def placements_expire_command() -> None:
    """Mark unpaid holds past their 30 minutes expired and free their days."""
    from app.tasks.ad_placements import expire_placement_holds

    click.echo(f"Expired {expire_placement_holds.run()} hold(s).")


@placements_cli.command("pace")
def placements_pace_command() -> None:
    """Count today's delivery of each booked slot-day and set its next serving rate."""
    from app.tasks.ad_placements import update_placement_pacing

    click.echo(f"Paced {update_placement_pacing.run()} booked slot-day(s).")


@placements_cli.command("roll-up")
def placements_roll_up_command() -> None:
    """Store the recent finished days of every campaign's report."""
    from app.tasks.ad_placements import roll_up_campaign_days

    click.echo(f"Stored {roll_up_campaign_days.run()} campaign day(s).")


@media_cli.command("migrate")
@click.option("--dry-run", is_flag=True, help="Only count what would be copied.")
def media_migrate_command(dry_run: bool) -> None:
    """Copy every file of MEDIA_ROOT into the MEDIA_S3_BUCKET; files already there are skipped."""
    from app.providers.media import (
        LocalMediaStorage,
        MediaStoreError,
        S3MediaStorage,
        media_storage,
        migrate_local_media,
    )

    target = media_storage()
    if not isinstance(target, S3MediaStorage):
        raise click.ClickException("Set MEDIA_STORAGE=s3 and MEDIA_S3_BUCKET (with its endpoint "
                                   "and credentials) first; media is stored locally now.")
    source = LocalMediaStorage(current_app.config["MEDIA_ROOT"])
    try:
        report = migrate_local_media(source, target, dry_run=dry_run)
    except MediaStoreError as exc:
        raise click.ClickException(f"The bucket cannot be read: {exc}") from None
    verb = "Would copy" if dry_run else "Copied"
    click.echo(f"{verb} {report.copied} file(s) ({report.bytes_copied} bytes) from "
               f"{source.root} to bucket {target.bucket}; {report.skipped} already there.")
    if report.failed:
        for key in report.failed:
            click.echo(f"Failed: {key}", err=True)
        raise click.ClickException(f"{len(report.failed)} file(s) could not be copied; "
                                   "run the command again to retry them.")


@jobs_cli.command("schedule")
def jobs_schedule_command() -> None:
    """Run the periodic jobs on their schedule in this process until stopped.

    What Celery beat does in production, for a server without a broker (`make run` starts
    it beside the server). Any number may run against one database: each job runs once
    per interval.
    """
    from app.ops.scheduler import run_forever

    try:
        run_forever(current_app._get_current_object())  # noqa: SLF001
    except KeyboardInterrupt:  # Ctrl-C under `make run` reaches the whole process group
        click.echo("Embedded scheduler stopped.")


@jobs_cli.command("run-due")
def jobs_run_due_command() -> None:
    """Run once every periodic job that is due and not held by another server."""
    from app.ops.scheduler import ensure_lease_rows, run_due_jobs

    ensure_lease_rows()
    for run in run_due_jobs():
        click.echo(f"{run.name}: {run.outcome}")


@jobs_cli.command("status")
def jobs_status_command() -> None:
    """Each periodic job's interval, lease and last run."""
    from app.ops.scheduler import job_status

    for line in job_status():
        click.echo(line)


def register_cli(app: Flask) -> None:
    """Attach the command groups to `app`."""
    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(inventory_cli)
    app.cli.add_command(payments_cli)
    app.cli.add_command(fx_cli)
    app.cli.add_command(markets_cli)
    app.cli.add_command(ads_cli)
    app.cli.add_command(placements_cli)
    app.cli.add_command(media_cli)
    app.cli.add_command(jobs_cli)
