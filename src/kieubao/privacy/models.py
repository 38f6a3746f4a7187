"""Processing activities, data-subject requests, breaches, and the notices sent about them."""

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kieubao.platform.db import Base, Timestamped


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])


class ProcessingActivity(Timestamped, Base):
    """One line of the record of processing activities: why, on what basis, what data of
    whom, to whom, abroad or not, how long (the retention rules by name) and how protected."""

    __tablename__ = "privacy_processing_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    data_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    sensitive_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    transfers_abroad: Mapped[str] = mapped_column(Text, default="")
    # Names of the retention rules (platform/retention.py) that bound how long it is kept.
    retention_rules: Mapped[list[str]] = mapped_column(JSON, default=list)
    retention_note: Mapped[str] = mapped_column(Text, default="")
    security_measures: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RequestKind(enum.StrEnum):
    access = "access"  # a copy of the data, exported
    correction = "correction"
    erasure = "erasure"
    consent_withdrawal = "consent_withdrawal"
    restriction = "restriction"
    objection = "objection"


class RequestStatus(enum.StrEnum):
    received = "received"
    verified = "verified"  # the requester is the person (or may act for them)
    in_progress = "in_progress"
    done = "done"
    refused = "refused"


OPEN_STATUSES = (RequestStatus.received, RequestStatus.verified, RequestStatus.in_progress)


class SubjectRequest(Timestamped, Base):
    """A data subject's request, from receipt to the action that carries it out."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    # Copied from the record when received: whose jurisdiction, even after an erasure.
    country: Mapped[str] = mapped_column(String(2), index=True)
    kind: Mapped[RequestKind] = mapped_column(_enum(RequestKind))
    channel: Mapped[str] = mapped_column(String(20))  # portal, letter, phone, email, in_person
    details: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str | None] = mapped_column(String(30))  # the consent withdrawn
    identity_note: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[RequestStatus] = mapped_column(
        _enum(RequestStatus), default=RequestStatus.received, index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    # Hours-left marks already reminded of, and when it was flagged overdue: each once.
    reminded: Mapped[list[int]] = mapped_column(JSON, default=list)
    overdue_at: Mapped[datetime | None]


class BreachStatus(enum.StrEnum):
    recorded = "recorded"
    assessed = "assessed"
    authority_notified = "authority_notified"
    subjects_notified = "subjects_notified"
    closed = "closed"


class Risk(enum.StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class Breach(Timestamped, Base):
    """A personal data breach: what happened, to whose data, and who was told when."""

    __tablename__ = "privacy_breaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    discovered_at: Mapped[datetime] = mapped_column(index=True)
    occurred_at: Mapped[datetime | None]
    description: Mapped[str] = mapped_column(Text)
    data_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    approx_subjects: Mapped[int] = mapped_column(Integer, default=0)
    approx_records: Mapped[int] = mapped_column(Integer, default=0)
    consequences: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    risk: Mapped[Risk] = mapped_column(_enum(Risk), default=Risk.medium)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_details: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[BreachStatus] = mapped_column(
        _enum(BreachStatus), default=BreachStatus.recorded, index=True
    )
    authority_notified_at: Mapped[datetime | None]
    authority_reference: Mapped[str] = mapped_column(String(120), default="")
    subjects_notified_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Hours since discovery already alerted at (48, 66): each once.
    alerted: Mapped[list[int]] = mapped_column(JSON, default=list)


class PrivacyNotice(Base):
    """An in-app notice to an officer: a request's deadline near, a breach's clock running."""

    __tablename__ = "privacy_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    read_at: Mapped[datetime | None]
