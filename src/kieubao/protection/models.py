"""Case types with their procedures, cases, the people in them, steps, liaison and timeline."""

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Enum,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kieubao.platform.db import Base, Timestamped, utcnow
from kieubao.platform.models import Mission, User


class Status(enum.StrEnum):
    new = "new"
    triaged = "triaged"
    in_progress = "in_progress"
    waiting = "waiting"
    resolved = "resolved"
    closed = "closed"
    escalated = "escalated"


# Where each status may go next; escalation is possible from any open state.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.new: frozenset({Status.triaged, Status.escalated}),
    Status.triaged: frozenset({Status.in_progress, Status.waiting, Status.escalated}),
    Status.in_progress: frozenset({Status.waiting, Status.resolved, Status.escalated}),
    Status.waiting: frozenset({Status.in_progress, Status.resolved, Status.escalated}),
    Status.escalated: frozenset({Status.in_progress, Status.waiting, Status.resolved}),
    Status.resolved: frozenset({Status.closed, Status.in_progress}),
    Status.closed: frozenset(),
}
OPEN = frozenset(Status) - {Status.resolved, Status.closed}


class Severity(enum.StrEnum):
    """In falling order of urgency."""

    life_at_risk = "life_at_risk"
    liberty = "liberty"
    property = "property"
    information = "information"


class Channel(enum.StrEnum):
    web = "web"
    api = "api"
    hotline = "hotline"
    officer = "officer"
    email = "email"
    sms = "sms"
    zalo = "zalo"
    telegram = "telegram"
    whatsapp = "whatsapp"


class LiaisonKind(enum.StrEnum):
    note_verbale = "note_verbale"
    call = "call"
    meeting = "meeting"
    reply = "reply"


class DeadlineUnit(enum.StrEnum):
    hours = "hours"
    calendar_days = "calendar_days"
    working_days = "working_days"


class CaseType(Timestamped, Base):
    """A kind of case, as data: its intake fields and its procedure of ordered steps.

    ``fields`` lists the extra intake fields ({"name", "label_vi", "label_en", "required"});
    ``procedure`` the steps ({"code", "name_vi", "name_en", "amount", "unit"}).
    """

    __tablename__ = "protection_case_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    default_severity: Mapped[Severity] = mapped_column(Enum(Severity, native_enum=False, length=20))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    procedure: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)


class CaseCounter(Base):
    """The last number given in a year; updating the row serialises numbering."""

    __tablename__ = "protection_case_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(Timestamped, Base):
    __tablename__ = "protection_cases"
    __table_args__ = (
        Index("ix_protection_cases_mission_status", "mission_id", "status"),
        # The few cases not settled yet, for the sweep: the rest are not in it.
        Index(
            "ix_protection_cases_unsettled",
            "created_at",
            sqlite_where=text("settled_at IS NULL"),
            postgresql_where=text("settled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    case_type_id: Mapped[int] = mapped_column(ForeignKey("protection_case_types.id"))
    status: Mapped[Status] = mapped_column(Enum(Status, native_enum=False, length=20))
    severity: Mapped[Severity] = mapped_column(Enum(Severity, native_enum=False, length=20))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("missions.id"), index=True)
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=20))
    description: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What auto-triage proposed, kept beside what an officer decided.
    triage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    triaged_at: Mapped[datetime | None]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    escalated_at: Mapped[datetime | None]
    # When what intake leaves until after its answer was done (actions/settling.py).
    settled_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # A duplicate closed into another case points to the case that carries on.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("protection_cases.id"))

    case_type: Mapped[CaseType] = relationship(lazy="joined")
    mission: Mapped[Mission | None] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    subjects: Mapped[list["CaseSubject"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseSubject.id"
    )
    reporters: Mapped[list["CaseReporter"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseReporter.id"
    )
    steps: Mapped[list["CaseStep"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseStep.position"
    )
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseEvent.id"
    )
    liaisons: Mapped[list["Liaison"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Liaison.id"
    )
    attachments: Mapped[list["CaseAttachment"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseAttachment.id"
    )


class CaseSubject(Base):
    """A citizen the case is about, linked to the registry when the matcher is sure."""

    __tablename__ = "protection_case_subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("protection_cases.id", ondelete="CASCADE"), index=True
    )
    full_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[str | None] = mapped_column(String(10))  # YYYY, YYYY-MM or full
    # Folded name: the deduplication window compares it.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    citizen_id: Mapped[int | None] = mapped_column(
        ForeignKey("citizens.id", ondelete="SET NULL"), index=True
    )

    case: Mapped[Case] = relationship(back_populates="subjects")


class CaseToken(Base):
    """One word of a case as the search finds it: a keyed digest of the folded word (or of a
    prefix of a name's word), never the word itself, and in which fields it stands
    (``protection.search`` bits). Written for a new case when it is settled, seconds after
    its intake; kept by the actions that write what it is made of or move the case to
    another mission."""

    __tablename__ = "protection_case_tokens"
    # On SQLite the rows are the primary key's b-tree: one copy, looked up by word.
    __table_args__ = ({"sqlite_with_rowid": False},)

    token: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("protection_cases.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # The case's mission, so a mission's search skips other missions' rows as it reads.
    mission_id: Mapped[int | None] = mapped_column(Integer)
    fields: Mapped[int] = mapped_column(SmallInteger)


class CaseReporter(Base):
    """Who reported the case; each reporter (a second relative too) tracks it with a PIN."""

    __tablename__ = "protection_case_reporters"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("protection_cases.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    relation: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=20))
    pin_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="reporters")


class CaseStep(Base):
    """One step of the case's procedure, with the deadline it got when the case opened."""

    __tablename__ = "protection_case_steps"
    __table_args__ = (UniqueConstraint("case_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("protection_cases.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(index=True)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set once the overdue step has escalated, so the job escalates it only once.
    escalated_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(back_populates="steps")

    def overdue(self, now: datetime) -> bool:
        return self.done_at is None and self.due_at < now


class CaseEvent(Base):
    """The timeline: every change, internal note and public message, in order.

    Only ``public`` events are shown to the reporter.
    """

    __tablename__ = "protection_case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("protection_cases.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    public: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Messages that arrive (INBOX_KINDS) wait unread until an officer reads or claims them.
    read_at: Mapped[datetime | None] = mapped_column(index=True)
    read_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when the duty officers were told it sat unread too long, so they are told once.
    alerted_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


# The events that are something arriving, which someone must read.
INBOX_KINDS = ("opened", "report_added", "inbound")


class CaseAttachment(Base):
    """A file that came with the case (a photo, a scanned passport), kept in the file store.

    ``event_id`` is the timeline entry it arrived with."""

    __tablename__ = "protection_case_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("protection_cases.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("protection_case_events.id", ondelete="SET NULL")
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")


class Liaison(Base):
    """Contact with the host authorities: a note verbale, a call, a meeting or their reply."""

    __tablename__ = "protection_liaisons"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("protection_cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[LiaisonKind] = mapped_column(Enum(LiaisonKind, native_enum=False, length=20))
    authority: Mapped[str] = mapped_column(String(300))
    on: Mapped[date]
    reference: Mapped[str] = mapped_column(String(120), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="liaisons")


class Notification(Base):
    """An in-app notice to an officer (escalations)."""

    __tablename__ = "protection_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("protection_cases.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
