"""An erased citizen in the protection cases. A case file is kept by law (the consular
record of what the State did for its citizen), so the case stays and the person in it is
pseudonymised: their name, birth date, contacts and link to the registry go, and their name
is blanked wherever the case's texts repeat it."""

from collections.abc import Collection
from typing import Any

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.protection import search
from kieubao.protection.models import Case, CaseEvent, CaseReporter, CaseSubject, Liaison

PSEUDONYM = "—"


def pseudonymise_person(
    session: Session,
    *,
    acting_user: Actor,
    citizen_id: int,
    name: str,
    addresses: Collection[str],
) -> list[str]:
    """The numbers of the cases touched. The caller commits (one erasure, one transaction)."""
    subjects = list(
        session.scalars(select(CaseSubject).where(CaseSubject.citizen_id == citizen_id))
    )
    known = [a for a in addresses if a]
    reporters = (
        list(
            session.scalars(
                select(CaseReporter).where(
                    or_(CaseReporter.email.in_(known), CaseReporter.phone.in_(known))
                )
            )
        )
        if known
        else []
    )
    for subject in subjects:
        subject.full_name = PSEUDONYM
        subject.date_of_birth = None
        subject.name_key = ""
        subject.citizen_id = None
    for reporter in reporters:
        reporter.name = PSEUDONYM
        reporter.phone = ""
        reporter.email = ""
        reporter.relation = ""
    # Messages the person sent about any case name them as their sender.
    written = [
        case_id
        for address in known
        if len(address) >= 3
        for case_id in session.scalars(
            select(CaseEvent.case_id).where(cast(CaseEvent.data, String).contains(address))
        )
    ]
    case_ids = sorted({s.case_id for s in subjects} | {r.case_id for r in reporters} | set(written))
    cases = list(session.scalars(select(Case).where(Case.id.in_(case_ids)).order_by(Case.id)))
    for case in cases:
        case.description = _blank(case.description, name, known)
        for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)):
            event.text = _blank(event.text, name, known)
            event.data = _blank_data(event.data, name, known)
        for liaison in session.scalars(select(Liaison).where(Liaison.case_id == case.id)):
            liaison.summary = _blank(liaison.summary, name, known)
        # The case's words are keyed digests, but a guess of the name would still find it.
        search.reindex(session, case)
        audit.record(session, acting_user, "case.person_pseudonymised", "case", case.number)
    return [c.number for c in cases]


def _blank_data(data: Any, name: str, addresses: Collection[str]) -> Any:
    if isinstance(data, str):
        return _blank(data, name, addresses)
    if isinstance(data, dict):
        return {k: _blank_data(v, name, addresses) for k, v in data.items()}
    if isinstance(data, list):
        return [_blank_data(v, name, addresses) for v in data]
    return data


def _blank(text: str, name: str, addresses: Collection[str]) -> str:
    for value in (name, *addresses):
        if len(value) >= 3:
            text = text.replace(value, PSEUDONYM)
    return text
