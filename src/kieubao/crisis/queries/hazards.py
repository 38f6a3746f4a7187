"""Reads of hazards, alerts, feed sources, who is exposed, and the risk outlook."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kieubao.crisis import exposure
from kieubao.crisis.models import (
    Alert,
    AlertRecipient,
    AlertRule,
    FeedSource,
    Hazard,
    HazardRevision,
)
from kieubao.crisis.schemas import ExposedCitizen, ExposureOut
from kieubao.outreach import queries as advisories
from kieubao.platform.deps import Scope
from kieubao.platform.errors import NotFound
from kieubao.platform.models import User
from kieubao.protection import queries as protection
from kieubao.registry import queries as registry
from kieubao.registry.models import Purpose


def hazards(
    session: Session,
    *,
    active_only: bool = True,
    hazard_type: str | None = None,
    limit: int = 100,
    most_exposed_first: bool = False,
) -> list[Hazard]:
    query = select(Hazard).options(selectinload(Hazard.reports))
    if most_exposed_first:
        query = query.order_by(func.coalesce(Hazard.exposed, 0).desc())
    query = query.order_by(Hazard.occurred_at.desc()).limit(limit)
    if active_only:
        query = query.where(Hazard.status == "active")
    if hazard_type:
        query = query.where(Hazard.hazard_type == hazard_type)
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class ActiveSummary:
    hazards: int
    exposed: int


def active_summary(session: Session) -> ActiveSummary:
    """How many hazards are active, and how many registered citizens are inside one or more
    of them: each person once, however many areas overlap on them."""
    active = Hazard.status == "active"
    count = session.scalar(select(func.count()).where(active)) or 0
    union: dict[str, list[Any]] = {"circles": [], "polygons": []}
    for area in session.scalars(select(Hazard.area).where(active, Hazard.exposed > 0)):
        for shape in union:
            union[shape] += (area or {}).get(shape) or []
    inside = exposure.of_area(session, union).count if any(union.values()) else 0
    return ActiveSummary(count, inside)


def get_hazard(session: Session, hazard_id: int) -> Hazard:
    hazard = session.get(Hazard, hazard_id)
    if hazard is None:
        raise NotFound("hazard")
    return hazard


def history(session: Session, hazard: Hazard) -> list[HazardRevision]:
    return list(
        session.scalars(
            select(HazardRevision)
            .where(HazardRevision.hazard_id == hazard.id)
            .order_by(HazardRevision.id)
        )
    )


def exposure_in(
    session: Session, area: dict[str, Any], scope: Scope, *, after_id: int = 0, limit: int = 50
) -> ExposureOut:
    """The counts for everyone inside; the people themselves only to officers, and only
    those of the countries they answer for."""
    found = exposure.of_area(session, area)
    out = ExposureOut(
        count=found.count,
        by_country=found.by_country,
        by_city=found.by_city,
        by_stay_status=found.by_stay_status,
        consenting=found.consenting,
    )
    if not scope.personal_data:
        return out
    ids = exposure.ids_in_area(
        session, area, countries=scope.countries, after_id=after_id, limit=limit
    )
    people = registry.citizens_by_ids(session, ids, scope)
    out.citizens = [
        ExposedCitizen(
            id=c.id,
            full_name=c.full_name,
            country=c.country,
            city=c.city,
            stay_status=str(c.stay_status),
            phones=list(c.phones or []),
            email=c.email,
            mission_code=c.mission_code,
            crisis_consent=c.consent_for(Purpose.crisis_alerts),
        )
        for c in people
    ]
    out.next_after_id = ids[-1] if len(ids) == limit else None
    return out


def alerts(session: Session, *, open_only: bool = False, limit: int = 100) -> list[Alert]:
    query = select(Alert).order_by(Alert.raised_at.desc()).limit(limit)
    if open_only:
        query = query.where(Alert.acknowledged_at.is_(None))
    return list(session.scalars(query))


def get_alert(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound("alert")
    return alert


def notifications_after(session: Session, user: User, after: int) -> list[tuple[int, Alert]]:
    """The user's alert notifications newer than ``after``, oldest first."""
    rows = session.execute(
        select(AlertRecipient.id, Alert)
        .join(Alert, Alert.id == AlertRecipient.alert_id)
        .where(AlertRecipient.user_id == user.id, AlertRecipient.id > after)
        .order_by(AlertRecipient.id)
        .limit(50)
    )
    return [(rid, alert) for rid, alert in rows]


def last_notification(session: Session, user: User) -> int:
    found = session.scalar(
        select(AlertRecipient.id)
        .where(AlertRecipient.user_id == user.id)
        .order_by(AlertRecipient.id.desc())
        .limit(1)
    )
    return found or 0


def feed_sources(session: Session) -> list[FeedSource]:
    return list(session.scalars(select(FeedSource).order_by(FeedSource.name)))


def alert_rules(session: Session) -> list[AlertRule]:
    return list(session.scalars(select(AlertRule).order_by(AlertRule.name)))


@dataclass(frozen=True)
class CountryOutlook:
    country: str
    hazards: int
    exposed: int
    registered: int
    worst_level: int
    open_cases: int
    advisory_level: int | None


def outlook(session: Session, scope: Scope) -> list[CountryOutlook]:
    """Per country: active hazards, citizens exposed to them, citizens registered, open
    protection cases and the travel advisory's level."""
    counts: Counter[str] = Counter()
    exposed: Counter[str] = Counter()
    worst: dict[str, int] = {}
    for hazard in hazards(session, limit=500):
        found = exposure.of_area(session, hazard.area) if hazard.area else None
        places = set(hazard.countries) | set(found.by_country if found else {})
        for country in places:
            counts[country] += 1
            worst[country] = max(worst.get(country, 0), hazard.level_rank)
        if found:
            exposed.update(found.by_country)
    registered = registry.figures(session, scope).by_country
    cases = protection.open_by_country(session)
    levels = advisories.levels_by_country(session)
    shown = {c for c in counts if scope.covers(c)}
    return sorted(
        (
            CountryOutlook(
                c,
                counts[c],
                exposed[c],
                registered.get(c, 0),
                worst.get(c, 0),
                cases.get(c, 0),
                levels.get(c),
            )
            for c in shown
        ),
        key=lambda o: (-o.worst_level, -o.exposed, -o.hazards, o.country),
    )
