"""A local SMTP server that counts what it is given, per recipient: the far end of drills,
of the outbox's exactly-once test and of the fan-out benchmark.

It honours the sender's idempotency key as a receiving system that deduplicates does: a
message whose Message-ID it already took is answered "250" and not taken again, and counted
in ``repeats`` so a test sees how often the sender had to try again.

It is a small asyncio protocol rather than aiosmtpd: the benchmark's sink shares two cores
with the workers it measures, and aiosmtpd reads a message a line at a time (about 0.3 ms of
CPU a message, more than a worker spends sending it). This one takes a message's text in one
search for its end, answers pipelined commands in one write, and speaks what a sender needs:
EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT.
"""

import asyncio
import re
import socket
import threading
from collections import Counter
from types import TracebackType
from typing import Protocol, Self

# Found by hand, not by the email parser: the sink must keep up with the fan-out benchmark.
_MESSAGE_ID = re.compile(rb"(?im)^Message-ID:[ \t]*(\S+)")
_ADDRESS = re.compile(r"(?i)^(?:FROM|TO):\s*<?([^<>\s]*)>?")
_STUFFED = re.compile(rb"(?m)^\.\.")
# A command line longer than this is refused: RFC 5321 allows 512 octets.
_MAX_LINE = 4096


class _Handler:
    def __init__(self) -> None:
        self.recipients: Counter[str] = Counter()
        self.message_ids: Counter[str] = Counter()
        self.repeats: Counter[str] = Counter()
        # Addresses answered "550 no such user", as a real server answers unknown mailboxes.
        self.unknown: set[str] = set()
        # Whether to offer RFC 2920 pipelining, as most production servers do.
        self.pipelining = False

    def rcpt(self, address: str) -> bytes:
        return b"550 5.1.1 no such user" if address in self.unknown else b"250 OK"

    def data(self, recipients: list[str], content: bytes) -> bytes:
        head_end = content.find(b"\r\n\r\n")
        found = _MESSAGE_ID.search(content, 0, head_end if head_end >= 0 else len(content))
        key = found[1].decode() if found else None
        if key is not None and key in self.message_ids:
            self.repeats[key] += 1
            return b"250 Message already accepted"
        for rcpt in recipients:
            self.recipients[rcpt] += 1
        self.message_ids[key or "None"] += 1
        return b"250 Message accepted for delivery"


class _Session(asyncio.Protocol):
    """One client's session: commands a line at a time, a message's text whole."""

    def __init__(self, handler: _Handler) -> None:
        self.handler = handler
        self.buffer = b""
        self.in_data = False
        self.quitting = False
        self.sender: str | None = None
        self.recipients: list[str] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(b"220 kieubao sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        replies: list[bytes] = []
        while not self.quitting:
            if self.in_data:
                # The text ends with a line holding a dot alone; one search finds it.
                if self.buffer.startswith(b".\r\n"):
                    text, self.buffer = b"", self.buffer[3:]
                else:
                    end = self.buffer.find(b"\r\n.\r\n")
                    if end < 0:
                        break
                    text, self.buffer = self.buffer[: end + 2], self.buffer[end + 5 :]
                self.in_data = False
                replies.append(self.handler.data(self.recipients, _STUFFED.sub(b".", text)))
                self.sender, self.recipients = None, []
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                if len(self.buffer) > _MAX_LINE:
                    replies.append(b"500 Line too long")
                    self.quitting = True
                break
            line, self.buffer = self.buffer[:end].decode("utf-8", "replace"), self.buffer[end + 2 :]
            replies.append(self._command(line))
        if replies:
            self.transport.write(b"\r\n".join(replies) + b"\r\n")
        if self.quitting:
            self.transport.close()

    def _command(self, line: str) -> bytes:
        verb, _, argument = line.partition(" ")
        verb = verb.upper()
        if verb == "EHLO":
            offers = [b"250-kieubao sink", b"250-8BITMIME"]
            if self.handler.pipelining:
                offers.append(b"250-PIPELINING")
            return b"\r\n".join([*offers, b"250 HELP"])
        if verb == "HELO":
            return b"250 kieubao sink"
        if verb == "MAIL":
            found = _ADDRESS.match(argument)
            if found is None:
                return b"501 Syntax: MAIL FROM:<address>"
            self.sender, self.recipients = found[1], []
            return b"250 OK"
        if verb == "RCPT":
            found = _ADDRESS.match(argument)
            if self.sender is None:
                return b"503 Error: need MAIL command"
            if found is None:
                return b"501 Syntax: RCPT TO:<address>"
            reply = self.handler.rcpt(found[1])
            if reply.startswith(b"250"):
                self.recipients.append(found[1])
            return reply
        if verb == "DATA":
            if not self.recipients:
                return b"503 Error: need RCPT command"
            self.in_data = True
            return b"354 End data with <CR><LF>.<CR><LF>"
        if verb == "RSET":
            self.sender, self.recipients = None, []
            return b"250 OK"
        if verb == "NOOP":
            return b"250 OK"
        if verb == "QUIT":
            self.quitting = True  # after the answers to what came before it
            return b"221 Bye"
        return b"502 Command not implemented"


class _Controller(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


class _Server:
    """The sink's event loop, in a thread of its own."""

    def __init__(self, handler: _Handler, port: int) -> None:
        self.handler = handler
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            self.loop.create_server(lambda: _Session(self.handler), "127.0.0.1", self.port),
            self.loop,
        ).result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Serving:
    """An SMTP server in a thread of its own, for the length of a ``with`` block."""

    controller: _Controller

    def __enter__(self) -> Self:
        self.controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.controller.stop()


class Sink(Serving):
    """``with Sink() as sink:`` serves on ``sink.port`` until the block ends."""

    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = free_port()
        self.controller = _Server(self.handler, self.port)

    @property
    def recipients(self) -> Counter[str]:
        return self.handler.recipients

    @property
    def received(self) -> int:
        return sum(self.handler.recipients.values())
