"""Channel adapters: how rendered messages leave the outbox.

Every adapter follows one rule that the outbox's guarantee rests on: it brings a group of
messages up to the point where only their last byte is left to write (the SMTP end-of-data,
the HTTP request), calls ``handed_over(ids)``, and writes the last byte only of the messages
that call gave back. ``handed_over`` commits those rows as sent; so a message the provider
could have accepted is always marked sent first, and nothing marked "sending" reached it.
One commit covers a whole group, which is what lets the workers keep up with a fan-out.
"""

import base64
import logging
import re
import smtplib
import socket
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from functools import lru_cache
from typing import Protocol

import httpx

from kieubao.platform.settings import get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    id: int
    key: str
    address: str
    subject: str
    body: str
    unsubscribe_url: str = ""


class Rejected(Exception):
    """The provider refused the message; ``permanent`` says whether trying again can help."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Unconfirmed(Exception):
    """The message was handed over but no answer came back: it may have been accepted."""


# What became of each message of a group: the provider's id, or why not. A message left
# out was refused by ``handed_over`` (another worker holds it now) and was not sent.
Outcome = str | Rejected | Unconfirmed
HandedOver = Callable[[list[int]], set[int]]


class Connection(Protocol):
    def send(self, messages: list[Outgoing], handed_over: HandedOver) -> dict[int, Outcome]: ...

    def close(self) -> None: ...


class Channel(Protocol):
    name: str

    def connect(self) -> Connection: ...


def message_id(key: str) -> str:
    """The same Message-ID for every attempt at one outbox row."""
    safe = re.sub(r"[^A-Za-z0-9.\-_]", "-", key)
    return f"<{safe}@kieubao>"


_PLAIN_HEADER = re.compile(r"[!-~]+( [!-~]+)*")


@lru_cache(maxsize=1024)
def header_value(value: str) -> str:
    """A header value as RFC 2047 wants it; computed once per distinct value, since most
    messages of a send share their subject."""
    if _PLAIN_HEADER.fullmatch(value) and "=?" not in value and len(value) < 900:
        return value
    words, chunk = [], b""
    for char in value:
        encoded = char.encode()
        if len(chunk) + len(encoded) > 45:  # an encoded word stays under 75 characters
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words)


def mime_bytes(message: Outgoing, sender: str) -> bytes:
    """The message as an RFC 5322 document with a UTF-8 text body, CRLF lines. Built by
    hand: the email package's classes cost a millisecond a message, the whole budget of a
    fan-out."""
    text = message.body.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    head = (
        f"From: {header_value(sender)}\r\n"
        f"To: {message.address}\r\n"
        f"Subject: {header_value(message.subject)}\r\n"
        f"Date: {formatdate(localtime=False)}\r\n"
        f"Message-ID: {message_id(message.key)}\r\n"
        + (
            f"List-Unsubscribe: <{message.unsubscribe_url}>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            if message.unsubscribe_url
            else ""
        )
        + "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    )
    return head.encode() + base64.encodebytes(text).replace(b"\n", b"\r\n")


def smtp_data(document: bytes) -> bytes:
    """What goes after DATA: dot-stuffed, CRLF-terminated, without the final dot."""
    data = re.sub(rb"(?m)^\.", b"..", document)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


class _Session:
    """One SMTP session of a pool."""

    def __init__(self) -> None:
        settings = get_settings()
        assert settings.smtp_host
        try:
            self.smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
            # Commands and the final "." are small writes: without this, Nagle's algorithm
            # and delayed ACKs cost tens of milliseconds a message.
            assert self.smtp.sock is not None
            self.smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.smtp.ehlo()
            if settings.smtp_starttls:
                self.smtp.starttls()
                self.smtp.ehlo()
            if settings.smtp_user:
                self.smtp.login(settings.smtp_user, settings.smtp_password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise Rejected(f"SMTP server unreachable: {exc}", permanent=False) from exc

    def close(self) -> None:
        try:
            self.smtp.close()
        except OSError:
            log.debug("closing an SMTP session that was already gone")


def _refusal(code: int, reply: bytes) -> Rejected:
    return Rejected(f"{code} {reply.decode('utf-8', 'replace')}", permanent=500 <= code < 600)


class SmtpConnection:
    """A few SMTP sessions used side by side: each step of a group's messages is written to
    every session before any answer is read, so the waits for the server overlap."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.sender = get_settings().mail_from
        self.sessions: list[_Session | None] = [None] * size

    def _session(self, slot: int) -> _Session:
        session = self.sessions[slot]
        if session is None:
            session = self.sessions[slot] = _Session()
        return session

    def _drop(self, slot: int) -> None:
        session, self.sessions[slot] = self.sessions[slot], None
        if session is not None:
            session.close()

    def send(self, messages: list[Outgoing], handed_over: HandedOver) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        for start in range(0, len(messages), self.size):
            outcomes.update(self._group(messages[start : start + self.size], handed_over))
        return outcomes

    def _group(self, group: list[Outgoing], handed_over: HandedOver) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        live: dict[int, Outgoing] = {}  # slot -> message still on its way
        for slot, message in enumerate(group):
            try:
                self._session(slot)
                live[slot] = message
            except Rejected as refusal:
                outcomes[message.id] = refusal
        sender = f"FROM:{smtplib.quoteaddr(self.sender)}"
        self._wave(live, outcomes, lambda s, m: s.putcmd("mail", sender), (250,))
        self._wave(
            live,
            outcomes,
            lambda s, m: s.putcmd("rcpt", f"TO:{smtplib.quoteaddr(m.address)}"),
            (250, 251),
        )
        self._wave(live, outcomes, lambda s, m: s.putcmd("data"), (354,))
        self._wave(live, outcomes, lambda s, m: s.send(smtp_data(mime_bytes(m, self.sender))), None)
        taken = handed_over([m.id for m in live.values()]) if live else set()
        for slot in [s for s, m in live.items() if m.id not in taken]:
            # Ending the session without the final "." makes the server drop the message.
            del live[slot]
            self._drop(slot)
        for slot, message in list(live.items()):
            try:
                self._session(slot).smtp.send(b".\r\n")
            except (OSError, smtplib.SMTPException) as exc:
                outcomes[message.id] = Unconfirmed(str(exc))
                del live[slot]
                self._drop(slot)
        for slot, message in live.items():
            try:
                code, reply = self._session(slot).smtp.getreply()
            except (OSError, smtplib.SMTPException) as exc:
                outcomes[message.id] = Unconfirmed(str(exc))
                self._drop(slot)
                continue
            ok = code == 250
            outcomes[message.id] = (
                reply.decode("utf-8", "replace")[:200] if ok else (_refusal(code, reply))
            )
        return outcomes

    def _wave(
        self,
        live: dict[int, Outgoing],
        outcomes: dict[int, Outcome],
        write: Callable[[smtplib.SMTP, Outgoing], object],
        expected: tuple[int, ...] | None,
    ) -> None:
        """Write one step for every live message, then read every answer."""
        for slot, message in list(live.items()):
            try:
                write(self._session(slot).smtp, message)
            except (OSError, smtplib.SMTPException) as exc:
                outcomes[message.id] = Rejected(f"SMTP connection lost: {exc}", permanent=False)
                del live[slot]
                self._drop(slot)
        if expected is None:
            return
        for slot, message in list(live.items()):
            smtp = self._session(slot).smtp
            try:
                code, reply = smtp.getreply()
                if code not in expected:
                    outcomes[message.id] = _refusal(code, reply)
                    del live[slot]
                    smtp.rset()
            except (OSError, smtplib.SMTPException) as exc:
                outcomes[message.id] = Rejected(f"SMTP connection lost: {exc}", permanent=False)
                live.pop(slot, None)
                self._drop(slot)

    def close(self) -> None:
        for slot in range(self.size):
            self._drop(slot)


class OneByOne(ABC):
    """An adapter that sends a message at a time, behind the group interface."""

    def send(self, messages: list[Outgoing], handed_over: HandedOver) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        for message in messages:
            try:
                prepared = self.prepare(message)
            except Rejected as refusal:
                outcomes[message.id] = refusal
                continue
            if message.id not in handed_over([message.id]):
                continue
            try:
                outcomes[message.id] = self.deliver(message, prepared)
            except (Rejected, Unconfirmed) as failure:
                outcomes[message.id] = failure
        return outcomes

    def prepare(self, message: Outgoing) -> bytes:
        """Everything that can fail before the message is handed over."""
        return b""

    @abstractmethod
    def deliver(self, message: Outgoing, prepared: bytes) -> str:
        """Write the message's last byte; the provider's id for it."""

    def close(self) -> None:
        return None


class FileMailConnection(OneByOne):
    """The demo's mailbox: files under var/mail, named by Message-ID."""

    def prepare(self, message: Outgoing) -> bytes:
        return mime_bytes(message, get_settings().mail_from)

    def deliver(self, message: Outgoing, prepared: bytes) -> str:
        mid = message_id(message.key)
        name = mid.strip("<>").replace("@", "_")
        get_settings().var_path("mail", f"{name}.eml").write_bytes(prepared)
        return mid


class EmailChannel:
    name = "email"

    def connect(self) -> Connection:
        settings = get_settings()
        if settings.smtp_host:
            return SmtpConnection(settings.smtp_sessions)
        return FileMailConnection()


class SmsGatewayConnection(OneByOne):
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

    def deliver(self, message: Outgoing, prepared: bytes) -> str:
        payload = {"to": message.address, "text": message.body, "reference": message.key}
        try:
            answer = self.http.post(self.url, json=payload)
        except httpx.ConnectError as exc:
            # No connection, so nothing reached the gateway: safe to try again.
            raise Rejected(f"SMS gateway unreachable: {exc}", permanent=False) from exc
        except httpx.HTTPError as exc:
            raise Unconfirmed(str(exc)) from exc
        if answer.status_code >= 400:
            permanent = answer.status_code < 500 and answer.status_code != 429
            raise Rejected(f"{answer.status_code} {answer.text[:200]}", permanent=permanent)
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


class LogConnection(OneByOne):
    """Keeps what it was given: for tests and dry runs."""

    def __init__(self, sent: list[Outgoing]) -> None:
        self.sent = sent

    def deliver(self, message: Outgoing, prepared: bytes) -> str:
        self.sent.append(message)
        log.info("outbox message %s to %s: %s", message.key, message.address, message.subject)
        return f"log-{message.id}"


class LogChannel:
    name = "log"

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def connect(self) -> Connection:
        return LogConnection(self.sent)


CHANNELS: dict[str, Channel] = {c.name: c for c in (EmailChannel(), SmsChannel(), LogChannel())}


def get(name: str) -> Channel:
    return CHANNELS[name]
