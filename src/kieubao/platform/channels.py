"""Channel adapters: how a rendered message leaves the outbox.

Every adapter follows one rule that the outbox's guarantee rests on: it calls
``handed_over()`` immediately before the last byte of a message is written (the SMTP
end-of-data, the HTTP request), and writes that byte only if ``handed_over()`` returns
True. ``handed_over`` commits the row as sent; so a message the provider could have
accepted is always marked sent first, and nothing marked "sending" ever reached it.
"""

import logging
import re
import smtplib
import socket
from collections.abc import Callable
from dataclasses import dataclass
from email.policy import SMTP as SMTP_POLICY
from typing import Protocol

import httpx

from kieubao.platform.mail import compose
from kieubao.platform.settings import get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    id: int
    key: str
    address: str
    subject: str
    body: str


class Rejected(Exception):
    """The provider refused the message; ``permanent`` says whether trying again can help."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Unconfirmed(Exception):
    """The message was handed over but no answer came back: it may have been accepted."""


class Connection(Protocol):
    def send(self, message: Outgoing, handed_over: Callable[[], bool]) -> str | None:
        """Send one message; the provider's id for it, or None when handed_over refused."""

    def close(self) -> None: ...


class Channel(Protocol):
    name: str

    def connect(self) -> Connection: ...


def message_id(key: str) -> str:
    """The same Message-ID for every attempt at one outbox row."""
    safe = re.sub(r"[^A-Za-z0-9.\-_]", "-", key)
    return f"<{safe}@kieubao>"


class SmtpConnection:
    """One SMTP session reused for a whole batch."""

    def __init__(self) -> None:
        settings = get_settings()
        assert settings.smtp_host
        self.sender = settings.mail_from
        try:
            self.smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
            # Commands and the final "." are small writes: without this, Nagle's algorithm
            # and delayed ACKs cost tens of milliseconds a message.
            assert self.smtp.sock is not None
            self.smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.smtp.ehlo()
            if settings.smtp_starttls:
                self.smtp.starttls()
            if settings.smtp_user:
                self.smtp.login(settings.smtp_user, settings.smtp_password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise Rejected(f"SMTP server unreachable: {exc}", permanent=False) from exc

    def send(self, message: Outgoing, handed_over: Callable[[], bool]) -> str | None:
        mail = compose(message.address, message.subject, message.body, message_id(message.key))
        data = mail.as_bytes(policy=SMTP_POLICY)
        # Dot-stuffing, as smtplib.SMTP.data does, but we write the final "." ourselves.
        data = re.sub(rb"(?m)^\.", b"..", data)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        try:
            self._expect(self.smtp.mail(self.sender), 250)
            self._expect(self.smtp.rcpt(message.address), 250, 251)
            self._expect(self.smtp.docmd("DATA"), 354)
            self.smtp.send(data)
        except (OSError, smtplib.SMTPException) as exc:
            raise Rejected(f"SMTP connection lost: {exc}", permanent=False) from exc
        if not handed_over():
            # Ending the session without the final "." makes the server drop the message.
            self.close()
            return None
        try:
            self.smtp.send(b".\r\n")
            code, reply = self.smtp.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            raise Unconfirmed(str(exc)) from exc
        self._expect((code, reply), 250)
        return reply.decode("utf-8", "replace")[:200]

    @staticmethod
    def _expect(answer: tuple[int, bytes], *codes: int) -> None:
        code, reply = answer
        if code not in codes:
            reason = f"{code} {reply.decode('utf-8', 'replace')}"
            raise Rejected(reason, permanent=500 <= code < 600)

    def close(self) -> None:
        try:
            self.smtp.close()
        except OSError:
            log.debug("closing an SMTP session that was already gone")


class FileMailConnection:
    """The demo's mailbox: files under var/mail, named by Message-ID."""

    def send(self, message: Outgoing, handed_over: Callable[[], bool]) -> str | None:
        mid = message_id(message.key)
        mail = compose(message.address, message.subject, message.body, mid)
        if not handed_over():
            return None
        name = mid.strip("<>").replace("@", "_")
        get_settings().var_path("mail", f"{name}.eml").write_bytes(bytes(mail))
        return mid

    def close(self) -> None:
        return None


class EmailChannel:
    name = "email"

    def connect(self) -> Connection:
        if get_settings().smtp_host:
            return SmtpConnection()
        return FileMailConnection()


class SmsGatewayConnection:
    """A generic HTTP SMS gateway: POST {to, text, reference} as JSON, answer {"id": ...}."""

    def __init__(self) -> None:
        settings = get_settings()
        if not settings.sms_gateway_url:
            raise Rejected("no SMS gateway configured", permanent=False)
        headers = {}
        if settings.sms_gateway_token:
            headers["Authorization"] = f"Bearer {settings.sms_gateway_token}"
        self.url = settings.sms_gateway_url
        self.http = httpx.Client(headers=headers, timeout=30)

    def send(self, message: Outgoing, handed_over: Callable[[], bool]) -> str | None:
        payload = {"to": message.address, "text": message.body, "reference": message.key}
        if not handed_over():
            return None
        try:
            answer = self.http.post(self.url, json=payload)
        except httpx.ConnectError as exc:
            # No connection, so nothing reached the gateway: safe to try again.
            raise Rejected(f"SMS gateway unreachable: {exc}", permanent=False) from exc
        except httpx.HTTPError as exc:
            raise Unconfirmed(str(exc)) from exc
        if answer.status_code >= 400:
            raise Rejected(f"{answer.status_code} {answer.text[:200]}", permanent=True)
        try:
            return str(answer.json()["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise Unconfirmed(f"gateway answer without an id: {answer.text[:200]}") from exc

    def close(self) -> None:
        self.http.close()


class SmsChannel:
    name = "sms"

    def connect(self) -> Connection:
        return SmsGatewayConnection()


class LogConnection:
    """Keeps what it was given: for tests and dry runs."""

    def __init__(self, sent: list[Outgoing]) -> None:
        self.sent = sent

    def send(self, message: Outgoing, handed_over: Callable[[], bool]) -> str | None:
        if not handed_over():
            return None
        self.sent.append(message)
        log.info("outbox message %s to %s: %s", message.key, message.address, message.subject)
        return f"log-{message.id}"

    def close(self) -> None:
        return None


class LogChannel:
    name = "log"

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def connect(self) -> Connection:
        return LogConnection(self.sent)


CHANNELS: dict[str, Channel] = {c.name: c for c in (EmailChannel(), SmsChannel(), LogChannel())}


def get(name: str) -> Channel:
    return CHANNELS[name]
