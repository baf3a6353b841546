"""Mail transports: console (log) for development, memory for tests, SMTP in production."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol

from flask import Flask, current_app

log = logging.getLogger("qiao.mail")


@dataclass(frozen=True)
class OutgoingMail:
    """What a transport needs to deliver one message."""

    sender: str
    to: str
    subject: str
    body: str
    html: str | None = None  # an alternative part; `body` alone must read fine


class MailTransport(Protocol):
    """Delivers one message or raises."""

    def send(self, mail: OutgoingMail) -> None:
        """Deliver `mail`."""


class ConsoleTransport:
    """Writes each message to the log: the embedded default, nothing leaves the machine."""

    def send(self, mail: OutgoingMail) -> None:
        """Log the message."""
        log.info("E-mail to %s: %s\n%s", mail.to, mail.subject, mail.body)


@dataclass
class MemoryTransport:
    """Keeps messages in a list; the test suite reads and clears it."""

    sent: list[OutgoingMail] = field(default_factory=list)

    def send(self, mail: OutgoingMail) -> None:
        """Remember the message."""
        self.sent.append(mail)


class SmtpTransport:
    """Real delivery over SMTP (STARTTLS by default)."""

    def __init__(self, app: Flask) -> None:
        self.config = app.config

    def send(self, mail: OutgoingMail) -> None:
        """Send through the configured SMTP server."""
        message = EmailMessage()
        message["From"] = mail.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        if mail.html:
            message.add_alternative(mail.html, subtype="html")
        with smtplib.SMTP(self.config["MAIL_SERVER"], self.config["MAIL_PORT"], timeout=20) as s:
            if self.config["MAIL_USE_TLS"]:
                s.starttls()
            if self.config["MAIL_USERNAME"]:
                s.login(self.config["MAIL_USERNAME"], self.config["MAIL_PASSWORD"])
            s.send_message(message)


def init_mail(app: Flask) -> None:
    """Choose the transport named by MAIL_BACKEND."""
    backend = app.config["MAIL_BACKEND"]
    transports = {
        "console": ConsoleTransport,
        "memory": MemoryTransport,
        "smtp": lambda: SmtpTransport(app),
    }
    if backend not in transports:
        raise RuntimeError(f"MAIL_BACKEND={backend!r}: choose console, memory or smtp")
    app.extensions["qiao_mail"] = transports[backend]()


def mail_transport() -> MailTransport:
    """The current app's transport."""
    return current_app.extensions["qiao_mail"]
