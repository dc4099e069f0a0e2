"""The email task: bounded waits on the mail server, retries only for temporary faults."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from gatehouse.lib.tasks import is_temporary, send_email, send_email_now
from gatehouse.lib.testing import background_tasks_left, free_port, wait_for_background_tasks


class _Refusing:
    """A real SMTP server that refuses every recipient with the given reply."""

    def __init__(self, reply: str) -> None:
        self.reply = reply

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        return self.reply


@pytest.fixture
def mail_settings(settings: Any) -> Any:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_USE_TLS = False
    return settings


@pytest.fixture
def refusing_server(mail_settings: Any, request: Any) -> Iterator[None]:
    controller = Controller(_Refusing(request.param), hostname="127.0.0.1", port=free_port())
    controller.start()
    mail_settings.EMAIL_PORT = controller.port
    yield
    controller.stop()


@pytest.mark.parametrize("refusing_server", ["550 5.1.1 No such mailbox"], indirect=True)
def test_a_permanent_refusal_is_not_retried(refusing_server: None) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
        send_email_now(["nobody@school.example"], "Subject", "Body")
    assert not is_temporary(caught.value)


@pytest.mark.parametrize("refusing_server", ["451 4.3.0 Try again later"], indirect=True)
def test_a_try_later_reply_is_retried(refusing_server: None) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
        send_email_now(["parent@school.example"], "Subject", "Body")
    assert is_temporary(caught.value)


def test_a_mail_server_that_is_down_is_retried(mail_settings: Any) -> None:
    mail_settings.EMAIL_PORT = free_port()  # nothing listens there
    with pytest.raises(ConnectionRefusedError) as caught:
        send_email_now(["parent@school.example"], "Subject", "Body")
    assert is_temporary(caught.value)


def test_a_mail_server_that_never_answers_times_out(mail_settings: Any) -> None:
    """A server that accepts the connection and then says nothing (the cause of a worker that
    could not stop) gives up after EMAIL_TIMEOUT instead of waiting for ever."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        mail_settings.EMAIL_PORT = silent.getsockname()[1]
        mail_settings.EMAIL_TIMEOUT = 1
        with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out") as caught:
            send_email_now(["parent@school.example"], "Subject", "Body")
    assert is_temporary(caught.value)


@pytest.mark.celery
@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs a broker and a real worker")
def test_the_harness_sees_a_task_until_the_worker_has_finished_it(smtp_server: Any) -> None:
    """The check every test ends with: a task waiting for its countdown is counted as
    unfinished, and once the worker has sent the email nothing is left."""
    from gatehouse.celery import app

    send_email.apply_async((["later@school.example"], "Later", "Body"), countdown=1)
    assert background_tasks_left(app)
    assert wait_for_background_tasks(app) == []
    assert smtp_server.wait_for("later@school.example", timeout=1)["Subject"] == "Later"


def test_with_the_queue_away_an_email_is_sent_from_the_request(
    smtp_server: Any, django_capture_on_commit_callbacks: Any, caplog: Any, monkeypatch: Any,
    db: None
) -> None:
    """Redis (the broker) stopped: the data is saved, so the email goes out at once rather
    than the request failing after the commit (and the person sending their comment twice)."""
    from celery import Celery, current_app

    from gatehouse.lib.mail import email_after_commit

    previous = current_app._get_current_object()
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery would prefer it
    away = Celery("away", broker=f"redis://127.0.0.1:{free_port()}/0", set_as_current=True)
    away.conf.update(task_always_eager=False, task_publish_retry=False,
                     broker_connection_retry=False, broker_connection_max_retries=0)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            email_after_commit(["parent@school.example"], "moderation/email/concern_reply",
                               {"school": {"name": "Oakfield"}})
    finally:
        previous.set_current()
    assert "task queue unavailable, sending the email now" in caplog.text
    message = smtp_server.wait_for("parent@school.example", timeout=5)
    assert message is not None and len(smtp_server.messages) == 1
