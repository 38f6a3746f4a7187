"""Figures of case work: the HQ dashboard, the Consular Department's monthly and yearly
report, and the public performance page. Counts and durations only, never a person."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import Session

from kieubao.platform import gazetteer
from kieubao.platform.db import utcnow
from kieubao.platform.models import Mission, Role, User
from kieubao.protection.models import OPEN, Case, CaseStep, CaseType, Liaison, Severity
from kieubao.protection.queries import visible

# The step whose doing is the first contact with a detained person's case.
FIRST_CONTACT = "contact_authority"
DETENTION_TYPES = ("arrest_detention", "vessel_detained")


@dataclass(frozen=True)
class Filters:
    case_type: str | None = None
    country: str | None = None
    severity: Severity | None = None
    since: date | None = None
    until: date | None = None  # exclusive


def period(year: int, month: int | None) -> tuple[date, date]:
    """The first day of a month or year, and the first day after it."""
    if month is None:
        return date(year, 1, 1), date(year + 1, 1, 1)
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date(year, month, 1), end


def _start(day: date) -> datetime:
    """Days are counted in UTC, as the cases' times are stored."""
    return datetime.combine(day, time(), tzinfo=UTC)


def scope(user: User) -> ColumnElement[bool]:
    """Partner agencies count everything, as they see no case behind a figure."""
    return true() if user.role is Role.partner_agency else visible(user)


def _where(user: User, f: Filters) -> ColumnElement[bool]:
    parts = [scope(user), Case.merged_into_id.is_(None)]
    if f.case_type:
        parts.append(CaseType.code == f.case_type)
    if f.country:
        parts.append(Case.country == f.country)
    if f.severity:
        parts.append(Case.severity == f.severity)
    if f.since:
        parts.append(Case.created_at >= _start(f.since))
    if f.until:
        parts.append(Case.created_at < _start(f.until))
    return and_(*parts)


@dataclass
class Dashboard:
    open_by_type: dict[str, int] = field(default_factory=dict)
    open_by_country: dict[str, int] = field(default_factory=dict)
    open_by_severity: dict[str, int] = field(default_factory=dict)
    overdue_steps: int = 0
    first_response_hours: float | None = None
    resolution_days: float | None = None
    opened: int = 0
    closed: int = 0


def _grouped(session: Session, column: Any, where: ColumnElement[bool]) -> dict[str, int]:
    rows = session.execute(
        select(column, func.count()).select_from(Case).join(CaseType).where(where).group_by(column)
    )
    return {str(key): n for key, n in rows}


def _hours(pairs: list[tuple[datetime, datetime | None]]) -> float | None:
    spans = [(end - start).total_seconds() / 3600 for start, end in pairs if end is not None]
    return round(median(spans), 1) if spans else None


def dashboard(session: Session, user: User, f: Filters) -> Dashboard:
    where = _where(user, f)
    open_ = and_(where, Case.status.in_(OPEN))
    d = Dashboard(
        open_by_type=_grouped(session, CaseType.code, open_),
        open_by_country=_grouped(session, Case.country, open_),
        open_by_severity=_grouped(session, Case.severity, open_),
    )
    d.overdue_steps = (
        session.scalar(
            select(func.count())
            .select_from(CaseStep)
            .join(Case)
            .join(CaseType)
            .where(open_, CaseStep.done_at.is_(None), CaseStep.due_at < utcnow())
        )
        or 0
    )
    times = session.execute(
        select(Case.created_at, Case.triaged_at, Case.closed_at).join(CaseType).where(where)
    ).all()
    d.opened = len(times)
    d.closed = sum(1 for t in times if t.closed_at is not None)
    d.first_response_hours = _hours([(t.created_at, t.triaged_at) for t in times])
    resolution = _hours([(t.created_at, t.closed_at) for t in times])
    d.resolution_days = round(resolution / 24, 1) if resolution is not None else None
    return d


def report(session: Session, user: User, f: Filters) -> list[tuple[str, str, int, int]]:
    """Rows of (type, country, opened, closed) in the period: the Consular Department's table."""
    where = _where(user, f)
    opened = _pairs(session, where)
    closed_where = and_(where, Case.closed_at.is_not(None))
    closed = _pairs(session, closed_where)
    keys = sorted(set(opened) | set(closed))
    return [(t, c, opened.get((t, c), 0), closed.get((t, c), 0)) for t, c in keys]


def _pairs(session: Session, where: ColumnElement[bool]) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(CaseType.code, Case.country, func.count())
        .select_from(Case)
        .join(CaseType)
        .where(where)
        .group_by(CaseType.code, Case.country)
    )
    return {(t, c): n for t, c, n in rows}


def map_points(session: Session, user: User, f: Filters) -> list[dict[str, object]]:
    """Open cases counted by city, placed on the gazetteer's point; a case whose city is not
    known is placed at the mission that holds it."""
    rows = session.execute(
        select(Case.country, Case.city, Mission.city, Mission.latitude, Mission.longitude)
        .add_columns(func.count())
        .select_from(Case)
        .join(CaseType)
        .outerjoin(Mission, Case.mission_id == Mission.id)
        .where(_where(user, f), Case.status.in_(OPEN))
        .group_by(Case.country, Case.city, Mission.city, Mission.latitude, Mission.longitude)
    )
    counts: Counter[tuple[float, float, str, str]] = Counter()
    for country, city, mission_city, lat, lon, n in rows:
        place = gazetteer.geocode(country, city) if city else None
        if place is not None:
            counts[(place.latitude, place.longitude, place.name, country)] += n
        elif lat is not None and lon is not None:
            counts[(lat, lon, mission_city, country)] += n
    return [
        {"lat": lat, "lon": lon, "city": city, "country": country, "count": n}
        for (lat, lon, city, country), n in counts.items()
    ]


@dataclass(frozen=True)
class Performance:
    opened_by_type: dict[str, int]
    closed_by_type: dict[str, int]
    first_contact_hours: float | None
    detentions: int
    detentions_within_24h: int

    @property
    def share_within_24h(self) -> float | None:
        return (
            round(100 * self.detentions_within_24h / self.detentions) if self.detentions else None
        )


def performance(session: Session, since: date, until: date) -> Performance:
    """The public figures of a period: what the ministry promises and what it did."""
    start, end = _start(since), _start(until)
    in_period = and_(Case.created_at >= start, Case.created_at < end, Case.merged_into_id.is_(None))
    opened = _grouped(session, CaseType.code, in_period)
    closed = _grouped(session, CaseType.code, and_(in_period, Case.closed_at.is_not(None)))
    first_liaison = (
        select(func.min(Liaison.created_at))
        .where(Liaison.case_id == Case.id)
        .correlate(Case)
        .scalar_subquery()
    )
    contact_step = (
        select(func.min(CaseStep.done_at))
        .where(CaseStep.case_id == Case.id, CaseStep.code == FIRST_CONTACT)
        .correlate(Case)
        .scalar_subquery()
    )
    rows = session.execute(
        select(CaseType.code, Case.created_at, first_liaison, contact_step)
        .select_from(Case)
        .join(CaseType)
        .where(in_period)
    ).all()
    firsts = [(created, _earliest(a, b)) for _code, created, a, b in rows]
    detained = [
        (created, _earliest(a, b)) for code, created, a, b in rows if code in DETENTION_TYPES
    ]
    within = sum(
        1 for created, at in detained if at is not None and at - created <= timedelta(hours=24)
    )
    return Performance(
        opened_by_type=opened,
        closed_by_type=closed,
        first_contact_hours=_hours(firsts),
        detentions=len(detained),
        detentions_within_24h=within,
    )


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min((x for x in (a, b) if x is not None), default=None)
