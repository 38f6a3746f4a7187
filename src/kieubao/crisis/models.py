"""Hazard feeds, hazards and their reports, alert rules and alerts; crises and their rosters."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kieubao.platform.crypto import Encrypted
from kieubao.platform.db import Base, Timestamped

# Alert levels as GDACS and USGS PAGER name them, in rising order.
ALERT_LEVELS = ("green", "yellow", "orange", "red")
# CAP severities in rising order.
SEVERITIES = ("unknown", "minor", "moderate", "severe", "extreme")


class FeedSource(Timestamped, Base):
    """A feed polled on a schedule; its caching headers make the next poll conditional."""

    __tablename__ = "feed_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    url: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str | None] = mapped_column(String(10))  # usgs, gdacs, cap; None: detect
    poll_seconds: Mapped[int] = mapped_column(Integer, default=300)
    enabled: Mapped[bool] = mapped_column(default=True)
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at: Mapped[datetime | None]
    next_poll_at: Mapped[datetime | None] = mapped_column(index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Hazard(Timestamped, Base):
    """One real event, however many sources report it."""

    __tablename__ = "hazards"
    __table_args__ = (Index("ix_hazards_type_time", "hazard_type", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_type: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(500))
    occurred_at: Mapped[datetime]
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    magnitude: Mapped[float | None] = mapped_column(Float)
    alert_level: Mapped[str | None] = mapped_column(String(10))
    severity: Mapped[str | None] = mapped_column(String(10))
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    footprint: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # GeoJSON geometry
    # The shapes the exposure is counted in: {"circles": [...], "polygons": [...]}.
    area: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    footprint_rule: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)
    exposed: Mapped[int | None] = mapped_column(Integer)  # at the last evaluation
    url: Mapped[str | None] = mapped_column(String(1000))

    reports: Mapped[list["HazardReportRecord"]] = relationship(
        back_populates="hazard", order_by="HazardReportRecord.id"
    )

    @property
    def level_rank(self) -> int:
        """One scale for GDACS/PAGER alert levels and CAP severities: 0 (none) to 4."""
        rank = 0
        if self.alert_level in ALERT_LEVELS:
            rank = ALERT_LEVELS.index(self.alert_level) + 1
        if self.severity in SEVERITIES:
            rank = max(rank, SEVERITIES.index(self.severity))
        return rank


class HazardReportRecord(Base):
    """What one source said about a hazard: one row per item, updated in place."""

    __tablename__ = "hazard_reports"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    source: Mapped[str] = mapped_column(String(10))
    external_id: Mapped[str] = mapped_column(String(400))
    version: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64))
    message_type: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(1000))
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)

    hazard: Mapped[Hazard] = relationship(back_populates="reports")


class HazardRevision(Base):
    """Every version of every report as it arrived: the hazard's history."""

    __tablename__ = "hazard_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    source: Mapped[str] = mapped_column(String(10))
    external_id: Mapped[str] = mapped_column(String(400))
    version: Mapped[str] = mapped_column(String(100))
    message_type: Mapped[str] = mapped_column(String(10))
    received_at: Mapped[datetime]
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


class AlertRule(Timestamped, Base):
    """Which hazards are worth waking someone for, and whom."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    hazard_types: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every type
    min_magnitude: Mapped[float | None] = mapped_column(Float)
    min_alert_level: Mapped[str | None] = mapped_column(String(10))
    min_severity: Mapped[str | None] = mapped_column(String(10))
    min_exposed: Mapped[int] = mapped_column(Integer, default=1)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: everywhere
    notify_missions: Mapped[bool] = mapped_column(default=True)
    notify_hq: Mapped[bool] = mapped_column(default=True)
    webhook_url: Mapped[str | None] = mapped_column(String(1000))
    enabled: Mapped[bool] = mapped_column(default=True)


class Alert(Timestamped, Base):
    """A rule fired for a hazard: raised once, raised again only when things get worse."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("hazard_id", "rule_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id"))
    exposed: Mapped[int] = mapped_column(Integer)
    level_rank: Mapped[int] = mapped_column(Integer)
    by_country: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    raised_at: Mapped[datetime] = mapped_column(index=True)
    times_raised: Mapped[int] = mapped_column(Integer, default=1)
    message_vi: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]

    hazard: Mapped[Hazard] = relationship()
    rule: Mapped[AlertRule] = relationship()


class AlertRecipient(Base):
    """An officer told of an alert: their in-app notification, with when it was read."""

    __tablename__ = "alert_recipients"
    __table_args__ = (UniqueConstraint("alert_id", "user_id", "raised"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    raised: Mapped[int] = mapped_column(Integer)  # which raising of the alert
    read_at: Mapped[datetime | None]


# A roster member's state, from not yet heard of to out of danger.
ROSTER_STATUSES = (
    "unaccounted",
    "safe",
    "needs_help",
    "injured",
    "deceased",
    "evacuated",
    "left_area",
)
NEEDS = ("medical", "shelter", "documents", "food", "evacuation")
# Where a status came from: who told us.
STATUS_SOURCES = ("citizen_reply", "relative", "officer_call", "host_authority", "import")


class Crisis(Timestamped, Base):
    """A disaster or conflict the missions respond to: an area and everyone registered in it."""

    __tablename__ = "crises"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"), index=True)
    area: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"circles": [...], "polygons": [...]}
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    hazard: Mapped[Hazard | None] = relationship()


class RosterEntry(Timestamped, Base):
    """One person on a crisis roster, with the latest word on them."""

    __tablename__ = "roster_entries"
    __table_args__ = (
        UniqueConstraint("crisis_id", "citizen_id"),
        Index("ix_roster_entries_crisis_status", "crisis_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crisis_id: Mapped[int] = mapped_column(ForeignKey("crises.id", ondelete="CASCADE"))
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    # Copied from the citizen when added, so counts by place need no join and stay as they were.
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(12), default="unaccounted")
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_source: Mapped[str | None] = mapped_column(String(20))
    last_heard_at: Mapped[datetime | None]
    case_number: Mapped[str | None] = mapped_column(String(20))  # a protection case opened

    crisis: Mapped[Crisis] = relationship()


class RosterChange(Base):
    """Every change of a roster member's status: what, from whom, when."""

    __tablename__ = "roster_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("roster_entries.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(12))
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(20))
    by_relative: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(String(1000))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime]


class SelfReport(Base):
    """ "I am in the affected area": a submission kept as it came, before anything else is
    done with it, then matched to the registry and put on the roster by a job."""

    __tablename__ = "crisis_self_reports"
    __table_args__ = (
        Index("ix_crisis_self_reports_pending", "crisis_id", "processed_at"),
        # The same submission sent again (a second tap, a retry after a lost answer, the
        # same SMS delivered twice) is the one already kept.
        UniqueConstraint("crisis_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crisis_id: Mapped[int] = mapped_column(ForeignKey("crises.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    processed_at: Mapped[datetime | None]
    citizen_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


TRANSPORT_KINDS = ("charter_flight", "commercial_seats", "bus", "ship")
BOARDING = ("booked", "boarded", "no_show")


class EvacuationLeg(Timestamped, Base):
    """One way out: a charter flight, seats on commercial flights, a bus, with its capacity."""

    __tablename__ = "evacuation_legs"

    id: Mapped[int] = mapped_column(primary_key=True)
    crisis_id: Mapped[int] = mapped_column(ForeignKey("crises.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))  # flight number, bus company
    assembly_point: Mapped[str] = mapped_column(String(300))
    destination: Mapped[str] = mapped_column(String(200))
    departs_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="planned")  # departed, arrived

    seats: Mapped[list["ManifestSeat"]] = relationship(
        back_populates="leg", order_by="ManifestSeat.priority, ManifestSeat.id"
    )


class ManifestSeat(Base):
    """A person on a leg's manifest: why they go first, their travel document, boarding."""

    __tablename__ = "manifest_seats"
    __table_args__ = (UniqueConstraint("leg_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    leg_id: Mapped[int] = mapped_column(ForeignKey("evacuation_legs.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("roster_entries.id"), index=True)
    priority: Mapped[int] = mapped_column(Integer)  # 0 first
    document_checked: Mapped[bool] = mapped_column(default=False)
    # A passport, or an emergency travel document the mission issued for the journey.
    document_kind: Mapped[str | None] = mapped_column(String(30))
    document_no: Mapped[str | None] = mapped_column(Encrypted(300))
    boarding: Mapped[str] = mapped_column(String(10), default="booked")
    handed_over_at: Mapped[datetime | None]

    leg: Mapped[EvacuationLeg] = relationship(back_populates="seats")
    entry: Mapped[RosterEntry] = relationship()


class ContingencyPlan(Timestamped, Base):
    """What a mission needs at hand when a crisis starts in its country, kept current."""

    __tablename__ = "contingency_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2), unique=True)
    contacts: Mapped[str] = mapped_column(Text, default="")  # the mission's crisis cell
    assembly_points: Mapped[str] = mapped_column(Text, default="")
    partner_embassies: Mapped[str] = mapped_column(Text, default="")
    host_authorities: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SafetyCheck(Base):
    """One round of "are you safe?" to the roster, sent through the outbox."""

    __tablename__ = "safety_checks"
    __table_args__ = (UniqueConstraint("crisis_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crisis_id: Mapped[int] = mapped_column(ForeignKey("crises.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer)
    send_key: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recipients: Mapped[int] = mapped_column(Integer)
    # On the roster but not asked: no consent to crisis messages, or no way to reach them.
    not_asked: Mapped[int] = mapped_column(Integer)
    # A round by their next channel to those this one did not reach or hear from; None for
    # a first.
    follow_up_of: Mapped[int | None] = mapped_column(Integer)
    followed_up_at: Mapped[datetime | None]


ASSIGNMENT_STATUSES = ("proposed", "contacted", "confirmed", "on_site", "released")


class CrisisTask(Timestamped, Base):
    """Work in a crisis a diaspora volunteer can take on: interpreting at a hospital, a ride."""

    __tablename__ = "crisis_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    crisis_id: Mapped[int] = mapped_column(ForeignKey("crises.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    skill: Mapped[str] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default="open")


class VolunteerAssignment(Timestamped, Base):
    """A volunteer of the community directory on a crisis task, and how far it has gone."""

    __tablename__ = "volunteer_assignments"
    __table_args__ = (UniqueConstraint("task_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("crisis_tasks.id", ondelete="CASCADE"), index=True
    )
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("community_volunteers.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    note: Mapped[str | None] = mapped_column(String(1000))
