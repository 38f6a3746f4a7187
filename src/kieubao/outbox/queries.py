"""The delivery report: each send and how many of its messages reached each state."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.platform.outbox import OutboxMessage, OutboxSend, Status
from kieubao.platform.outbox_models import DisabledAddress


@dataclass
class SendReport:
    id: int
    key: str
    kind: str
    created_at: datetime
    counts: dict[Status, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, status: Status) -> int:
        return self.counts.get(status, 0)


def delivery_report(session: Session, *, limit: int = 50) -> list[SendReport]:
    """The latest sends, newest first, with their messages counted by status."""
    sends = session.scalars(
        select(OutboxSend).order_by(OutboxSend.created_at.desc(), OutboxSend.id.desc()).limit(limit)
    ).all()
    reports = {s.id: SendReport(s.id, s.key, s.kind, s.created_at) for s in sends}
    if reports:
        rows = session.execute(
            select(OutboxMessage.send_id, OutboxMessage.status, func.count())
            .where(OutboxMessage.send_id.in_(reports))
            .group_by(OutboxMessage.send_id, OutboxMessage.status)
        )
        for send_id, status, n in rows:
            reports[send_id].counts[Status(status)] = n
    return list(reports.values())


def send_counts(session: Session, key: str) -> dict[Status, int]:
    """One send's messages counted by status; empty when nothing was queued under ``key``."""
    rows = session.execute(
        select(OutboxMessage.status, func.count())
        .join(OutboxSend, OutboxSend.id == OutboxMessage.send_id)
        .where(OutboxSend.key == key)
        .group_by(OutboxMessage.status)
    )
    return {Status(status): n for status, n in rows}


def disabled_address(session: Session, channel: str, address: str) -> bool:
    """Whether a bounce that will not clear stopped all messages to the address."""
    return (
        session.scalar(
            select(DisabledAddress.id).where(
                DisabledAddress.channel == channel, DisabledAddress.address == address
            )
        )
        is not None
    )
