"""The outbox: e-mail is written with the transaction and delivered only after commit."""

import socket
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from app.core.transaction import commit, rollback
from app.extensions import db
from app.models import OutboxEmail
from app.providers.mail import SmtpTransport
from app.services.mail import queue_email


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


class BrokenTransport:
    def send(self, mail):
        raise ConnectionRefusedError("smtp server down")


@pytest.fixture
def use_transport(app):
    original = app.extensions["qiao_mail"]

    def swap(transport):
        app.extensions["qiao_mail"] = transport

    yield swap
    app.extensions["qiao_mail"] = original


def test_mail_is_delivered_after_commit(app, sent_mail):
    queue_email("ana@example.test", "Hello", "Body", purpose="test")
    assert sent_mail == []  # nothing leaves before the commit
    commit()
    assert [m.to for m in sent_mail] == ["ana@example.test"]
    email = db.session.query(OutboxEmail).one()
    assert email.sent_at is not None and email.attempts == 1


def test_rolled_back_work_sends_nothing(app, sent_mail):
    queue_email("ana@example.test", "Hello", "Body", purpose="test")
    rollback()
    commit()
    assert sent_mail == []
    assert db.session.query(OutboxEmail).count() == 0


def test_smtp_transport_delivers_to_a_real_smtp_server(app, use_transport):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
        use_transport(SmtpTransport(app))
        queue_email("li@example.test", "你好", "正文 body", purpose="test")
        commit()
    finally:
        controller.stop()
        app.config.update(MAIL_SERVER="localhost", MAIL_PORT=587, MAIL_USE_TLS=True)
    assert len(inbox.messages) == 1
    assert inbox.messages[0].rcpt_tos == ["li@example.test"]
    message = message_from_bytes(inbox.messages[0].original_content, policy=default)
    assert message["Subject"] == "你好"
    assert message.get_content().strip() == "正文 body"
    assert db.session.query(OutboxEmail).one().sent_at is not None


def test_smtp_sends_an_html_alternative_beside_the_text(app, use_transport):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
        use_transport(SmtpTransport(app))
        queue_email("li@example.test", "订单", "正文 body", purpose="test",
                    html='<p>正文 <img src="http://localhost/media/a.webp" alt=""></p>')
        commit()
    finally:
        controller.stop()
        app.config.update(MAIL_SERVER="localhost", MAIL_PORT=587, MAIL_USE_TLS=True)
    message = message_from_bytes(inbox.messages[0].original_content, policy=default)
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content().strip() == "正文 body"
    assert 'src="http://localhost/media/a.webp"' in message.get_body(("html",)).get_content()


def test_failed_delivery_is_kept_and_retried_by_the_flush_command(app, runner, use_transport,
                                                                  sent_mail):
    memory = app.extensions["qiao_mail"]
    use_transport(BrokenTransport())
    queue_email("kim@example.test", "Hi", "Body", purpose="test")
    commit()
    email = db.session.query(OutboxEmail).one()
    assert email.sent_at is None
    assert email.attempts == 1
    assert "smtp server down" in email.last_error

    use_transport(memory)
    result = runner.invoke(args=["mail", "flush"])
    assert result.exit_code == 0, result.output
    assert "Delivered 1 e-mail" in result.output
    assert [m.to for m in sent_mail] == ["kim@example.test"]
