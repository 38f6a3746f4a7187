"""Evacuation: legs out of the area, manifests filled by priority, boarding, hand-over home."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis.actions.roster import note_status, require_open
from kieubao.crisis.models import (
    BOARDING,
    TRANSPORT_KINDS,
    Crisis,
    EvacuationLeg,
    ManifestSeat,
    RosterEntry,
)
from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Conflict, Invalid
from kieubao.registry.models import Citizen

CHILD_UNDER = 16
ELDERLY_FROM = 65


def add_leg(
    session: Session,
    *,
    acting_user: Actor,
    crisis: Crisis,
    kind: str,
    name: str,
    assembly_point: str,
    destination: str,
    departs_at: datetime,
    capacity: int,
) -> EvacuationLeg:
    require_open(crisis)
    if kind not in TRANSPORT_KINDS:
        raise Invalid("kind", f"must be one of {', '.join(TRANSPORT_KINDS)}")
    if not 1 <= capacity <= 1000:
        raise Invalid("capacity", "must be between 1 and 1,000 seats")
    if not name.strip() or not assembly_point.strip():
        raise Invalid("name", "a leg needs a name and an assembly point")
    leg = EvacuationLeg(
        crisis_id=crisis.id,
        kind=kind,
        name=name.strip()[:200],
        assembly_point=assembly_point.strip()[:300],
        destination=destination.strip()[:200] or "Hà Nội",
        departs_at=departs_at,
        capacity=capacity,
    )
    session.add(leg)
    session.flush()
    audit.record(
        session, acting_user, "evacuation.leg_added", "evacuation_leg", leg.id, after=_leg(leg)
    )
    commit(session)
    return leg


def fill_manifest(session: Session, *, acting_user: Actor, leg: EvacuationLeg) -> int:
    """Seat those who asked to leave and are on no leg yet, the injured first, then children
    and the elderly, then by how long they have waited; returns how many were seated."""
    require_open(leg_crisis(session, leg))
    free = leg.capacity - len(leg.seats)
    if free <= 0:
        return 0
    seated = select(ManifestSeat.entry_id)
    waiting = session.execute(
        select(RosterEntry, Citizen)
        .join(Citizen, Citizen.id == RosterEntry.citizen_id)
        .where(
            RosterEntry.crisis_id == leg.crisis_id,
            RosterEntry.status.in_(("needs_help", "injured")),
            RosterEntry.id.not_in(seated),
        )
        .order_by(RosterEntry.last_heard_at, RosterEntry.id)
    ).all()
    wanting = [
        (priority(entry, citizen), entry, citizen)
        for entry, citizen in waiting
        if entry.status == "injured" or "evacuation" in entry.needs
    ]
    wanting.sort(key=lambda row: row[0])  # stable: the longest waiting first within a rank
    chosen = wanting[:free]
    for rank, entry, citizen in chosen:
        session.add(
            ManifestSeat(
                leg_id=leg.id,
                entry_id=entry.id,
                priority=rank,
                document_kind="passport" if citizen.passport_no else None,
                document_no=citizen.passport_no,
                document_checked=False,
            )
        )
    audit.record(
        session,
        acting_user,
        "evacuation.manifest_filled",
        "evacuation_leg",
        leg.id,
        after={"seated": len(chosen)},
    )
    commit(session)
    session.refresh(leg)
    return len(chosen)


def priority(entry: RosterEntry, citizen: Citizen) -> int:
    """0 the injured, 1 children and the elderly, 2 everyone else."""
    if entry.status == "injured":
        return 0
    if citizen.birth_year is not None:
        age = utcnow().year - citizen.birth_year
        if age < CHILD_UNDER or age >= ELDERLY_FROM:
            return 1
    return 2


def check_document(
    session: Session, *, acting_user: Actor, seat: ManifestSeat, kind: str, number: str
) -> ManifestSeat:
    """A passport seen, or an emergency travel document issued: nobody boards without one."""
    if kind not in ("passport", "emergency_travel_document"):
        raise Invalid("kind", "a passport or an emergency travel document")
    if not number.strip():
        raise Invalid("number", "the document's number is needed for the manifest")
    seat.document_kind, seat.document_no = kind, number.strip()[:40]
    seat.document_checked = True
    audit.record(
        session, acting_user, "evacuation.document_checked", "manifest_seat", seat.id, after={}
    )
    commit(session)
    return seat


def board(session: Session, *, acting_user: Actor, seat: ManifestSeat, boarding: str) -> None:
    if boarding not in BOARDING:
        raise Invalid("boarding", f"must be one of {', '.join(BOARDING)}")
    if boarding == "boarded" and not seat.document_checked:
        raise Conflict("check the travel document before boarding")
    before = {"boarding": seat.boarding}
    seat.boarding = boarding
    audit.record(
        session,
        acting_user,
        "evacuation.boarding",
        "manifest_seat",
        seat.id,
        before=before,
        after={"boarding": boarding},
    )
    commit(session)


def arrive(session: Session, *, acting_user: Actor, leg: EvacuationLeg) -> None:
    """The leg is home: everyone who boarded is handed over and, on the roster, evacuated."""
    now = utcnow()
    leg.status = "arrived"
    for seat in leg.seats:
        if seat.boarding == "boarded":
            seat.handed_over_at = now
            note_status(
                session,
                acting_user,
                seat.entry,
                "evacuated",
                "officer_call",
                (),
                False,
                f"{leg.name} → {leg.destination}",
            )
    audit.record(session, acting_user, "evacuation.arrived", "evacuation_leg", leg.id)
    commit(session)


def leg_crisis(session: Session, leg: EvacuationLeg) -> Crisis:
    crisis = session.get(Crisis, leg.crisis_id)
    assert crisis is not None  # a leg belongs to a crisis (foreign key)
    return crisis


def _leg(leg: EvacuationLeg) -> dict[str, object]:
    return {
        "kind": leg.kind,
        "name": leg.name,
        "assembly_point": leg.assembly_point,
        "destination": leg.destination,
        "departs_at": leg.departs_at.isoformat(),
        "capacity": leg.capacity,
    }
