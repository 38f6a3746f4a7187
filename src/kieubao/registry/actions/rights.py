"""The data subject's rights as the registry carries them out: a copy of their data, and
erasure (requests and their deadlines are the privacy domain's)."""

from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from kieubao.platform import access, audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, on_commit
from kieubao.registry.actions.duplicates import drop_keys
from kieubao.registry.actions.registration import state
from kieubao.registry.models import (
    PERSONAL_FIELDS,
    Citizen,
    DuplicateSuspect,
    ImportJob,
    Merge,
    RecordStatus,
    Sex,
)
from kieubao.registry.schemas import CitizenOut

ERASED_NAME = "—"


def export_citizen_data(
    session: Session, *, acting_user: Actor, citizen: Citizen
) -> dict[str, Any]:
    """Everything held about a person, as they may download it (audited: it is a disclosure)."""
    record = citizen_out(citizen).model_dump(mode="json")
    record["consent_history"] = [
        {
            "purpose": c.purpose.value,
            "granted": c.granted,
            "at": c.at.isoformat(),
            "source": c.source,
        }
        for c in citizen.consents
    ]
    record["trips"] = [
        {"start_date": str(t.start_date), "end_date": str(t.end_date), "itinerary": t.itinerary}
        for t in citizen.trips
    ]
    # Who at the ministry looked at the record, by office and role (as the portal shows it).
    record["viewed_by"] = [
        {
            "at": v.at.isoformat(),
            "office": v.mission.code if v.mission else "HQ",
            "role": v.role,
            "record": f"{v.record_kind} {v.record_id}",
            "emergency_reason": v.purpose if v.break_glass else None,
        }
        for v in access.viewings(session, citizen.id, limit=None)
    ]
    audit.record(session, acting_user, "citizen.exported", "citizen", citizen.id)
    commit(session)
    return record


def citizen_out(citizen: Citizen) -> CitizenOut:
    contact = None
    if citizen.emergency_contact_name or citizen.emergency_contact_phone:
        contact = {
            "name": citizen.emergency_contact_name,
            "phone": citizen.emergency_contact_phone,
            "relation": citizen.emergency_contact_relation,
        }
    current = {p: citizen.consent_for(p) for p in {c.purpose for c in citizen.consents}}
    return CitizenOut.model_validate(
        {
            **{
                k: getattr(citizen, k)
                for k in CitizenOut.model_fields
                if k not in ("date_of_birth", "emergency_contact", "consents", "status")
            },
            "date_of_birth": citizen.birth_date_text or None,
            "emergency_contact": contact,
            "consents": current,
            "status": citizen.status.value,
        }
    )


def erase_citizen(session: Session, *, acting_user: Actor, citizen: Citizen) -> None:
    """The person's record keeps its id, country and mission for the figures; every personal
    field, trip, matching key, merge snapshot and duplicate suspicion goes, and the import
    files that may hold them. The audit keeps only digests of what was there. The caller
    commits (an erasure is one transaction across every domain)."""
    before = state(citizen)
    citizen.full_name = ERASED_NAME
    citizen.name_folded = ""
    for field in PERSONAL_FIELDS:
        setattr(citizen, field, None)
    citizen.sex = Sex.unknown
    citizen.phones = []
    citizen.status = RecordStatus.erased
    # The household's other members stay; this person only leaves it, and a household
    # named after them loses the name.
    if citizen.household is not None and before["full_name"] in citizen.household.name:
        citizen.household.name = ""
    citizen.household_id = None
    citizen.household_role = None
    citizen.trips.clear()
    drop_keys(session, citizen)
    session.execute(
        delete(DuplicateSuspect).where(
            or_(DuplicateSuspect.citizen_id == citizen.id, DuplicateSuspect.other_id == citizen.id)
        )
    )
    # A merge snapshot holds the survivor's fields; it cannot be undone without them anyway.
    session.execute(
        delete(Merge).where(or_(Merge.survivor_id == citizen.id, Merge.absorbed_id == citizen.id))
    )
    if citizen.source == "import":
        _forget_import_files(session)
    audit.record(
        session,
        acting_user,
        "citizen.erased",
        "citizen",
        citizen.id,
        before=before,
        after=state(citizen),
    )


def _forget_import_files(session: Session) -> None:
    """Which spreadsheet held the person is not kept, and a finished import needs its file no
    more (only a running one resumes from it): every finished import's file goes after commit."""
    jobs = list(session.scalars(select(ImportJob).where(ImportJob.stored_path != "")))
    # The same file sent again is stored once: a running import may still read it.
    running = {j.stored_path for j in jobs if j.status not in ("done", "failed")}
    finished = [j for j in jobs if j.status in ("done", "failed")]
    paths = sorted({j.stored_path for j in finished} - running)
    for job in finished:
        job.stored_path = ""
    if paths:
        on_commit(session, _delete_files, paths)


def _delete_files(paths: list[str]) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)
