"""What every channel adapter shares: the message it is given, how it says what became of it,
and the one-at-a-time shape most providers' HTTP APIs call for.

An adapter sends a group of messages whole and says, for each, what the provider answered;
the outbox records the group's answers in one commit (see :mod:`kieubao.platform.delivery`
for why that makes each message arrive once). Every attempt at a message carries the same
key (``Outgoing.key``): the adapter hands it to the provider in whatever form the provider
honours (SMTP's Message-ID, an Idempotency-Key header).
"""

import logging
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    id: int
    key: str
    address: str
    subject: str
    body: str
    # A page where the reader stops these messages; email carries it as List-Unsubscribe.
    unsubscribe_url: str | None = None
    # The provider's template with this reader's values, for outside a conversation.
    template: dict[str, Any] | None = None


class Rejected(Exception):
    """The provider refused the message; ``permanent`` says whether trying again can help,
    ``retry_after`` how many seconds the provider asked us to wait first (a rate limit)."""

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Unconfirmed(Exception):
    """The message was handed over but no answer came back: it may have been accepted."""


# What became of each message of a group: the provider's id, or why not.
Outcome = str | Rejected | Unconfirmed


class Connection(Protocol):
    def send(self, messages: list[Outgoing]) -> dict[int, Outcome]: ...

    def close(self) -> None: ...


class Channel(Protocol):
    name: str

    def connect(self) -> Connection: ...


class OneByOne(ABC):
    """An adapter that sends a message at a time, behind the group interface; with
    ``concurrency`` above one, that many requests of a group are in flight at once, as a
    provider's API serves them (the provider's wait, not our CPU, is what a request costs)."""

    concurrency = 1

    def send(self, messages: list[Outgoing]) -> dict[int, Outcome]:
        paused: list[Rejected] = []

        def one(message: Outgoing) -> Outcome:
            if paused:
                # The provider asked for a pause: what has not gone yet would only be refused
                # the same way, so it waits unsent.
                return paused[0]
            try:
                return self.deliver(message, self.prepare(message))
            except Rejected as refusal:
                if refusal.retry_after is not None:
                    paused.append(refusal)
                return refusal
            except Unconfirmed as failure:
                return failure

        if self.concurrency == 1 or len(messages) == 1:
            return {m.id: one(m) for m in messages}
        with ThreadPoolExecutor(self.concurrency) as pool:
            return dict(zip((m.id for m in messages), pool.map(one, messages), strict=True))

    def prepare(self, message: Outgoing) -> bytes:
        """Everything that can fail before the message is handed over."""
        return b""

    @abstractmethod
    def deliver(self, message: Outgoing, prepared: bytes) -> str:
        """Send the message; the provider's id for it."""

    def close(self) -> None:
        return None


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
