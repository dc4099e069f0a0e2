"""Helpers shared by the unit, integration and browser tests (no mocks: real services)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import socket
import struct
import subprocess
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from django.contrib.auth.hashers import Argon2PasswordHasher

from gatehouse.lib.shared_data import SHARED_DATA  # noqa: F401  (tests import it from here)


def totp_now(secret_b32: str, *, at: float | None = None) -> str:
    """An RFC 6238 code computed independently of allauth, as an authenticator app would."""
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    counter = int((at if at is not None else time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


@dataclass
class _Inbox:
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    """A TCP port on localhost that nothing listens on (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """A real SMTP server on localhost that keeps what it receives."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Message]:
        return self.inbox.messages

    def wait_for(self, to: str, *, count: int = 1, timeout: float = 15.0) -> Message:
        """The latest of at least `count` emails to `to` (a Celery worker may still be sending)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages if to in m.get("To", "")]
            if len(found) >= count:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"no email to {to} arrived; got {[m['To'] for m in self.messages]}")

    def body_of(self, message: Message) -> str:
        payload = message.get_payload(decode=True)
        return payload.decode() if isinstance(payload, bytes) else str(message.get_payload())


def stop_processes(*processes: subprocess.Popen[Any], grace: float = 60) -> None:
    """Ask each process to stop (SIGTERM), then kill whichever is still running after `grace`
    seconds: on a loaded machine gunicorn's graceful shutdown can take longer than a test's
    usual patience, and a teardown must never leave a server behind."""
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def background_tasks_left(app: Any) -> list[str]:
    """What the broker still holds: messages waiting in a queue, or delivered to the worker and
    not yet acknowledged (running, prefetched, or waiting for a retry's countdown). Tasks are
    acknowledged only when they finish (CELERY_TASK_ACKS_LATE), so an empty answer means every
    task sent so far has run to its end. Reads Redis, the broker the test suite uses."""
    with app.connection_for_read() as conn:
        channel = conn.default_channel
        waiting = channel.client.llen(app.conf.task_default_queue)
        unacked = channel.client.hvals(channel.unacked_key)
    left = [f"{waiting} message(s) waiting in the queue"] if waiting else []
    for raw in unacked:
        payload = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
        found = re.search(r'"task": "([^"]+)"', payload)
        left.append(f"unfinished {found.group(1) if found else 'task'}")
    return left


def wait_for_background_tasks(app: Any, *, timeout: float = 30.0) -> list[str]:
    """Wait until the broker holds nothing (seen idle three polls running, so a message moving
    from the queue to the worker is not mistaken for the end). Returns what is left on timeout."""
    deadline = time.monotonic() + timeout
    idle_polls = 0
    while time.monotonic() < deadline:
        left = background_tasks_left(app)
        idle_polls = idle_polls + 1 if not left else 0
        if idle_polls >= 3:
            return []
        time.sleep(0.02)
    return background_tasks_left(app)


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with a small memory cost, for tests only: same algorithm, far less work."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
