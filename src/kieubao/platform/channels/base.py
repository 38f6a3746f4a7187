"""What every channel adapter shares: the message it is given, how it says what became of it,
and the one-at-a-time shape most providers' HTTP APIs call for.

Every adapter follows one rule that the outbox's guarantee rests on: it brings a group of
messages up to the point where only their last byte is left to write (the SMTP end-of-data,
the HTTP request), calls ``handed_over(ids)``, and writes the last byte only of the messages
that call gave back. ``handed_over`` commits those rows as sent; so a message the provider
could have accepted is always marked sent first, and nothing marked "sending" reached it.
One commit covers a whole group, which is what lets the workers keep up with a fan-out.
"""

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

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


class OneByOne(ABC):
    """An adapter that sends a message at a time, behind the group interface."""

    def send(self, messages: list[Outgoing], handed_over: HandedOver) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        for position, message in enumerate(messages):
            try:
                prepared = self.prepare(message)
            except Rejected as refusal:
                outcomes[message.id] = refusal
                continue
            if message.id not in handed_over([message.id]):
                continue
            try:
                outcomes[message.id] = self.deliver(message, prepared)
            except Rejected as refusal:
                outcomes[message.id] = refusal
                if refusal.retry_after is not None:
                    # The provider asked for a pause: the rest of the group would only be
                    # refused the same way, so it waits unsent.
                    for later in messages[position + 1 :]:
                        outcomes[later.id] = refusal
                    break
            except Unconfirmed as failure:
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
