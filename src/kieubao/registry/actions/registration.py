"""Registering citizens abroad, changing their records, consents, households and trips."""

import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import audit, gazetteer
from kieubao.platform.audit import Actor
from kieubao.platform.crypto import blind_index
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Conflict, Invalid
from kieubao.platform.missions import directory
from kieubao.platform.missions_data import MissionDirectory
from kieubao.platform.text import fold, nfc
from kieubao.registry import blocking, matching
from kieubao.registry.dates import parse_birth_date
from kieubao.registry.models import (
    Citizen,
    Consent,
    DuplicateSuspect,
    Household,
    MissionTransfer,
    Purpose,
    RecordStatus,
    Trip,
)
from kieubao.registry.schemas import CitizenIn, CitizenPatch, TripIn

TRIP_GRACE = timedelta(days=30)


def passport_key(number: str) -> str:
    return blind_index(re.sub(r"[^0-9A-Z]", "", number.upper()))


def phone_key(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-12:]


def state(citizen: Citizen) -> dict[str, Any]:
    """What the audit digests: every personal field as it stands."""
    return {
        "full_name": citizen.full_name,
        "sex": citizen.sex.value,
        "birth": citizen.birth_date_text,
        "nationality_status": citizen.nationality_status.value,
        "passport_no": citizen.passport_no,
        "phones": citizen.phones,
        "email": citizen.email,
        "messaging": [citizen.zalo, citizen.telegram, citizen.whatsapp],
        "address": citizen.address,
        "country": citizen.country,
        "city": citizen.city,
        "location": [citizen.latitude, citizen.longitude],
        "stay_status": citizen.stay_status.value,
        "employer_or_school": citizen.employer_or_school,
        "emergency_contact": [
            citizen.emergency_contact_name,
            citizen.emergency_contact_phone,
            citizen.emergency_contact_relation,
        ],
        "mission_code": citizen.mission_code,
        "household_id": citizen.household_id,
        "status": citizen.status.value,
        "external_ref": citizen.external_ref,
    }


def _apply(citizen: Citizen, values: dict[str, Any]) -> None:
    """Set fields and everything derived from them (folded forms, blind indexes, dates)."""
    for field, value in values.items():
        if field == "full_name":
            citizen.full_name = nfc(value)
            citizen.name_folded = fold(value)
        elif field == "date_of_birth":
            born = parse_birth_date(value)
            citizen.birth_year = born.year if born else None
            citizen.birth_month = born.month if born else None
            citizen.birth_day = born.day if born else None
        elif field == "passport_no":
            citizen.passport_no = value or None
            citizen.passport_index = passport_key(value) if value else None
        elif field == "phones":
            citizen.phones = [p for p in value if p]
            citizen.phone_index = phone_key(citizen.phones[0]) if citizen.phones else None
        elif field == "email":
            citizen.email = value.lower() if value else None
        elif field == "city":
            citizen.city = nfc(value) if value else None
            citizen.city_folded = fold(value) if value else None
        elif field == "emergency_contact":
            contact = value or {}
            citizen.emergency_contact_name = contact.get("name")
            citizen.emergency_contact_phone = contact.get("phone")
            citizen.emergency_contact_relation = contact.get("relation")
        elif field == "consents":
            continue
        else:
            setattr(citizen, field, value)


def _place(citizen: Citizen, missions: MissionDirectory, given_location: bool) -> None:
    if given_location and citizen.latitude is not None and citizen.longitude is not None:
        citizen.location_source = "given"
    elif citizen.city and (point := gazetteer.geocode(citizen.country, citizen.city)):
        citizen.latitude, citizen.longitude = point.latitude, point.longitude
        citizen.location_source = "gazetteer"
    else:
        citizen.latitude = citizen.longitude = None
        citizen.location_source = None
    citizen.mission_code = missions.for_place(citizen.country, citizen.city)


def add_citizen(
    session: Session,
    actor: Actor,
    data: CitizenIn,
    *,
    source: str,
    missions: MissionDirectory,
    household: Household | None = None,
    found: matching.MatchResult | None = None,
) -> Citizen:
    """The work of a registration, without the commit: imports add many in one transaction
    (and pass the match they already made, ``found``)."""
    if data.external_ref and session.scalar(
        select(Citizen.id).where(Citizen.external_ref == data.external_ref)
    ):
        raise Conflict(f"a citizen with reference {data.external_ref} is registered")
    citizen = Citizen(source=source, household=household, last_confirmed_at=utcnow())
    values = data.model_dump(exclude_none=True)
    values["emergency_contact"] = (
        data.emergency_contact.model_dump() if data.emergency_contact else None
    )
    _apply(citizen, values)
    _place(citizen, missions, data.latitude is not None)
    now = utcnow()
    citizen.consents = [
        Consent(purpose=purpose, granted=granted, at=now, source=source)
        for purpose, granted in data.consents.items()
    ]
    session.add(citizen)
    session.flush()
    blocking.index_citizen(session, citizen)
    note_duplicates(session, citizen, found)
    audit.record(session, actor, "citizen.registered", "citizen", citizen.id, after=state(citizen))
    return citizen


def note_duplicates(
    session: Session, citizen: Citizen, found: matching.MatchResult | None = None
) -> None:
    """Record who this might also be, for an officer to decide: never merged on a guess."""
    seen: dict[int, float] = {}
    if citizen.passport_index:
        for other in session.scalars(
            select(Citizen.id).where(
                Citizen.passport_index == citizen.passport_index,
                Citizen.id != citizen.id,
                Citizen.status.not_in([RecordStatus.merged, RecordStatus.erased]),
            )
        ):
            seen[other] = 1.0
    for candidate in matching.suspected_duplicates(session, citizen, found):
        seen[candidate.id] = max(seen.get(candidate.id, 0.0), candidate.score)
    for other_id, score in seen.items():
        low, high = sorted((citizen.id, other_id))
        exists = session.scalar(
            select(DuplicateSuspect.id).where(
                DuplicateSuspect.citizen_id == low, DuplicateSuspect.other_id == high
            )
        )
        if not exists:
            session.add(
                DuplicateSuspect(citizen_id=low, other_id=high, score=score, found_at=utcnow())
            )


def register_citizen(
    session: Session,
    *,
    acting_user: Actor,
    data: CitizenIn,
    source: str = "officer",
    user_id: int | None = None,
) -> Citizen:
    citizen = add_citizen(session, acting_user, data, source=source, missions=directory(session))
    citizen.user_id = user_id
    commit(session)
    return citizen


def update_citizen(
    session: Session, *, acting_user: Actor, citizen: Citizen, patch: CitizenPatch
) -> Citizen:
    before = state(citizen)
    values = patch.model_dump(exclude_unset=True)
    if "emergency_contact" in values and patch.emergency_contact is not None:
        values["emergency_contact"] = patch.emergency_contact.model_dump()
    old_country, old_mission = citizen.country, citizen.mission_code
    _apply(citizen, values)
    if {"country", "city", "latitude", "longitude"} & values.keys():
        _place(citizen, directory(session), "latitude" in values and "longitude" in values)
    if citizen.mission_code != old_mission or citizen.country != old_country:
        # A move: the new mission takes over, and the history says who had them before.
        session.add(
            MissionTransfer(
                citizen_id=citizen.id,
                from_mission=old_mission,
                to_mission=citizen.mission_code,
                from_country=old_country,
                to_country=citizen.country,
                at=utcnow(),
            )
        )
    session.flush()
    if {"full_name", "date_of_birth"} & values.keys():
        blocking.index_citizen(session, citizen)
        note_duplicates(session, citizen)
    audit.record(
        session,
        acting_user,
        "citizen.updated",
        "citizen",
        citizen.id,
        before=before,
        after=state(citizen),
    )
    commit(session)
    return citizen


def set_consent(
    session: Session,
    *,
    acting_user: Actor,
    citizen: Citizen,
    purpose: Purpose,
    granted: bool,
    source: str,
) -> Consent:
    consent = Consent(purpose=purpose, granted=granted, at=utcnow(), source=source)
    citizen.consents.append(consent)
    session.flush()
    audit.record(
        session,
        acting_user,
        "consent.granted" if granted else "consent.withdrawn",
        "citizen",
        citizen.id,
        after={"purpose": purpose.value, "granted": granted},
    )
    commit(session)
    return consent


def confirm_record(session: Session, *, acting_user: Actor, citizen: Citizen) -> Citizen:
    """The yearly re-confirmation: the record is current again."""
    citizen.last_confirmed_at = utcnow()
    if citizen.status is RecordStatus.stale:
        citizen.status = RecordStatus.active
    audit.record(session, acting_user, "citizen.confirmed", "citizen", citizen.id)
    commit(session)
    return citizen


def register_household(
    session: Session,
    *,
    acting_user: Actor,
    name: str,
    members: list[CitizenIn],
    relations: list[str | None],
    source: str = "officer",
) -> Household:
    """Family members together; the first answers for the dependants."""
    household = Household(name=name)
    session.add(household)
    session.flush()
    missions = directory(session)
    head: Citizen | None = None
    for index, data in enumerate(members):
        member = add_citizen(
            session, acting_user, data, source=source, missions=missions, household=household
        )
        member.household_role = relations[index] if index < len(relations) else None
        if head is None:
            head = member
            member.household_role = member.household_role or "head"
        else:
            member.answered_for_by_id = head.id
    audit.record(
        session,
        acting_user,
        "household.registered",
        "household",
        household.id,
        after={"members": [m.id for m in household.members]},
    )
    commit(session)
    return household


def register_trip(session: Session, *, acting_user: Actor, citizen: Citizen, trip: TripIn) -> Trip:
    if trip.end_date < trip.start_date:
        raise Invalid("end_date", "a trip ends after it starts")
    row = Trip(
        start_date=trip.start_date,
        end_date=trip.end_date,
        itinerary=trip.itinerary,
        expires_on=trip.end_date + TRIP_GRACE,
    )
    citizen.trips.append(row)
    if citizen.status is RecordStatus.expired:
        citizen.status = RecordStatus.active
    session.flush()
    audit.record(
        session,
        acting_user,
        "trip.registered",
        "citizen",
        citizen.id,
        after={"trip": row.id, "start": str(row.start_date), "end": str(row.end_date)},
    )
    commit(session)
    return row


def renew_trip(session: Session, *, acting_user: Actor, trip: Trip, end_date: date) -> Trip:
    if end_date < trip.start_date:
        raise Invalid("end_date", "a trip ends after it starts")
    before = {"end": str(trip.end_date)}
    trip.end_date = end_date
    trip.expires_on = end_date + TRIP_GRACE
    if trip.citizen.status is RecordStatus.expired:
        trip.citizen.status = RecordStatus.active
    audit.record(
        session,
        acting_user,
        "trip.renewed",
        "citizen",
        trip.citizen_id,
        before=before,
        after={"end": str(end_date)},
    )
    commit(session)
    return trip
