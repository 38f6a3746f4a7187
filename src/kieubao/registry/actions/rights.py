"""The data subject's rights: a copy of their data, and erasure once an officer approves."""

from typing import Any

from sqlalchemy.orm import Session

from kieubao.platform import access, audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Conflict
from kieubao.registry.actions.duplicates import drop_keys
from kieubao.registry.actions.registration import state
from kieubao.registry.models import PERSONAL_FIELDS, Citizen, ErasureRequest, RecordStatus, Sex
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


def request_erasure(
    session: Session, *, acting_user: Actor, citizen: Citizen, reason: str = ""
) -> ErasureRequest:
    pending = [r for r in _requests(session, citizen) if r.status == "pending"]
    if pending:
        return pending[0]
    request = ErasureRequest(citizen_id=citizen.id, reason=reason[:1000], requested_at=utcnow())
    session.add(request)
    session.flush()
    audit.record(session, acting_user, "erasure.requested", "citizen", citizen.id)
    commit(session)
    return request


def approve_erasure(
    session: Session, *, acting_user: Actor, request: ErasureRequest, approve: bool = True
) -> None:
    """Approved: personal fields are wiped; the audit keeps only digests of what was there."""
    if request.status != "pending":
        raise Conflict(f"this request is already {request.status}")
    request.status = "approved" if approve else "refused"
    request.decided_by_id = acting_user.id
    request.decided_at = utcnow()
    citizen = session.get(Citizen, request.citizen_id)
    if approve and citizen is not None:
        before = state(citizen)
        erase(citizen)
        drop_keys(session, citizen)
        audit.record(
            session,
            acting_user,
            "citizen.erased",
            "citizen",
            citizen.id,
            before=before,
            after=state(citizen),
        )
    else:
        audit.record(session, acting_user, "erasure.refused", "citizen", request.citizen_id)
    commit(session)


def erase(citizen: Citizen) -> None:
    citizen.full_name = ERASED_NAME
    citizen.name_folded = ""
    for field in PERSONAL_FIELDS:
        setattr(citizen, field, None)
    citizen.sex = Sex.unknown
    citizen.phones = []
    citizen.status = RecordStatus.erased


def _requests(session: Session, citizen: Citizen) -> list[ErasureRequest]:
    from sqlalchemy import select

    return list(
        session.scalars(select(ErasureRequest).where(ErasureRequest.citizen_id == citizen.id))
    )
