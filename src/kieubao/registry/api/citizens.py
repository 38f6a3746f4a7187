"""Citizens abroad: registration, reading, changes, consents, trips, households, matching."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from kieubao.platform.deps import Allow, AnyOfficer, SessionDep, Staff, scope_of
from kieubao.platform.errors import Invalid, NotFound
from kieubao.platform.models import OFFICER_ROLES, Role, User
from kieubao.registry import actions, matching, queries
from kieubao.registry.actions.rights import citizen_out
from kieubao.registry.api.access import check_country, citizen_for, citizen_to_read
from kieubao.registry.schemas import (
    CitizenIn,
    CitizenOut,
    CitizenPatch,
    CitizenSummary,
    ConsentIn,
    HouseholdIn,
    MatchOut,
    Page,
    TripIn,
    TripRenewal,
)

router = APIRouter(tags=["citizens"])
OfficerOrCitizen = Annotated[User, Depends(Allow(*OFFICER_ROLES, Role.citizen))]


def summary(c: Any) -> CitizenSummary:
    return CitizenSummary(
        id=c.id,
        external_ref=c.external_ref,
        full_name=c.full_name,
        date_of_birth=c.birth_date_text or None,
        country=c.country,
        city=c.city,
        mission_code=c.mission_code,
        status=c.status.value,
    )


@router.post("/citizens", status_code=201, response_model=CitizenOut)
def register(data: CitizenIn, session: SessionDep, officer: AnyOfficer) -> CitizenOut:
    """Register a citizen abroad (officer entry)."""
    check_country(officer, data.country)
    return citizen_out(actions.register_citizen(session, acting_user=officer, data=data))


@router.post("/households", status_code=201, response_model=list[CitizenOut])
def register_household(
    data: HouseholdIn, session: SessionDep, officer: AnyOfficer
) -> list[CitizenOut]:
    """Register a family together; the first member answers for the others."""
    for member in data.members:
        check_country(officer, member.country)
    household = actions.register_household(
        session,
        acting_user=officer,
        name=data.name,
        members=data.members,
        relations=data.relations,
    )
    return [citizen_out(m) for m in household.members]


@router.get("/citizens", response_model=Page[CitizenSummary])
def search(
    session: SessionDep,
    officer: AnyOfficer,
    q: Annotated[str, Query(max_length=200)] = "",
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[CitizenSummary]:
    """Search by name (with or without tones), phone, passport number or email."""
    found = queries.search(
        session, scope_of(officer), q, country=country, offset=offset, limit=limit
    )
    return Page(
        items=[summary(c) for c in found.items], total=found.total, offset=offset, limit=limit
    )


@router.get("/citizens/match", response_model=MatchOut)
def match(
    session: SessionDep,
    officer: AnyOfficer,
    name: Annotated[str, Query(min_length=2, max_length=200)],
    date_of_birth: Annotated[str | None, Query(max_length=20)] = None,
    country: Annotated[str | None, Query(max_length=60)] = None,
) -> MatchOut:
    """Who this could be: ranked candidates, and `best` only when the system would bet on it."""
    try:
        result = matching.match(session, name=name, date_of_birth=date_of_birth, country=country)
    except ValueError as exc:
        raise Invalid("date_of_birth", str(exc)) from exc
    scope = scope_of(officer)
    candidates = [c for c in result.candidates if scope.covers(c.country)]
    best = result.best if result.best is not None and scope.covers(result.best.country) else None
    return MatchOut(best=best, candidates=candidates)


@router.get("/citizens/{citizen_id:int}", response_model=CitizenOut)
def read(citizen_id: int, session: SessionDep, user: OfficerOrCitizen) -> CitizenOut:
    return citizen_out(citizen_to_read(session, user, citizen_id))


@router.patch("/citizens/{citizen_id:int}", response_model=CitizenOut)
def update(
    citizen_id: int, patch: CitizenPatch, session: SessionDep, user: OfficerOrCitizen
) -> CitizenOut:
    citizen = citizen_for(session, user, citizen_id)
    if patch.country and user.role is not Role.citizen:
        check_country(user, patch.country)
    return citizen_out(
        actions.update_citizen(session, acting_user=user, citizen=citizen, patch=patch)
    )


@router.post("/citizens/{citizen_id:int}/consents", response_model=CitizenOut)
def consent(
    citizen_id: int, body: ConsentIn, session: SessionDep, user: OfficerOrCitizen
) -> CitizenOut:
    """Grant or withdraw consent for one purpose; history is kept."""
    citizen = citizen_for(session, user, citizen_id)
    source = "self" if user.role is Role.citizen else "officer"
    actions.set_consent(
        session,
        acting_user=user,
        citizen=citizen,
        purpose=body.purpose,
        granted=body.granted,
        source=source,
    )
    return citizen_out(citizen)


@router.post("/citizens/{citizen_id:int}/confirm", response_model=CitizenOut)
def confirm(citizen_id: int, session: SessionDep, user: OfficerOrCitizen) -> CitizenOut:
    """Re-confirm a record as current (asked of residents every year)."""
    citizen = citizen_for(session, user, citizen_id)
    return citizen_out(actions.confirm_record(session, acting_user=user, citizen=citizen))


@router.post("/citizens/{citizen_id:int}/trips", status_code=201, response_model=CitizenOut)
def trip(citizen_id: int, body: TripIn, session: SessionDep, user: OfficerOrCitizen) -> CitizenOut:
    citizen = citizen_for(session, user, citizen_id)
    actions.register_trip(session, acting_user=user, citizen=citizen, trip=body)
    return citizen_out(citizen)


@router.post("/citizens/{citizen_id:int}/trips/{trip_id:int}/renew", response_model=CitizenOut)
def renew(
    citizen_id: int, trip_id: int, body: TripRenewal, session: SessionDep, user: OfficerOrCitizen
) -> CitizenOut:
    """Extend a trip: its record then lapses 30 days after the new end."""
    citizen = citizen_for(session, user, citizen_id)
    trip = next((t for t in citizen.trips if t.id == trip_id), None)
    if trip is None:
        raise NotFound("trip")
    actions.renew_trip(session, acting_user=user, trip=trip, end_date=body.end_date)
    return citizen_out(citizen)


@router.get("/citizens/{citizen_id:int}/export")
def export(citizen_id: int, session: SessionDep, user: OfficerOrCitizen) -> Response:
    """Everything held about the person, as a JSON download."""
    import json

    citizen = citizen_for(session, user, citizen_id)
    data = actions.export_citizen_data(session, acting_user=user, citizen=citizen)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="kieubao-{citizen.public_id}.json"'},
    )


@router.get("/registry/figures")
def figures(session: SessionDep, user: Staff) -> dict[str, object]:
    """Counts without personal data, within the caller's scope."""
    found = queries.figures(session, scope_of(user))
    return {
        "total": found.total,
        "by_country": found.by_country,
        "by_stay_status": found.by_stay_status,
        "by_status": found.by_status,
    }
