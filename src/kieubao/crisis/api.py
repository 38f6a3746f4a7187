"""Hazards, exposure, feeds, alerts, crises and their rosters over JSON, under /api/v1."""

from typing import Literal

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kieubao.crisis import actions, queries
from kieubao.crisis.feeds import MAX_BYTES, FeedError
from kieubao.crisis.models import Alert, AlertRule, Crisis, FeedSource, Hazard, RosterEntry
from kieubao.crisis.schemas import (
    AlertOut,
    AlertRuleIn,
    AlertRuleOut,
    CrisisIn,
    CrisisOut,
    ExposureIn,
    ExposureOut,
    FeedSourceIn,
    FeedSourceOut,
    HazardOut,
    IngestOut,
    ReportOut,
    RosterCountsOut,
    RosterEntryOut,
    RosterStatus,
    SelfReportIn,
    SelfReportOut,
    StatusIn,
)
from kieubao.platform import guard
from kieubao.platform.deps import HQ, AnyOfficer, Anyone, SessionDep, Staff, scope_of
from kieubao.platform.errors import Invalid, NotFound, Problem
from kieubao.platform.models import User
from kieubao.registry.models import Citizen

router = APIRouter(tags=["early warning"])


class TooLarge(Problem):
    status = 413
    title = "Content too large"


def hazard_out(hazard: Hazard) -> HazardOut:
    return HazardOut(
        id=hazard.id,
        hazard_type=hazard.hazard_type,
        title=hazard.title,
        status=hazard.status,
        occurred_at=hazard.occurred_at,
        latitude=hazard.latitude,
        longitude=hazard.longitude,
        magnitude=hazard.magnitude,
        alert_level=hazard.alert_level,
        severity=hazard.severity,
        countries=hazard.countries,
        exposed=hazard.exposed,
        footprint=hazard.footprint,
        footprint_rule=hazard.footprint_rule,
        url=hazard.url,
        sources=[ReportOut.model_validate(r, from_attributes=True) for r in hazard.reports],
    )


@router.get("/hazards", response_model=list[HazardOut])
def list_hazards(
    session: SessionDep,
    user: Staff,
    status: Literal["active", "all"] = "active",
    hazard_type: str | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> list[HazardOut]:
    """Hazards, newest first, each with the sources that reported it."""
    found = queries.hazards(
        session, active_only=status == "active", hazard_type=hazard_type, limit=limit
    )
    return [hazard_out(h) for h in found]


@router.get("/hazards/{hazard_id}", response_model=HazardOut)
def get_hazard(hazard_id: int, session: SessionDep, user: Staff) -> HazardOut:
    return hazard_out(queries.get_hazard(session, hazard_id))


@router.get("/hazards/{hazard_id}/exposure", response_model=ExposureOut)
def hazard_exposure(
    hazard_id: int,
    session: SessionDep,
    user: Staff,
    after_id: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=500),
) -> ExposureOut:
    """Registered citizens inside the hazard's footprint; the list only for officers, and
    only of the countries they answer for."""
    hazard = queries.get_hazard(session, hazard_id)
    if hazard.area is None:
        raise NotFound("footprint of this hazard (its source gives no area)")
    return queries.exposure_in(session, hazard.area, scope_of(user), after_id=after_id, limit=limit)


@router.post("/exposure", response_model=ExposureOut)
def exposure(body: ExposureIn, session: SessionDep, user: Staff) -> ExposureOut:
    """Registered citizens inside a circle or a GeoJSON polygon."""
    try:
        return queries.exposure_in(
            session, body.area(), scope_of(user), after_id=body.after_id, limit=body.limit
        )
    except ValueError as exc:
        raise Invalid("polygon" if body.polygon else "circle", str(exc)) from exc


# A feed document may be larger than the bodies the API takes elsewhere; read with its own limit.
guard.allow_larger_body("/api/v1/feeds/ingest", MAX_BYTES + 1)


@router.post("/feeds/ingest", response_model=IngestOut)
async def ingest(
    request: Request,
    session: SessionDep,
    officer: HQ,
    kind: Literal["usgs", "gdacs", "cap"] | None = None,
) -> IngestOut:
    """Ingest a feed document or a single CAP alert posted as the request body."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise TooLarge(f"the document is larger than {MAX_BYTES // 1_000_000} MB")
        chunks.append(chunk)
    body = b"".join(chunks)
    try:
        result = await run_in_threadpool(
            actions.ingest, session, acting_user=officer, body=body, kind=kind
        )
    except FeedError as exc:
        raise Invalid("body", str(exc)) from exc
    return IngestOut.model_validate(result.as_dict())


@router.get("/feed-sources", response_model=list[FeedSourceOut])
def feed_sources(session: SessionDep, officer: HQ) -> list[FeedSourceOut]:
    return [
        FeedSourceOut.model_validate(s, from_attributes=True) for s in queries.feed_sources(session)
    ]


@router.post("/feed-sources", response_model=FeedSourceOut, status_code=201)
def add_feed_source(body: FeedSourceIn, session: SessionDep, officer: HQ) -> FeedSourceOut:
    source = actions.save_feed_source(session, acting_user=officer, data=body)
    return FeedSourceOut.model_validate(source, from_attributes=True)


@router.put("/feed-sources/{source_id}", response_model=FeedSourceOut)
def change_feed_source(
    source_id: int, body: FeedSourceIn, session: SessionDep, officer: HQ
) -> FeedSourceOut:
    source = session.get(FeedSource, source_id)
    if source is None:
        raise NotFound("feed source")
    source = actions.save_feed_source(session, acting_user=officer, data=body, source=source)
    return FeedSourceOut.model_validate(source, from_attributes=True)


@router.get("/alert-rules", response_model=list[AlertRuleOut])
def alert_rules(session: SessionDep, officer: AnyOfficer) -> list[AlertRuleOut]:
    return [
        AlertRuleOut.model_validate(r, from_attributes=True) for r in queries.alert_rules(session)
    ]


@router.post("/alert-rules", response_model=AlertRuleOut, status_code=201)
def add_alert_rule(body: AlertRuleIn, session: SessionDep, officer: HQ) -> AlertRuleOut:
    rule = actions.save_alert_rule(session, acting_user=officer, data=body)
    return AlertRuleOut.model_validate(rule, from_attributes=True)


@router.put("/alert-rules/{rule_id}", response_model=AlertRuleOut)
def change_alert_rule(
    rule_id: int, body: AlertRuleIn, session: SessionDep, officer: HQ
) -> AlertRuleOut:
    rule = session.get(AlertRule, rule_id)
    if rule is None:
        raise NotFound("alert rule")
    rule = actions.save_alert_rule(session, acting_user=officer, data=body, rule=rule)
    return AlertRuleOut.model_validate(rule, from_attributes=True)


def alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.id,
        hazard_id=alert.hazard_id,
        hazard_title=alert.hazard.title,
        rule=alert.rule.name,
        exposed=alert.exposed,
        by_country=alert.by_country,
        level_rank=alert.level_rank,
        times_raised=alert.times_raised,
        raised_at=alert.raised_at,
        message_vi=alert.message_vi,
        message_en=alert.message_en,
        acknowledged_at=alert.acknowledged_at,
    )


@router.get("/alerts", response_model=list[AlertOut])
def list_alerts(
    session: SessionDep, officer: AnyOfficer, open_only: bool = False
) -> list[AlertOut]:
    return [alert_out(a) for a in queries.alerts(session, open_only=open_only)]


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut)
def acknowledge(alert_id: int, session: SessionDep, officer: AnyOfficer) -> AlertOut:
    alert = actions.acknowledge_alert(
        session, acting_user=officer, alert=queries.get_alert(session, alert_id)
    )
    return alert_out(alert)


def crisis_out(session: Session, crisis: Crisis, user: User) -> CrisisOut:
    counts = queries.roster_counts(session, crisis, scope_of(user))
    return CrisisOut(
        id=crisis.id,
        title=crisis.title,
        hazard_id=crisis.hazard_id,
        status=crisis.status,
        countries=crisis.countries,
        opened_at=crisis.opened_at,
        closed_at=crisis.closed_at,
        roster=RosterCountsOut(
            total=counts.total, by_status=counts.by_status, by_city=counts.by_city
        ),
    )


@router.post("/crises", response_model=CrisisOut, status_code=201)
def open_crisis(body: CrisisIn, session: SessionDep, officer: AnyOfficer) -> CrisisOut:
    hazard = queries.get_hazard(session, body.hazard_id) if body.hazard_id else None
    crisis = actions.open_crisis(
        session,
        acting_user=officer,
        title=body.title,
        area=body.area(),
        hazard=hazard,
        countries=body.countries,
    )
    return crisis_out(session, crisis, officer)


@router.get("/crises", response_model=list[CrisisOut])
def list_crises(session: SessionDep, user: Staff, open_only: bool = True) -> list[CrisisOut]:
    return [crisis_out(session, c, user) for c in queries.crises(session, open_only=open_only)]


@router.get("/crises/{crisis_id}", response_model=CrisisOut)
def get_crisis(crisis_id: int, session: SessionDep, user: Staff) -> CrisisOut:
    """Counts by status and city: partner agencies see these, never a person."""
    return crisis_out(session, queries.get_crisis(session, crisis_id), user)


@router.get("/crises/{crisis_id}/roster", response_model=list[RosterEntryOut])
def roster(
    crisis_id: int,
    session: SessionDep,
    officer: AnyOfficer,
    status: RosterStatus | None = None,
    after_id: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=500),
) -> list[RosterEntryOut]:
    crisis = queries.get_crisis(session, crisis_id)
    rows = queries.roster(
        session, crisis, scope_of(officer), status=status, after_id=after_id, limit=limit
    )
    queries.log_roster_read(session, officer, crisis.id, rows)
    return [roster_entry_out(entry, citizen) for entry, citizen in rows]


@router.post("/crises/{crisis_id}/roster/{entry_id}/status", response_model=RosterEntryOut)
def set_status(
    crisis_id: int, entry_id: int, body: StatusIn, session: SessionDep, officer: AnyOfficer
) -> RosterEntryOut:
    entry, citizen = queries.roster_entry(session, crisis_id, entry_id, scope_of(officer))
    actions.record_status(
        session,
        acting_user=officer,
        entry=entry,
        status=body.status,
        source=body.source,
        needs=body.needs,
        note=body.note,
    )
    return roster_entry_out(entry, citizen)


def roster_entry_out(entry: RosterEntry, citizen: Citizen) -> RosterEntryOut:
    return RosterEntryOut(
        id=entry.id,
        citizen_id=citizen.id,
        full_name=citizen.full_name,
        country=entry.country,
        city=entry.city,
        phones=citizen.phones,
        email=citizen.email,
        status=entry.status,
        needs=entry.needs,
        last_source=entry.last_source,
        last_heard_at=entry.last_heard_at,
    )


@router.post("/crises/{crisis_id}/self-reports", response_model=SelfReportOut, status_code=202)
def self_report(
    crisis_id: int, body: SelfReportIn, session: SessionDep, _user: Anyone
) -> SelfReportOut:
    """ "I am in the affected area", for anyone: kept at once, placed on the roster shortly."""
    number = actions.receive_self_report(session, crisis_id=crisis_id, data=body)
    return SelfReportOut(reference=f"SR-{number}")
