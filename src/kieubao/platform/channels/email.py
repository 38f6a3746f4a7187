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
from collections.abc import Callable
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

    def send(self, messages: list[Outgoing]) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        for start in range(0, len(messages), self.size):
            outcomes.update(self._group(messages[start : start + self.size]))
        return outcomes

    def _group(self, group: list[Outgoing]) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        live: dict[int, Outgoing] = {}  # slot -> message still on its way
        for slot, message in enumerate(group):
            try:
                self._session(slot)
                live[slot] = message
            except Rejected as refusal:
                outcomes[message.id] = refusal
        sender = f"FROM:{smtplib.quoteaddr(self.sender)}"
        if all(self._session(slot).smtp.has_extn("pipelining") for slot in live):
            # RFC 2920: the envelope and DATA in one write, their three answers read after.
            self._wave(
                live,
                outcomes,
                lambda s, m: s.send(
                    f"MAIL {sender}\r\nRCPT TO:{smtplib.quoteaddr(m.address)}\r\nDATA\r\n"
                ),
                ((250,), (250, 251), (354,)),
            )
        else:
            self._wave(live, outcomes, lambda s, m: s.putcmd("mail", sender), ((250,),))
            self._wave(
                live,
                outcomes,
                lambda s, m: s.putcmd("rcpt", f"TO:{smtplib.quoteaddr(m.address)}"),
                ((250, 251),),
            )
            self._wave(live, outcomes, lambda s, m: s.putcmd("data"), ((354,),))
        # The text and its final dot in one write; the answer is the server's word on it.
        text = {m.id: smtp_data(mime_bytes(m, self.sender)) + b".\r\n" for m in live.values()}
        self._wave(live, outcomes, lambda s, m: s.send(text[m.id]), ())
        for slot, message in live.items():
            try:
                code, reply = self._session(slot).smtp.getreply()
            except (OSError, smtplib.SMTPException) as exc:
                outcomes[message.id] = Unconfirmed(str(exc))
                self._drop(slot)
                continue
            outcomes[message.id] = (
                reply.decode("utf-8", "replace")[:200] if code == 250 else _refusal(code, reply)
            )
        return outcomes

    def _wave(
        self,
        live: dict[int, Outgoing],
        outcomes: dict[int, Outcome],
        write: Callable[[smtplib.SMTP, Outgoing], object],
        expected: tuple[tuple[int, ...], ...],
    ) -> None:
        """Write one step for every live message, then read every answer: one for each
        command the step wrote, with the codes each may have."""
        for slot, message in list(live.items()):
            try:
                write(self._session(slot).smtp, message)
            except (OSError, smtplib.SMTPException) as exc:
                outcomes[message.id] = Rejected(f"SMTP connection lost: {exc}", permanent=False)
                del live[slot]
                self._drop(slot)
        if not expected:
            return
        for slot, message in list(live.items()):
            smtp = self._session(slot).smtp
            try:
                refusal, code = None, 0
                for accepted in expected:
                    code, reply = smtp.getreply()
                    if refusal is None and code not in accepted:
                        refusal = _refusal(code, reply)
                if refusal is None:
                    continue
                outcomes[message.id] = refusal
                del live[slot]
                if code == 354:
                    # A pipelined DATA was taken though an earlier command was refused: the
                    # server awaits a text, so this session cannot go on.
                    self._drop(slot)
                else:
                    smtp.rset()
            except (OSError, smtplib.SMTPException) as exc:
                outcomes[message.id] = Rejected(f"SMTP connection lost: {exc}", permanent=False)
                live.pop(slot, None)
                self._drop(slot)

    def close(self) -> None:
        for slot in range(self.size):
            self._drop(slot)


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
