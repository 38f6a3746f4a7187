"""Reports from the feeds become hazards: one hazard per real event, with its history.

An item already seen (same source and id) updates its hazard when its version changed.
A CAP Update or Cancel joins the hazard of the alerts it references. Otherwise a report
joins an active hazard of the same type that began within the type's time window and
whose centre lies within the type's distance (or, with no centre on either side, in a
shared country); failing that it opens a new hazard.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis.actions.alerts import evaluate
from kieubao.crisis.feeds import ParsedFeed, parse
from kieubao.crisis.feeds.geometry import on_one_world
from kieubao.crisis.feeds.reports import Footprint, HazardReport, Rejection
from kieubao.crisis.models import (
    ALERT_LEVELS,
    SEVERITIES,
    Hazard,
    HazardReportRecord,
    HazardRevision,
)
from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow
from kieubao.platform.gazetteer import distance_km

# How far apart in time and space two reports of one event may be, by hazard type.
SAME_EVENT: dict[str, tuple[timedelta, float]] = {
    "earthquake": (timedelta(minutes=15), 150.0),
    "tsunami": (timedelta(hours=6), 1500.0),
    "tropical_cyclone": (timedelta(days=3), 800.0),
    "volcano": (timedelta(days=7), 100.0),
}
DEFAULT_SAME_EVENT = (timedelta(days=2), 300.0)


@dataclass
class IngestResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # CAP documents an index points to
    hazard_ids: list[int] = field(default_factory=list)
    kind: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [{"item": r.item, "reason": r.reason} for r in self.rejected],
            "links": self.links,
            "hazards": self.hazard_ids,
        }

    def add(self, other: "IngestResult") -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        self.hazard_ids += [h for h in other.hazard_ids if h not in self.hazard_ids]


def ingest(
    session: Session, *, acting_user: Actor, body: bytes, kind: str | None = None
) -> IngestResult:
    """Parse a feed document and apply its reports; evaluate the alerts of what changed."""
    parsed: ParsedFeed = parse(body, kind)
    result = apply_reports(session, acting_user=acting_user, reports=parsed.reports)
    result.kind = parsed.kind
    result.rejected = list(parsed.rejections) + result.rejected
    result.links = [link.url for link in parsed.links]
    return result


def apply_reports(
    session: Session, *, acting_user: Actor, reports: Iterable[HazardReport]
) -> IngestResult:
    result = IngestResult()
    touched: dict[int, Hazard] = {}
    for report in reports:
        outcome, hazard = _apply(session, acting_user, report)
        setattr(result, outcome, getattr(result, outcome) + 1)
        if hazard is not None and outcome != "unchanged":
            touched[hazard.id] = hazard
    for hazard in touched.values():
        evaluate(session, acting_user=acting_user, hazard=hazard)
    result.hazard_ids = list(touched)
    commit(session)
    return result


def _apply(session: Session, actor: Actor, report: HazardReport) -> tuple[str, Hazard | None]:
    now = utcnow()
    record = session.scalar(
        select(HazardReportRecord).where(
            HazardReportRecord.source == report.source,
            HazardReportRecord.external_id == report.external_id,
        )
    )
    if record is not None:
        if record.digest == report.raw_digest:
            record.last_seen_at = now
            return "unchanged", record.hazard
        hazard = record.hazard
        outcome = "updated"
    else:
        known = _referenced(session, report) or _same_event(session, report)
        if known is None:
            hazard = Hazard(
                hazard_type=report.hazard_type,
                title=report.title[:500],
                occurred_at=report.occurred_at,
                countries=[],
            )
            session.add(hazard)
            outcome = "new"
        else:
            hazard, outcome = known, "updated"
        record = HazardReportRecord(
            hazard=hazard,
            source=report.source,
            external_id=report.external_id,
            first_seen_at=now,
        )
        session.add(record)
    before = _state(hazard) if hazard.id else None
    _fill_record(record, report, now)
    _merge_into(hazard, report)
    session.flush()
    session.add(
        HazardRevision(
            hazard_id=hazard.id,
            source=report.source,
            external_id=report.external_id,
            version=report.version,
            message_type=report.message_type,
            received_at=now,
            summary=_summary(report),
        )
    )
    if report.message_type == "cancel" and all(
        r.message_type == "cancel" or r.external_id in report.references for r in hazard.reports
    ):
        # Cancelled only when nothing else still reports it, another source included.
        hazard.status = "cancelled"
    audit.record(
        session,
        actor,
        f"hazard.{'reported' if outcome == 'new' else 'updated'}",
        "hazard",
        hazard.id,
        before=before,
        after=_state(hazard),
    )
    return outcome, hazard


def _fill_record(record: HazardReportRecord, report: HazardReport, now: datetime) -> None:
    record.version = report.version[:100]
    record.digest = report.raw_digest
    record.message_type = report.message_type
    record.title = report.title[:500]
    record.url = report.url[:1000] if report.url else None
    record.last_seen_at = now
    record.languages = [info.language for info in report.infos]


def _referenced(session: Session, report: HazardReport) -> Hazard | None:
    if not report.references:
        return None
    record = session.scalar(
        select(HazardReportRecord)
        .where(
            HazardReportRecord.source == report.source,
            HazardReportRecord.external_id.in_(report.references),
        )
        .order_by(HazardReportRecord.id.desc())
        .limit(1)
    )
    return record.hazard if record else None


def _same_event(session: Session, report: HazardReport) -> Hazard | None:
    window, km = SAME_EVENT.get(report.hazard_type, DEFAULT_SAME_EVENT)
    candidates = session.scalars(
        select(Hazard).where(
            Hazard.status == "active",
            Hazard.hazard_type == report.hazard_type,
            Hazard.occurred_at.between(report.occurred_at - window, report.occurred_at + window),
        )
    )
    best: tuple[float, Hazard] | None = None
    for hazard in candidates:
        if report.source in {r.source for r in hazard.reports}:
            continue  # one source never reports one event under two ids
        if (
            report.lat is not None
            and report.lon is not None
            and hazard.latitude is not None
            and hazard.longitude is not None
        ):
            apart = distance_km(report.lat, report.lon, hazard.latitude, hazard.longitude)
            if apart <= km and (best is None or apart < best[0]):
                best = (apart, hazard)
        elif set(report.countries) & set(hazard.countries) and best is None:
            best = (km, hazard)
    return best[1] if best else None


def _merge_into(hazard: Hazard, report: HazardReport) -> None:
    """Fold one report into its hazard: the higher level wins, the finer footprint wins."""
    if report.message_type == "cancel":
        return
    if report.source == "usgs" or hazard.latitude is None:
        if report.lat is not None and report.lon is not None:
            hazard.latitude, hazard.longitude = report.lat, report.lon
        if report.magnitude is not None:
            hazard.magnitude = report.magnitude
        hazard.title = report.title[:500]
        hazard.occurred_at = report.occurred_at
    elif hazard.magnitude is None and report.magnitude is not None:
        hazard.magnitude = report.magnitude
    hazard.alert_level = _higher(hazard.alert_level, report.alert_level, ALERT_LEVELS)
    severity = report.severity.lower() if report.severity else None
    hazard.severity = _higher(hazard.severity, severity, SEVERITIES)
    hazard.countries = sorted(set(hazard.countries or []) | set(report.countries))
    if report.url and not hazard.url:
        hazard.url = report.url[:1000]
    if report.footprint is not None and _finer(report.footprint, hazard):
        hazard.footprint = report.footprint.to_geojson()
        hazard.area = area_of(report.footprint)
        hazard.footprint_rule = report.footprint.rule[:300]


def _finer(footprint: Footprint, hazard: Hazard) -> bool:
    """Drawn polygons describe an area better than a circle sized by a rule."""
    if hazard.area is None:
        return True
    return bool(footprint.polygons) or not hazard.area.get("polygons")


def area_of(footprint: Footprint) -> dict[str, Any]:
    return {
        "circles": [
            {"lat": c.lat, "lon": c.lon, "radius_km": c.radius_km} for c in footprint.circles
        ],
        "polygons": [
            {"type": "Polygon", "coordinates": [[list(p) for p in ring] for ring in piece]}
            for poly in footprint.polygons
            for piece in on_one_world(poly.rings)
        ],
    }


def _higher(current: str | None, new: str | None, order: tuple[str, ...]) -> str | None:
    if new not in order:
        return current
    if current not in order:
        return new
    return new if order.index(new) > order.index(current) else current


def _summary(report: HazardReport) -> dict[str, Any]:
    return {
        "title": report.title,
        "magnitude": report.magnitude,
        "alert_level": report.alert_level,
        "severity": report.severity,
        "updated_at": report.updated_at.isoformat(),
        "url": report.url,
        "languages": [info.language for info in report.infos],
        "footprint": report.footprint.rule if report.footprint else None,
    }


def _state(hazard: Hazard) -> dict[str, Any]:
    return {
        "type": hazard.hazard_type,
        "magnitude": hazard.magnitude,
        "alert_level": hazard.alert_level,
        "severity": hazard.severity,
        "status": hazard.status,
        "countries": hazard.countries,
        "area": hazard.area,
    }
