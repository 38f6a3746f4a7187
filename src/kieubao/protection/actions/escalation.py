"""Escalation: the mission with jurisdiction and the HQ desk told, in the app and by email,
that a case needs them now: a life at risk, or a step past its deadline.

Escalations are written together, one statement a table however many there are: in a surge
every report may be a life at risk, and settling them must not hold the database's one
writer for long (SQLite), nor the CPU the intake's server needs."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow
from kieubao.protection.models import (
    OPEN,
    TRANSITIONS,
    Case,
    CaseEvent,
    CaseStep,
    Status,
)
from kieubao.protection.notices import Notice, notify

# The states a case may leave to become escalated.
_MAY_ESCALATE = frozenset(s for s, then in TRANSITIONS.items() if Status.escalated in then)
_CASES = select(Case.id, Case.number, Case.mission_id, Case.status, Case.escalated_at)
_OVERDUE = (
    select(CaseStep.id, CaseStep.case_id, CaseStep.code, CaseStep.name_vi, CaseStep.name_en)
    .join(Case)
    .where(CaseStep.done_at.is_(None), CaseStep.escalated_at.is_(None), Case.status.in_(OPEN))
    .order_by(CaseStep.due_at)
)


@dataclass(frozen=True)
class OverdueStep:
    id: int
    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class Escalation:
    """A case to escalate: for a step past its deadline, or (no step) for a life at risk."""

    case_id: int
    step: OverdueStep | None = None


def escalate_all(
    session: Session,
    *,
    acting_user: Actor,
    escalations: Sequence[Escalation],
    now: datetime | None = None,
) -> int:
    """Escalate each case once for a life at risk, and once for each overdue step; what
    was escalated already (by another run) is left. The caller commits. Returns how many."""
    if not escalations:
        return 0
    now = now or utcnow()
    connection = session.connection()
    ids = sorted({e.case_id for e in escalations})
    # Locked until the commit (PostgreSQL): two runs at once escalate a case once.
    cases = {
        row.id: row for row in connection.execute(_CASES.where(Case.id.in_(ids)).with_for_update())
    }
    due = [
        e
        for e in escalations
        if e.case_id in cases and (e.step is not None or cases[e.case_id].escalated_at is None)
    ]
    if steps := [e.step.id for e in due if e.step is not None]:
        done = set(
            connection.scalars(
                update(CaseStep)
                .where(CaseStep.id.in_(steps), CaseStep.escalated_at.is_(None))
                .values(escalated_at=now)
                .returning(CaseStep.id)
            )
        )
        due = [e for e in due if e.step is None or e.step.id in done]
    if not due:
        return 0
    escalated = sorted({e.case_id for e in due})
    moved = [i for i in escalated if cases[i].status in _MAY_ESCALATE]
    connection.execute(update(Case).where(Case.id.in_(escalated)).values(escalated_at=now))
    if moved:
        connection.execute(update(Case).where(Case.id.in_(moved)).values(status=Status.escalated))
    events: list[dict[str, Any]] = [
        _event(
            i,
            acting_user,
            now,
            "status",
            public=True,
            before=str(cases[i].status),
            after=str(Status.escalated),
        )
        for i in moved
    ]
    events += [
        _event(e.case_id, acting_user, now, "escalated", step=e.step.code if e.step else None)
        for e in due
    ]
    connection.execute(insert(CaseEvent), events)
    notify(session, [_notice(cases[e.case_id], e.step) for e in due])
    audit.record_many(
        session,
        [
            audit.Entry(
                acting_user,
                "case.escalated",
                "case",
                cases[e.case_id].number,
                after={"step": e.step.code if e.step else None},
            )
            for e in due
        ],
    )
    return len(due)


def _notice(case: Any, step: OverdueStep | None) -> Notice:
    names = (step.name_vi, step.name_en) if step else None
    return Notice(case.id, case.number, case.mission_id, names)


def _event(
    case_id: int, actor: Actor, now: datetime, kind: str, *, public: bool = False, **data: object
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "at": now,
        "kind": kind,
        "public": public,
        "text": "",
        "data": data,
        "actor_id": actor.id,
    }


def escalate(session: Session, *, acting_user: Actor, case: Case) -> None:
    """A case an officer has in hand escalated for a life at risk (its triage said so).
    The caller commits; the case is read again, as escalation left it."""
    session.flush()
    escalate_all(session, acting_user=acting_user, escalations=[Escalation(case.id)])
    session.refresh(case)


def escalate_overdue(session: Session, *, acting_user: Actor, now: datetime | None = None) -> int:
    """Escalate each open case's steps that passed their deadline, once per step."""
    now = now or utcnow()
    overdue = [
        Escalation(case_id, OverdueStep(step_id, code, name_vi, name_en))
        for step_id, case_id, code, name_vi, name_en in session.execute(
            _OVERDUE.where(CaseStep.due_at < now)
        )
    ]
    count = escalate_all(session, acting_user=acting_user, escalations=overdue, now=now)
    commit(session)
    return count
