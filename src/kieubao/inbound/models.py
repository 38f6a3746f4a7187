"""Every message taken in, once per provider id: providers retry, and a retry changes nothing;
and the files messages announce, until they are fetched."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kieubao.platform.db import Base, utcnow


class InboundMessage(Base):
    """``thread_key`` (channel and sender) ties a later message to the case the thread
    opened; ``outcome`` says what the message became."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("provider", "provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    thread_key: Mapped[str] = mapped_column(String(250), index=True)
    # "opened", "appended", "safety_reply"
    outcome: Mapped[str] = mapped_column(String(20))
    case_number: Mapped[str | None] = mapped_column(String(20))
    roster_entry_id: Mapped[int | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboundMedia(Base):
    """A file a message announced (a photo, a scanned document, a voice note), fetched from
    its provider after the webhook was answered. Until it is on the case it stays
    ``pending``; it becomes ``fetched``, or ``failed`` with the reason said on the case."""

    __tablename__ = "inbound_media"
    __table_args__ = (UniqueConstraint("message_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("inbound_messages.id", ondelete="CASCADE"))
    position: Mapped[int]
    provider: Mapped[str] = mapped_column(String(20))
    # The provider's file id, media id or address, as its webhook gave it.
    reference: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    case_number: Mapped[str] = mapped_column(String(20))
    # The timeline entry of the message on the case (protection's), which the file joins.
    event_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="pending")  # fetched, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")
