"""Flask CLI commands: thin wrappers over services that commit at the end."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.transaction import commit

demo_cli = AppGroup("demo", help="Demo data for the embedded default.")
mail_cli = AppGroup("mail", help="The e-mail outbox.")


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


def register_cli(app: Flask) -> None:
    """Attach the command groups to `app`."""
    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
