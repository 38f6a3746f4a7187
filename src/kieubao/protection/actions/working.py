"""Working a case: triage, status, notes and messages, liaison, steps, assignment, escalation."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import audit, missions
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Conflict, Invalid, NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import OFFICER_ROLES, User
from kieubao.protection import search
from kieubao.protection.actions.escalation import escalate
from kieubao.protection.actions.files import IncomingFile, check_file, check_size, kept
from kieubao.protection.models import (
    TRANSITIONS,
    Case,
    CaseEvent,
    CaseStep,
    CaseType,
    Liaison,
    Severity,
    Status,
)
from kieubao.protection.schemas import LiaisonIn, TriageIn


def _event(
    case: Case, actor: Actor, kind: str, *, text: str = "", public: bool = False, **data: object
) -> CaseEvent:
    event = CaseEvent(kind=kind, text=text, public=public, data=data, actor_id=actor.id)
    case.events.append(event)
    return event


def _checked(files: Sequence[IncomingFile]) -> list[IncomingFile]:
    checked = [check_file(f) for f in files]
    check_size(checked)
    return checked


def _move(case: Case, actor: Actor, to: Status, now: datetime) -> None:
    if to not in TRANSITIONS[case.status]:
        raise Conflict(
            _("a case that is {current} cannot become {wanted}").format(
                current=case.status, wanted=to
            )
        )
    before = case.status
    case.status = to
    if to is Status.closed:
        case.closed_at = now
    _event(case, actor, "status", public=True, before=str(before), after=str(to))


def confirm_triage(session: Session, *, acting_user: User, case: Case, decision: TriageIn) -> Case:
    """The officer's one click: the guess stands, or is corrected; corrections are kept
    beside the guess so the keyword rules can be improved from them."""
    if case.status is not Status.new:
        raise Conflict(_("this case has already been triaged"))
    corrections: dict[str, object] = {}
    if decision.case_type and decision.case_type != case.case_type.code:
        case_type = session.scalar(select(CaseType).where(CaseType.code == decision.case_type))
        if case_type is None:
            raise Invalid(
                "case_type", _("unknown case type '{code}'").format(code=decision.case_type)
            )
        corrections["case_type"] = {"from": case.case_type.code, "to": case_type.code}
        case.case_type = case_type
    if decision.severity and decision.severity is not case.severity:
        corrections["severity"] = {"from": str(case.severity), "to": str(decision.severity)}
        case.severity = decision.severity
    current = case.mission.code if case.mission else None
    if decision.mission and decision.mission != current:
        mission = missions.by_code(session, decision.mission)
        if mission is None:
            raise Invalid("mission", _("unknown mission '{code}'").format(code=decision.mission))
        corrections["mission"] = {"from": current, "to": mission.code}
        case.mission = mission
        search.rehome(session, case)
    case.triage = {**case.triage, "confirmed_by": acting_user.id, "corrections": corrections}
    now = utcnow()
    case.triaged_at = now
    _move(case, acting_user, Status.triaged, now)
    _event(case, acting_user, "triaged", corrections=corrections)
    audit.record(
        session,
        acting_user,
        "case.triaged",
        "case",
        case.number,
        after={"corrections": corrections},
    )
    if case.severity is Severity.life_at_risk and case.escalated_at is None:
        escalate(session, acting_user=acting_user, case=case)
    commit(session)
    return case


def set_status(
    session: Session, *, acting_user: User, case: Case, status: Status, note: str = ""
) -> Case:
    now = utcnow()
    _move(case, acting_user, status, now)
    if note:
        _event(case, acting_user, "note", text=note)
    audit.record(
        session, acting_user, "case.status", "case", case.number, after={"status": str(status)}
    )
    commit(session)
    return case


def add_note(
    session: Session,
    *,
    acting_user: User,
    case: Case,
    text: str,
    public: bool,
    files: Sequence[IncomingFile] = (),
) -> Case:
    """An internal note, or (``public``) a message the reporter reads on the tracking page,
    with the files it carries: the reporter sees a message's files, never a note's."""
    checked = _checked(files)
    event = _event(case, acting_user, "message" if public else "note", text=text, public=public)
    session.flush()
    with kept(session, case, event, checked):
        audit.record(
            session,
            acting_user,
            "case.message" if public else "case.note",
            "case",
            case.number,
            after={"files": len(checked)} if checked else None,
        )
        commit(session)
    return case


def log_liaison(
    session: Session,
    *,
    acting_user: User,
    case: Case,
    entry: LiaisonIn,
    files: Sequence[IncomingFile] = (),
) -> Liaison:
    """Contact with the host authorities, with its papers (the scan of a note verbale)."""
    checked = _checked(files)
    liaison = Liaison(
        kind=entry.kind,
        authority=entry.authority,
        on=entry.on,
        reference=entry.reference,
        summary=entry.summary,
        created_by_id=acting_user.id,
    )
    case.liaisons.append(liaison)
    event = _event(
        case,
        acting_user,
        "liaison",
        liaison_kind=str(entry.kind),
        authority=entry.authority,
        reference=entry.reference,
    )
    if case.status is Status.triaged:
        _move(case, acting_user, Status.in_progress, utcnow())
    session.flush()
    with kept(session, case, event, checked):
        audit.record(
            session,
            acting_user,
            "case.liaison",
            "case",
            case.number,
            after={"kind": str(entry.kind), "reference": entry.reference, "files": len(checked)},
        )
        commit(session)
    return liaison


def complete_step(session: Session, *, acting_user: User, case: Case, code: str) -> CaseStep:
    step = next((s for s in case.steps if s.code == code), None)
    if step is None:
        raise NotFound(_("step '{code}'").format(code=code))
    if step.done_at is not None:
        return step  # twice the same click changes nothing
    step.done_at = utcnow()
    step.done_by_id = acting_user.id
    _event(case, acting_user, "step_done", step=code, late=step.due_at < step.done_at)
    audit.record(session, acting_user, "case.step_done", "case", case.number, after={"step": code})
    commit(session)
    return step


def assign(session: Session, *, acting_user: User, case: Case, officer: User) -> Case:
    if officer.role not in OFFICER_ROLES or (
        officer.mission_id is not None and officer.mission_id != case.mission_id
    ):
        raise Invalid("officer_email", _("this officer does not work on this mission's cases"))
    case.assignee_id = officer.id
    _event(case, acting_user, "assigned", officer=officer.email)
    audit.record(
        session, acting_user, "case.assigned", "case", case.number, after={"assignee": officer.id}
    )
    commit(session)
    return case
