"""Email: SMTP sessions side by side for a fan-out, or the demo's file mailbox.

Messages are built by hand as RFC 5322 documents: the email package's classes cost a
millisecond a message, the whole budget of a fan-out. Each carries the plain text and an
HTML alternative made from it, and List-Unsubscribe headers when the send offers a way out.
"""

import base64
import hashlib
import html
import logging
import re
import smtplib
import socket
from collections import deque
from dataclasses import dataclass
from email.utils import formatdate
from functools import lru_cache

from kieubao.platform.channels.base import (
    Connection,
    OneByOne,
    Outcome,
    Outgoing,
    Rejected,
    Unconfirmed,
)
from kieubao.platform.settings import get_settings

log = logging.getLogger(__name__)


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


_URL = re.compile(r"https?://[^\s<>\"']+")


def html_alternative(text: str) -> str:
    """The plain text as a small HTML page: paragraphs kept, links made clickable."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block, quote=True)
        linked = _URL.sub(lambda m: f'<a href="{m[0]}">{m[0]}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
        '<body style="font-family:sans-serif;line-height:1.5">\n'
        + "\n".join(paragraphs)
        + "\n</body></html>\n"
    )


def _base64(text: str) -> bytes:
    crlf = text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    return base64.encodebytes(crlf).replace(b"\n", b"\r\n")


def mime_bytes(message: Outgoing, sender: str) -> bytes:
    """The message as an RFC 5322 document, multipart/alternative with a UTF-8 text part and
    its HTML rendering, CRLF lines."""
    # "=_" never occurs in base64 or in the headers of the parts, so the boundary is safe.
    boundary = "=_" + hashlib.blake2s(message.key.encode(), digest_size=12).hexdigest()
    head = (
        f"From: {header_value(sender)}\r\n"
        f"To: {message.address}\r\n"
        f"Subject: {header_value(message.subject)}\r\n"
        f"Date: {formatdate(localtime=False)}\r\n"
        f"Message-ID: {message_id(message.key)}\r\n"
    )
    if message.unsubscribe_url:
        head += f"List-Unsubscribe: <{message.unsubscribe_url}>\r\n"
        if message.unsubscribe_url.startswith("https://"):
            # RFC 8058: a mail client may unsubscribe with one POST, no page to fill in.
            head += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    head += (
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    )
    middle = (
        f"--{boundary}\r\n"
        'Content-Type: text/html; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    )
    return b"".join(
        (
            head.encode(),
            _base64(message.body),
            middle.encode(),
            _base64(html_alternative(message.body)),
            f"--{boundary}--\r\n".encode(),
        )
    )


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


@dataclass(frozen=True)
class _Command:
    """One SMTP command of a message, the answers that let it go on, and whether it is the
    text (whose answer is the server's word on the whole message)."""

    message: Outgoing
    line: bytes
    accepted: tuple[int, ...]
    text: bool = False


class SmtpConnection:
    """SMTP sessions side by side, each given its share of a batch as a stream of commands.

    A round writes each session's next step and then reads every answer, so the waits for
    the server overlap. With RFC 2920 pipelining a step is one write: a message's text and
    final dot, then the next message's MAIL, RCPT and DATA (a group may start with a text
    and must end with DATA), so a message costs one write and one read a session; without
    it a step is one command."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.sender = get_settings().mail_from
        self.mail_from = f"MAIL FROM:{smtplib.quoteaddr(self.sender)}\r\n".encode()
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

    def _commands(self, message: Outgoing) -> list[_Command]:
        text = smtp_data(mime_bytes(message, self.sender)) + b".\r\n"
        return [
            _Command(message, self.mail_from, (250,)),
            _Command(message, f"RCPT TO:{_quoted(message.address)}\r\n".encode(), (250, 251)),
            _Command(message, b"DATA\r\n", (354,)),
            _Command(message, text, (250,), text=True),
        ]

    def send(self, messages: list[Outgoing]) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        streams: dict[int, deque[_Command]] = {}
        for position, message in enumerate(messages):
            streams.setdefault(position % self.size, deque()).extend(self._commands(message))
        while streams:
            written: dict[int, list[_Command]] = {}
            for slot, stream in list(streams.items()):
                while stream and stream[0].message.id in outcomes:
                    stream.popleft()  # what is left of a message already settled
                if not stream:
                    del streams[slot]
                    continue
                try:
                    smtp = self._session(slot).smtp
                except Rejected as refusal:
                    outcomes.update((c.message.id, refusal) for c in stream)
                    del streams[slot]
                    continue
                step = _step(stream, smtp.has_extn("pipelining"))
                try:
                    smtp.send(b"".join(c.line for c in step))
                    written[slot] = step
                except (OSError, smtplib.SMTPException) as exc:
                    self._lost(slot, step, outcomes, exc)
            for slot, step in written.items():
                self._answers(slot, step, outcomes)
        return outcomes

    def _answers(self, slot: int, step: list[_Command], outcomes: dict[int, Outcome]) -> None:
        """Read one answer for each command of a step."""
        smtp = self._session(slot).smtp
        refused = False
        for position, command in enumerate(step):
            try:
                code, reply = smtp.getreply()
            except (OSError, smtplib.SMTPException) as exc:
                self._lost(slot, step[position:], outcomes, exc)
                return
            message = command.message
            if message.id in outcomes:
                if code == 354:
                    # A pipelined DATA was taken though an earlier command was refused: the
                    # server awaits a text, so this session cannot go on.
                    self._drop(slot)
                    return
            elif code not in command.accepted:
                outcomes[message.id] = _refusal(code, reply)
                refused = refused or not command.text
            elif command.text:
                outcomes[message.id] = reply.decode("utf-8", "replace")[:200]
        if refused:
            try:
                smtp.rset()  # the refused message's envelope must not carry into the next
            except (OSError, smtplib.SMTPException):
                self._drop(slot)

    def _lost(
        self, slot: int, commands: list[_Command], outcomes: dict[int, Outcome], exc: Exception
    ) -> None:
        """The session broke with these commands unanswered; the rest of its stream goes on
        over a new one."""
        for command in commands:
            if command.message.id not in outcomes:
                # A text may have arrived whole before the break; an envelope cannot have.
                lost = f"SMTP connection lost: {exc}"
                outcomes[command.message.id] = (
                    Unconfirmed(lost) if command.text else Rejected(lost, permanent=False)
                )
        self._drop(slot)

    def close(self) -> None:
        for slot in range(self.size):
            self._drop(slot)


_PLAIN_ADDRESS = re.compile(r"[^\s<>()\",;:\\\[\]@]+@[^\s<>()\",;:\\\[\]@]+")


def _quoted(address: str) -> str:
    """An address in angle brackets: a plain one as it is, anything else the way smtplib
    reads it (which costs twenty microseconds, a sixth of what a message costs to send)."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return smtplib.quoteaddr(address)


def _step(stream: deque[_Command], pipelining: bool) -> list[_Command]:
    """The commands a session writes at once: up to and including the next DATA when the
    server pipelines, else one."""
    step = [stream.popleft()]
    while pipelining and stream and 354 not in step[-1].accepted:
        step.append(stream.popleft())
    return step


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
