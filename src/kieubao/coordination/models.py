"""Joint programs and their tasks, resolutions as goals and indicators, periodic reviews,
delegations, policy notes and officer training."""

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kieubao.platform.db import Base, Timestamped, utcnow


def _enum(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=20)


class TaskStatus(enum.StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


OPEN_TASK = (TaskStatus.planned, TaskStatus.in_progress)


class ReviewKind(enum.StrEnum):
    """Sơ kết (6-month, yearly) and tổng kết (5-year, 20-year) reviews."""

    six_month = "six_month"
    yearly = "yearly"
    five_year = "five_year"
    twenty_year = "twenty_year"


class JobState(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Agency(Base):
    """A body taking part in joint work: the ministry's own, or a partner agency."""

    __tablename__ = "coordination_agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))


class AgencyMember(Base):
    """Which agency a staff user works for: a partner-agency user sees and updates its tasks."""

    __tablename__ = "coordination_agency_members"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("coordination_agencies.id"), index=True)

    agency: Mapped[Agency] = relationship(lazy="joined")


class Program(Timestamped, Base):
    """A coordination program between agencies, signed on a date, made of articles."""

    __tablename__ = "coordination_programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(400))
    signed_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    agency_ids: Mapped[list[int]] = mapped_column(JSON, default=list)

    articles: Mapped[list["Article"]] = relationship(
        order_by="Article.number", cascade="all, delete-orphan", lazy="selectin"
    )


class Article(Base):
    """One article or area of cooperation of a program."""

    __tablename__ = "coordination_articles"
    __table_args__ = (UniqueConstraint("program_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("coordination_programs.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(400))


class Task(Timestamped, Base):
    """Work with a lead agency and supporting ones, an owner, a deadline and its evidence.

    A task belongs to an article of a program, to a goal of a resolution, or to a delegation
    as its follow-up."""

    __tablename__ = "coordination_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("coordination_articles.id"), index=True
    )
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("coordination_goals.id"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(
        ForeignKey("coordination_delegations.id"), index=True
    )
    title: Mapped[str] = mapped_column(String(400))
    lead_agency_id: Mapped[int] = mapped_column(ForeignKey("coordination_agencies.id"), index=True)
    owner: Mapped[str] = mapped_column(String(200), default="")
    deadline: Mapped[date] = mapped_column(index=True)
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus), default=TaskStatus.planned)
    done_on: Mapped[date | None]
    # [{"title", "url", "added_on"}]: the decisions, reports and minutes that show the work.
    evidence: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)

    lead_agency: Mapped[Agency] = relationship(lazy="joined")
    supporters: Mapped[list["TaskSupporter"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def overdue(self) -> bool:
        """Still open past its deadline."""
        return self.status in OPEN_TASK and self.deadline < utcnow().date()

    @property
    def supporting_agency_ids(self) -> list[int]:
        return sorted(s.agency_id for s in self.supporters)


class TaskSupporter(Base):
    """An agency supporting a task led by another."""

    __tablename__ = "coordination_task_supporters"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("coordination_tasks.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("coordination_agencies.id"), primary_key=True, index=True
    )


class Resolution(Timestamped, Base):
    """A resolution, conclusion or action program, tracked as goals, tasks and indicators."""

    __tablename__ = "coordination_resolutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(400))
    issued_on: Mapped[date | None]

    goals: Mapped[list["Goal"]] = relationship(
        order_by="Goal.id", cascade="all, delete-orphan", lazy="selectin"
    )


class Goal(Base):
    __tablename__ = "coordination_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(
        ForeignKey("coordination_resolutions.id"), index=True
    )
    title: Mapped[str] = mapped_column(String(400))

    indicators: Mapped[list["Indicator"]] = relationship(
        order_by="Indicator.id", cascade="all, delete-orphan", lazy="selectin"
    )


class Indicator(Base):
    """A measure of a goal: where it started (baseline), where it should be (target)."""

    __tablename__ = "coordination_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("coordination_goals.id"), index=True)
    name: Mapped[str] = mapped_column(String(400))
    unit: Mapped[str] = mapped_column(String(60))
    baseline: Mapped[float] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    target_year: Mapped[int] = mapped_column(Integer)

    values: Mapped[list["IndicatorValue"]] = relationship(
        order_by="IndicatorValue.period_end", cascade="all, delete-orphan", lazy="selectin"
    )


class IndicatorValue(Base):
    """The value of an indicator at the end of a period, and where that figure comes from."""

    __tablename__ = "coordination_indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("coordination_indicators.id"), index=True)
    period_end: Mapped[date]
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(400))


class Review(Timestamped, Base):
    """A sơ kết / tổng kết report: its figures are computed by a job, its text is edited."""

    __tablename__ = "coordination_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReviewKind] = mapped_column(_enum(ReviewKind))
    period_start: Mapped[date]
    period_end: Mapped[date]
    title: Mapped[str] = mapped_column(String(400))
    summary: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[JobState] = mapped_column(_enum(JobState), default=JobState.queued)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(String(400))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    finished_at: Mapped[datetime | None]


class Delegation(Timestamped, Base):
    """A working delegation abroad: its plan, approval and outcome; follow-ups are tasks."""

    __tablename__ = "coordination_delegations"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(400))
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # [{"name", "agency_id"}] and [{"on", "with", "kind"}]: kind is association or authority.
    members: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    meetings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(Text, default="")


class PolicyNote(Timestamped, Base):
    """A policy advice note and the evidence it stands on (cases, reviews, indicators)."""

    __tablename__ = "coordination_policy_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(400))
    proposal: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # [{"kind": "case" | "review" | "indicator", "ref": "..."}]
    evidence: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Course(Base):
    """A training course for officers, e.g. citizen protection skills."""

    __tablename__ = "coordination_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    topic: Mapped[str] = mapped_column(String(40), index=True)
    held_from: Mapped[date]
    held_to: Mapped[date]


class Attendance(Base):
    """An officer at a course; a certificate number once they pass."""

    __tablename__ = "coordination_attendance"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("coordination_courses.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    certificate_no: Mapped[str | None] = mapped_column(String(40))
