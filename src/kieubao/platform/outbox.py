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
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kieubao.platform import audit, channels, i18n
from kieubao.platform.db import commit, on_commit, utcnow
from kieubao.platform.delivery import deliver
from kieubao.platform.errors import Invalid, NotFound
from kieubao.platform.jobs import enqueue
from kieubao.platform.outbox_models import DisabledAddress, OutboxMessage, OutboxSend, Status
from kieubao.platform.retention import FORGOTTEN_ADDRESS
from kieubao.platform.web import templates

__all__ = [
    "Message",
    "OutboxMessage",
    "OutboxSend",
    "Status",
    "forget_addresses",
    "queue",
    "record_receipt",
    "statuses",
]

# Rows per INSERT: well under SQLite's limit on bound parameters.
CHUNK = 1000


@dataclass(frozen=True)
class Message:
    key: str
    channel: str
    address: str
    language: str = i18n.DEFAULT_LOCALE
    fields: Mapping[str, str] = field(default_factory=dict)
    unsubscribe_url: str | None = None


@dataclass(frozen=True)
class Rendered:
    subject: Template
    body: Template


def render(kind: str, language: str, context: Mapping[str, Any]) -> Rendered:
    """A message type in one language, with the recipients' ``$fields`` still open."""
    template = templates().env.get_template(f"outbox/{kind}.txt")
    # A "$" in the shared text must stay a "$" after the per-recipient substitution.
    safe = {k: v.replace("$", "$$") if isinstance(v, str) else v for k, v in context.items()}
    with i18n.speaking(language):
        ctx = template.new_context(dict(safe))
        subject = "".join(template.blocks["subject"](ctx)).strip()
        body = "".join(template.blocks["body"](ctx)).strip() + "\n"
    return Rendered(Template(" ".join(subject.split())), Template(body))


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
                "subject": text.subject.safe_substitute(m.fields)[:300],
                "body": text.body.safe_substitute(m.fields),
                "unsubscribe_url": m.unsubscribe_url,
                # Nothing is dropped silently: a disabled address is kept, as failed.
                "status": Status.failed if blocked else Status.queued,
                "error": "address disabled after a bounce" if blocked else "",
                "next_attempt_at": now,
                "attempts": 0,
                "updated_at": now,
            }
        )
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for start in range(0, len(rows), CHUNK):
        statement = insert(OutboxMessage).on_conflict_do_nothing(index_elements=["key"])
        session.execute(statement, rows[start : start + CHUNK])
    for channel in sorted({m.channel for m in messages}):
        on_commit(session, enqueue, deliver, channel=channel)
    return send


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


def statuses(session: Session, *, key_prefix: str) -> list[tuple[str, str, Status]]:
    """Key, channel and status of every message whose key starts with ``key_prefix``: how a
    caller learns what became of what it queued."""
    return [
        (key, channel, status)
        for key, channel, status in session.execute(
            select(OutboxMessage.key, OutboxMessage.channel, OutboxMessage.status).where(
                OutboxMessage.key.startswith(key_prefix, autoescape=True)
            )
        )
    ]


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
    one not sent yet is not sent. The caller commits."""
    mine = OutboxMessage.address.in_(list(addresses))
    session.execute(
        update(OutboxMessage)
        .where(mine, OutboxMessage.status.in_([Status.queued, Status.sending]))
        .values(status=Status.failed, error="the address was erased")
    )
    result = session.execute(
        update(OutboxMessage).where(mine).values(address=FORGOTTEN_ADDRESS, subject="", body="")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
