"""Associations (hội đoàn) and their contacts, experts, country community profiles; events and
their delegates, volunteers, programs and contributions."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kieubao.platform.db import Base, Timestamped

ASSOCIATION_TYPES = (
    "general",
    "business",
    "student",
    "women",
    "veterans",
    "professional",
    "religious",
    "cultural",
)
# How the mission stands with an association, from none to close cooperation.
RELATIONSHIPS = ("none", "occasional", "regular", "close", "strained")
CONTRIBUTIONS = ("advice", "teaching", "investment", "technology_transfer")


class Association(Timestamped, Base):
    __tablename__ = "associations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_local: Mapped[str | None] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    # [{"name", "role", "phone", "email"}]: the people the mission talks to.
    leaders: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    members_count: Mapped[int | None] = mapped_column(Integer)
    relationship_status: Mapped[str] = mapped_column(String(12), default="none")

    contacts: Mapped[list["AssociationContact"]] = relationship(
        order_by="AssociationContact.contacted_on", cascade="all, delete-orphan"
    )


class AssociationContact(Base):
    """One meeting, call or letter between a mission and an association."""

    __tablename__ = "association_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), index=True)
    contacted_on: Mapped[date]
    channel: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Expert(Timestamped, Base):
    """An expert or intellectual abroad: a registered citizen or a person of Vietnamese origin."""

    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    affiliations: Mapped[list[str]] = mapped_column(JSON, default=list)
    degrees: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    contributions: Mapped[list[str]] = mapped_column(JSON, default=list)
    consent_listing: Mapped[bool] = mapped_column(default=False)


class CountryProfile(Timestamped, Base):
    """What is known of the Vietnamese community in one country: figures, never people."""

    __tablename__ = "community_profiles"
    __table_args__ = (UniqueConstraint("country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    estimated_size: Mapped[int] = mapped_column(Integer)
    size_source: Mapped[str] = mapped_column(String(300))
    size_year: Mapped[int] = mapped_column(Integer)
    main_cities: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Share of the community by stay status, in percent: {"worker": 45, "student": 20}.
    stay_status_mix: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    legal_status_issues: Mapped[str | None] = mapped_column(Text)
    language_schools: Mapped[list[str]] = mapped_column(JSON, default=list)
    media: Mapped[list[str]] = mapped_column(JSON, default=list)
    concerns: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class ProfileFigure(Base):
    """An estimate of a community's size as it stood: the history behind the current figure."""

    __tablename__ = "community_profile_figures"
    __table_args__ = (UniqueConstraint("country", "year", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    year: Mapped[int] = mapped_column(Integer)
    estimated_size: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(300))


EVENT_KINDS = ("conference", "forum", "meeting", "cultural")
DELEGATE_STATUSES = ("pending", "approved", "rejected")
SKILLS = ("interpreter", "medical", "legal", "driver", "host_family", "it")
PROGRAM_KINDS = ("language_class", "summer_camp", "youth_program", "cultural_event")
CONTRIBUTION_KINDS = ("investment", "donation", "technology_transfer", "advisory")
FOLLOW_UP_STATUSES = ("planned", "in_progress", "done")


class Event(Timestamped, Base):
    """A conference or forum (the World Conference of Overseas Vietnamese, an experts' forum)."""

    __tablename__ = "community_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120))
    venue: Mapped[str | None] = mapped_column(String(300))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    capacity: Mapped[int] = mapped_column(Integer)
    registration_open: Mapped[bool] = mapped_column(default=True)

    sessions: Mapped[list["EventSession"]] = relationship(
        order_by="EventSession.starts_at", cascade="all, delete-orphan"
    )


class EventSession(Base):
    __tablename__ = "event_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("community_events.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    room: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)


class Delegate(Timestamped, Base):
    """A person who asked to attend an event, approved or not, checked in or not."""

    __tablename__ = "event_delegates"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("community_events.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(2), default="vi")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    checked_in_at: Mapped[datetime | None]

    sessions: Mapped[list[EventSession]] = relationship(secondary="delegate_sessions")


class DelegateSession(Base):
    __tablename__ = "delegate_sessions"

    delegate_id: Mapped[int] = mapped_column(ForeignKey("event_delegates.id"), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id"), primary_key=True)


class Invitation(Base):
    """Someone from the directories asked to come: an expert who consented, or an association."""

    __tablename__ = "event_invitations"
    __table_args__ = (
        UniqueConstraint("event_id", "expert_id", name="uq_event_invitations_expert"),
        UniqueConstraint("event_id", "association_id", name="uq_event_invitations_association"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("community_events.id"), index=True)
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id"))
    association_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id"))
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))
    email: Mapped[str | None] = mapped_column(String(254))


class FollowUp(Timestamped, Base):
    """A task that comes out of one of an event's recommendations."""

    __tablename__ = "event_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("community_events.id"), index=True)
    recommendation: Mapped[str] = mapped_column(Text)
    task: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="planned")


class Volunteer(Timestamped, Base):
    """A person offering a skill for crisis response, on their own or through an association."""

    __tablename__ = "community_volunteers"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    association_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id"))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    availability: Mapped[str | None] = mapped_column(String(500))
    available: Mapped[bool] = mapped_column(default=True)


class Program(Timestamped, Base):
    """A Vietnamese language class, summer camp, youth program or cultural event abroad."""

    __tablename__ = "community_programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    association_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id"))
    teachers: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    participants: Mapped[int] = mapped_column(Integer, default=0)
    outcomes: Mapped[str | None] = mapped_column(Text)


class Contribution(Timestamped, Base):
    """An investment, donation, technology transfer or advice given by a person or association."""

    __tablename__ = "community_contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    contributor: Mapped[str] = mapped_column(String(300))
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id"))
    association_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id"))
    country: Mapped[str] = mapped_column(String(2), index=True)
    area: Mapped[str] = mapped_column(String(300))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    made_on: Mapped[date]
    follow_up: Mapped[str | None] = mapped_column(Text)
    follow_up_status: Mapped[str] = mapped_column(String(12), default="planned")
