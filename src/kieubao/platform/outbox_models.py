"""The outbox's tables: one row per message per recipient, grouped in sends."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kieubao.platform.db import Base, utcnow


class Status(enum.StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    delivered = "delivered"
    failed = "failed"
    bounced = "bounced"


class OutboxSend(Base):
    """One thing sent to many people (a safety check, an advisory, a bulletin)."""

    __tablename__ = "outbox_sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A message to one address, rendered in its reader's language, and its delivery."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "channel", "next_attempt_at"),
        Index("ix_outbox_messages_provider", "channel", "provider_id"),
        # What became of a send's messages: the follow-ups of a safety check look here.
        Index("ix_outbox_messages_send_status", "send_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    send_id: Mapped[int] = mapped_column(ForeignKey("outbox_sends.id"))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    # Where the reader stops messages of this kind; email sends it as List-Unsubscribe.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    # The provider's pre-approved template with this reader's values, where the provider
    # takes only a template outside a conversation (WhatsApp): name, language, parameters.
    template: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[Status] = mapped_column(
        Enum(Status, name="outbox_status", native_enum=False, length=12), default=Status.queued
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who holds a row in "sending": host:pid, so a restarted worker knows a dead claimant.
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime | None]
    provider_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DisabledAddress(Base):
    """An address that bounced for good: nothing more is sent to it on that channel."""

    __tablename__ = "outbox_disabled_addresses"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LastHeard(Base):
    """When a person last wrote to us on a channel: a provider that opens a window for free
    text after that (WhatsApp's 24 hours) is sent a template outside it."""

    __tablename__ = "outbox_last_heard"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime] = mapped_column(default=utcnow)
