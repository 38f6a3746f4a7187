"""The outbox: how any domain sends a message to many people, durably and once each.

A caller queues messages inside its own transaction; they are written with it or not at
all, and delivery jobs start after its commit (see :mod:`kieubao.platform.delivery` for
the sending side and its guarantee). Each message type has a template per language,
``outbox/<kind>.txt`` with a ``subject`` and a ``body`` block, rendered once per language;
each recipient's own words (``$name``) are then filled in by plain substitution.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from string import Template
from typing import Any, cast

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kieubao.platform import audit, channels, i18n
from kieubao.platform.db import commit, on_commit, utcnow
from kieubao.platform.delivery import deliver
from kieubao.platform.errors import Invalid, NotFound
from kieubao.platform.jobs import enqueue
from kieubao.platform.outbox_models import (
    DisabledAddress,
    LastHeard,
    OutboxMessage,
    OutboxSend,
    Status,
)
from kieubao.platform.retention import FORGOTTEN_ADDRESS
from kieubao.platform.web import templates

__all__ = [
    "Message",
    "OutboxMessage",
    "OutboxSend",
    "Status",
    "forget_addresses",
    "heard_from",
    "keys_with_status",
    "queue",
    "record_receipt",
    "statuses",
]

# Rows per INSERT: well under SQLite's limit on bound parameters.
CHUNK = 1000
_TABLE = cast(Table, OutboxMessage.__table__)


@dataclass(frozen=True)
class Message:
    key: str
    channel: str
    address: str
    language: str = i18n.DEFAULT_LOCALE
    fields: Mapping[str, str] = field(default_factory=dict)
    unsubscribe_url: str | None = None


class Fillable:
    """A text with the recipients' ``$fields`` still open, split once so that filling them in
    for each of a hundred thousand recipients is a join (what ``Template.safe_substitute``
    does, without scanning the text again each time)."""

    def __init__(self, text: str) -> None:
        self.literals = [""]
        self.fields: list[tuple[str, str]] = []  # name, and the text left if no value comes
        at = 0
        for found in Template.pattern.finditer(text):
            self.literals[-1] += text[at : found.start()]
            name = found["named"] or found["braced"]
            if name is None:  # "$$" is a dollar; a "$" before no name stays as written
                self.literals[-1] += "$" if found["escaped"] is not None else found[0]
            else:
                self.fields.append((name, found[0]))
                self.literals.append("")
            at = found.end()
        self.literals[-1] += text[at:]

    def fill(self, values: Mapping[str, str]) -> str:
        parts = [self.literals[0]]
        for (name, original), literal in zip(self.fields, self.literals[1:], strict=True):
            parts.append(values.get(name, original))
            parts.append(literal)
        return "".join(parts)


@dataclass(frozen=True)
class Rendered:
    subject: Fillable
    body: Fillable


def render(kind: str, language: str, context: Mapping[str, Any]) -> Rendered:
    """A message type in one language, with the recipients' ``$fields`` still open."""
    template = templates().env.get_template(f"outbox/{kind}.txt")
    # A "$" in the shared text must stay a "$" after the per-recipient substitution.
    safe = {k: v.replace("$", "$$") if isinstance(v, str) else v for k, v in context.items()}
    with i18n.speaking(language):
        ctx = template.new_context(dict(safe))
        subject = "".join(template.blocks["subject"](ctx)).strip()
        body = "".join(template.blocks["body"](ctx)).strip() + "\n"
    return Rendered(Fillable(" ".join(subject.split())), Fillable(body))


def queue(
    session: Session,
    *,
    send_key: str,
    kind: str,
    context: Mapping[str, Any],
    messages: Sequence[Message],
) -> OutboxSend:
    """Queue one send to many recipients; a message whose key is already queued is skipped,
    so a caller that runs twice queues nothing twice."""
    for message in messages:
        if message.channel not in channels.CHANNELS:
            raise Invalid("channel", f"unknown channel {message.channel!r}")
        if not message.address.strip():
            raise Invalid("address", f"message {message.key!r} has no address")
    send = session.scalar(select(OutboxSend).where(OutboxSend.key == send_key))
    if send is None:
        send = OutboxSend(key=send_key, kind=kind)
        session.add(send)
        session.flush()
    disabled = _disabled(session, messages)
    rendered = {lang: render(kind, lang, context) for lang in {m.language for m in messages}}
    shared = {k: v for k, v in context.items() if isinstance(v, str)}
    now = utcnow()
    rows = []
    for m in messages:
        text = rendered[m.language]
        blocked = (m.channel, m.address) in disabled
        rows.append(
            {
                "send_id": send.id,
                "key": m.key,
                "channel": m.channel,
                "address": m.address,
                "language": m.language,
                "subject": text.subject.fill(m.fields)[:300],
                "body": text.body.fill(m.fields),
                "unsubscribe_url": m.unsubscribe_url,
                # Only WhatsApp needs a template outside a conversation.
                "template": channels.whatsapp_template(kind, m.language, {**shared, **m.fields})
                if m.channel == "whatsapp"
                else None,
                # Nothing is dropped silently: a disabled address is kept, as failed.
                "status": Status.failed if blocked else Status.queued,
                "error": "address disabled after a bounce" if blocked else "",
                "next_attempt_at": now,
                "attempts": 0,
                "updated_at": now,
            }
        )
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # The table, not the mapped class: the ORM's bookkeeping per row would cost more than
    # the rendering (nothing here is loaded as an object).
    statement = insert(_TABLE).on_conflict_do_nothing(index_elements=["key"])
    for start in range(0, len(rows), CHUNK):
        session.execute(statement, rows[start : start + CHUNK])
    for channel in sorted({m.channel for m in messages}):
        on_commit(session, enqueue, deliver, channel=channel)
    return send


def heard_from(session: Session, *, channel: str, address: str) -> None:
    """A person wrote to us on a channel: what we send them there next may be free text
    (see :class:`LastHeard`)."""
    now = utcnow()
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(LastHeard)
        .values(channel=channel, address=address, at=now)
        .on_conflict_do_update(index_elements=["channel", "address"], set_={"at": now})
    )


def _disabled(session: Session, messages: Sequence[Message]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    by_channel: dict[str, list[str]] = {}
    for m in messages:
        by_channel.setdefault(m.channel, []).append(m.address)
    for channel, addresses in by_channel.items():
        for start in range(0, len(addresses), CHUNK):
            found.update(
                (channel, address)
                for channel, address in session.execute(
                    select(DisabledAddress.channel, DisabledAddress.address).where(
                        DisabledAddress.channel == channel,
                        DisabledAddress.address.in_(addresses[start : start + CHUNK]),
                    )
                )
            )
    return found


def statuses(session: Session, keys: Sequence[str]) -> list[tuple[str, str, Status]]:
    """Key, channel and status of each of these messages that was queued: how a caller learns
    what became of what it queued (by the unique key, a chunk at a time)."""
    found: list[tuple[str, str, Status]] = []
    for start in range(0, len(keys), CHUNK):
        found.extend(
            (key, channel, status)
            for key, channel, status in session.execute(
                select(OutboxMessage.key, OutboxMessage.channel, OutboxMessage.status).where(
                    OutboxMessage.key.in_(keys[start : start + CHUNK])
                )
            )
        )
    return found


def keys_with_status(session: Session, *, send_key: str, among: Sequence[Status]) -> list[str]:
    """Keys of a send's messages whose status is one of ``among`` (by the send and status
    index: a look at a send of a hundred thousand that failed for none costs nothing)."""
    return list(
        session.scalars(
            select(OutboxMessage.key)
            .join(OutboxSend, OutboxSend.id == OutboxMessage.send_id)
            .where(OutboxSend.key == send_key, OutboxMessage.status.in_(among))
        )
    )


RECEIPT_STATUSES = (Status.delivered, Status.failed, Status.bounced)


def record_receipt(
    session: Session,
    *,
    channel: str,
    provider_id: str,
    status: Status,
    reason: str = "",
    disable_address: bool = False,
) -> OutboxMessage:
    """A provider's word on a message it took: delivered, failed, or bounced (and, for a
    bounce that will not clear, no more messages to that address)."""
    if status not in RECEIPT_STATUSES:
        raise Invalid("status", f"a receipt says delivered, failed or bounced, not {status}")
    message = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.channel == channel, OutboxMessage.provider_id == provider_id
        )
    )
    if message is None:
        raise NotFound(f"{channel} message {provider_id}")
    message.status = status
    message.error = reason[:2000]
    if disable_address and status is Status.bounced:
        known = session.scalar(
            select(DisabledAddress).where(
                DisabledAddress.channel == channel, DisabledAddress.address == message.address
            )
        )
        if known is None:
            session.add(DisabledAddress(channel=channel, address=message.address, reason=reason))
            audit.record(
                session,
                audit.System(f"provider:{channel}"),
                "outbox.address_disabled",
                "outbox_message",
                message.id,
                after={"channel": channel, "reason": reason},
            )
    commit(session)
    return message


def forget_addresses(session: Session, addresses: Collection[str]) -> int:
    """An erased person's messages stay for the delivery figures, without address or text;
    one not sent yet is not sent; when they last wrote is forgotten. The caller commits."""
    mine = OutboxMessage.address.in_(list(addresses))
    session.execute(delete(LastHeard).where(LastHeard.address.in_(list(addresses))))
    session.execute(
        update(OutboxMessage)
        .where(mine, OutboxMessage.status.in_([Status.queued, Status.sending]))
        .values(status=Status.failed, error="the address was erased")
    )
    result = session.execute(
        update(OutboxMessage).where(mine).values(address=FORGOTTEN_ADDRESS, subject="", body="")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
