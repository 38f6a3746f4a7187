"""Every message taken in, once per provider id: providers retry, and a retry changes nothing."""

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
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
