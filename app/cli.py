"""Flask CLI commands: thin wrappers over services that commit at the end."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.transaction import commit

demo_cli = AppGroup("demo", help="Demo data for the embedded default.")
mail_cli = AppGroup("mail", help="The e-mail outbox.")
inventory_cli = AppGroup("inventory", help="Stock levels, the stock ledger and reservations.")


@demo_cli.command("seed")
def seed_command() -> None:
    """Create (or refresh) demo users, organisations and data; safe to run twice."""
    from app.services.demo import seed_demo

    summary = seed_demo()
    commit()
    for line in summary:
        click.echo(line)


@mail_cli.command("flush")
def flush_command() -> None:
    """Deliver outbox e-mails that are still pending."""
    from app.tasks import retry_pending_emails

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
    from app.tasks import release_expired_reservations

    released = release_expired_reservations.run()
    click.echo(f"Released {released} expired reservation(s).")


def register_cli(app: Flask) -> None:
    """Attach the command groups to `app`."""
    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(inventory_cli)
