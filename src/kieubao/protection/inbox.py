"""Reading the inbox: what arrived and no officer has read yet, per channel and oldest first."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from kieubao.platform.db import utcnow
from kieubao.platform.models import User
from kieubao.protection.models import INBOX_KINDS, Case, CaseEvent
from kieubao.protection.queries import visible


def channel_of() -> ColumnElement[str]:
    """The channel an event arrived by, as written in its data."""
    return func.coalesce(CaseEvent.data["channel"].as_string(), "web")


def _unread(user: User) -> Select[CaseEvent]:
    return (
        select(CaseEvent)
        .join(Case, CaseEvent.case_id == Case.id)
        .where(CaseEvent.kind.in_(INBOX_KINDS), CaseEvent.read_at.is_(None), visible(user))
    )


@dataclass(frozen=True)
class Counters:
    by_channel: dict[str, int]
    oldest_at: datetime | None

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())

    def oldest_age(self, now: datetime | None = None) -> timedelta | None:
        return (now or utcnow()) - self.oldest_at if self.oldest_at else None


def counters(session: Session, user: User) -> Counters:
    """Unread messages per channel, and when the oldest of them arrived, in the user's scope."""
    inner = _unread(user).with_only_columns(channel_of().label("channel"), CaseEvent.at).subquery()
    rows = session.execute(
        select(inner.c.channel, func.count(), func.min(inner.c.at)).group_by(inner.c.channel)
    ).all()
    oldest = min((at for _c, _n, at in rows), default=None)
    return Counters({channel: n for channel, n, _at in rows}, oldest)


def unread(session: Session, user: User, *, limit: int = 200) -> list[CaseEvent]:
    """Unread messages, oldest first: the order they must be answered in."""
    query = _unread(user).order_by(CaseEvent.at, CaseEvent.id).limit(limit)
    return list(session.scalars(query))


def next_unclaimed(session: Session, user: User) -> CaseEvent | None:
    """The oldest unread message whose case nobody else has taken."""
    query = (
        _unread(user)
        .where((Case.assignee_id.is_(None)) | (Case.assignee_id == user.id))
        .order_by(CaseEvent.at, CaseEvent.id)
        .limit(1)
    )
    return session.scalar(query)


def oldest_unread_per_mission(session: Session, older_than: datetime) -> list[CaseEvent]:
    """For each mission (and the cases no mission holds), its oldest unread message if it
    arrived before ``older_than`` and nobody has been told about it yet."""
    first = (
        select(Case.mission_id, func.min(CaseEvent.id).label("event_id"))
        .join(Case, CaseEvent.case_id == Case.id)
        .where(CaseEvent.kind.in_(INBOX_KINDS), CaseEvent.read_at.is_(None))
        .where(CaseEvent.at < older_than)
        .group_by(Case.mission_id)
        .subquery()
    )
    query = (
        select(CaseEvent)
        .join(first, CaseEvent.id == first.c.event_id)
        .where(CaseEvent.alerted_at.is_(None))
        .order_by(CaseEvent.id)
    )
    return list(session.scalars(query))
