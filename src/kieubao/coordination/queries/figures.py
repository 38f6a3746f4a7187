"""The figures of a review or a situation report, each computed by aggregate SQL: tasks,
indicators, protection cases, registrations, crises, the community and its events."""

from collections import Counter
from collections.abc import Callable, Collection
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from kieubao.community import queries as community
from kieubao.coordination.models import OPEN_TASK, Agency, Indicator, IndicatorValue, TaskStatus
from kieubao.coordination.models import Task as T
from kieubao.crisis import queries as crisis
from kieubao.platform.db import utcnow
from kieubao.protection import queries as protection
from kieubao.registry import queries as registry

Progress = Callable[[int], None]


def task_figures(session: Session, start: date, end: date) -> dict[str, Any]:
    """Done within the period, and overdue by its end (open past the deadline, or done late)."""
    as_of = min(end, utcnow().date())
    done = and_(T.status == TaskStatus.done, T.done_on >= start, T.done_on <= end)
    late = or_(T.status.in_(OPEN_TASK), and_(T.status == TaskStatus.done, T.done_on > T.deadline))
    overdue = and_(T.deadline < as_of, T.status != TaskStatus.cancelled, late)
    rows = session.execute(
        select(
            Agency.code,
            func.count(),
            func.sum(case((done, 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
            func.sum(case((T.status.in_(OPEN_TASK), 1), else_=0)),
        )
        .join(Agency, Agency.id == T.lead_agency_id)
        .group_by(Agency.code)
        .order_by(Agency.code)
    )
    by_agency = {
        code: {"total": int(n), "done": int(d or 0), "overdue": int(o or 0), "open": int(p or 0)}
        for code, n, d, o, p in rows
    }
    totals = Counter[str]()
    for figures in by_agency.values():
        totals.update(figures)
    return {**{k: totals[k] for k in ("total", "done", "overdue", "open")}, "by_agency": by_agency}


def indicator_figures(session: Session, end: date) -> list[dict[str, Any]]:
    """Each indicator with its latest value reported by the period's end."""
    latest = (
        select(IndicatorValue.indicator_id, func.max(IndicatorValue.period_end).label("at"))
        .where(IndicatorValue.period_end <= end)
        .group_by(IndicatorValue.indicator_id)
        .subquery()
    )
    rows = session.execute(
        select(Indicator, IndicatorValue)
        .outerjoin(latest, latest.c.indicator_id == Indicator.id)
        .outerjoin(
            IndicatorValue,
            and_(
                IndicatorValue.indicator_id == Indicator.id,
                IndicatorValue.period_end == latest.c.at,
            ),
        )
        .order_by(Indicator.id)
    )
    return [
        {
            "id": indicator.id,
            "name": indicator.name,
            "unit": indicator.unit,
            "baseline": indicator.baseline,
            "target": indicator.target,
            "target_year": indicator.target_year,
            "value": value.value if value else None,
            "as_of": value.period_end.isoformat() if value else None,
            "source": value.source if value else None,
        }
        for indicator, value in rows
    ]


def case_figures(
    session: Session, start: date, end: date, countries: Collection[str] | None = None
) -> dict[str, Any]:
    by_type: Counter[str] = Counter()
    by_country: Counter[str] = Counter()
    closed = 0
    for country, case_type, opened, done in protection.opened_between(
        session, start=start, end=end, countries=countries
    ):
        by_type[case_type] += opened
        by_country[country] += opened
        closed += done
    return {
        "opened": sum(by_type.values()),
        "closed": closed,
        "by_type": dict(by_type.most_common()),
        "by_country": dict(by_country.most_common()),
    }


def registration_figures(
    session: Session, start: date, end: date, countries: Collection[str] | None = None
) -> dict[str, Any]:
    found = registry.registrations_by_country(session, start=start, end=end, countries=countries)
    ranked = sorted(found.items(), key=lambda item: -item[1][0])
    return {
        "total": sum(n for n, _new in found.values()),
        "new": sum(new for _n, new in found.values()),
        "by_country": {c: {"total": n, "new": new} for c, (n, new) in ranked},
    }


def crises_opened(session: Session, start: date, end: date) -> list[Any]:
    """Crises opened within the period: a handful a year, filtered as they are read."""
    return [
        c for c in crisis.crises(session, open_only=False) if start <= c.opened_at.date() <= end
    ]


def crisis_figures(session: Session, start: date, end: date) -> dict[str, Any]:
    opened = crises_opened(session, start, end)
    return {"opened": len(opened), "titles": [c.title for c in opened]}


def community_figures(session: Session) -> dict[str, Any]:
    profiles = community.profiles(session)
    return {
        "associations": len(community.associations(session)),
        "profiles": [
            {"country": p.country, "estimated_size": p.estimated_size, "year": p.size_year}
            for p in profiles
        ],
    }


def event_figures(
    session: Session, start: date, end: date, countries: Collection[str] | None = None
) -> dict[str, Any]:
    """The community's events held in the period, with their approved and checked-in delegates."""
    held = community.events_held(session, start=start, end=end, countries=countries)
    return held.model_dump(mode="json")


def review_figures(
    session: Session, start: date, end: date, progress: Progress | None = None
) -> dict[str, Any]:
    """Every figure of a review; ``progress`` hears the percent done after each part."""
    parts: list[tuple[str, Callable[[], Any]]] = [
        ("tasks", lambda: task_figures(session, start, end)),
        ("indicators", lambda: indicator_figures(session, end)),
        ("cases", lambda: case_figures(session, start, end)),
        ("registrations", lambda: registration_figures(session, start, end)),
        ("crises", lambda: crisis_figures(session, start, end)),
        ("community", lambda: community_figures(session)),
        ("events", lambda: event_figures(session, start, end)),
    ]
    figures: dict[str, Any] = {"period": {"start": start.isoformat(), "end": end.isoformat()}}
    for done, (name, compute) in enumerate(parts, 1):
        figures[name] = compute()
        if progress:
            progress(round(100 * done / len(parts)))
    return figures
