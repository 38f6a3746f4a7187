"""A local SMTP server that counts what it is given, per recipient: the far end of drills,
of the outbox's exactly-once test and of the fan-out benchmark.

It honours the sender's idempotency key as a receiving system that deduplicates does: a
message whose Message-ID it already took is answered "250" and not taken again, and counted
in ``repeats`` so a test sees how often the sender had to try again."""

import re
import socket
from collections import Counter
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller

# Found by hand, not by the email parser: the sink must keep up with the fan-out benchmark.
_MESSAGE_ID = re.compile(rb"(?im)^Message-ID:[ \t]*(\S+)")


class _Handler:
    def __init__(self) -> None:
        self.recipients: Counter[str] = Counter()
        self.message_ids: Counter[str] = Counter()
        self.repeats: Counter[str] = Counter()
        # Addresses answered "550 no such user", as a real server answers unknown mailboxes.
        self.unknown: set[str] = set()
        # Whether to offer RFC 2920 pipelining, as most production servers do.
        self.pipelining = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.pipelining:
            # aiosmtpd reads commands a line at a time, so pipelined ones are served in turn.
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.content
        head_end = content.find(b"\r\n\r\n")
        found = _MESSAGE_ID.search(content, 0, head_end if head_end >= 0 else len(content))
        key = found[1].decode() if found else None
        if key in self.message_ids:
            self.repeats[key] += 1
            return "250 Message already accepted"
        for rcpt in envelope.rcpt_tos:
            self.recipients[rcpt] += 1
        self.message_ids[key or "None"] += 1
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Serving:
    """An SMTP server in a thread of its own, for the length of a ``with`` block."""

    controller: Controller

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
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def recipients(self) -> Counter[str]:
        return self.handler.recipients

    @property
    def received(self) -> int:
        return sum(self.handler.recipients.values())
