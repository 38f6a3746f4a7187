"""What intake leaves until after its answer: new cases indexed for the search, their people
matched to the registry, a life at risk escalated (first, by an urgent job of its own). One
job a commit, and a sweep for what a dead process left."""

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, selectinload

from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, read_scope, utcnow
from kieubao.platform.jobs import enqueue, enqueue_urgent
from kieubao.protection import search
from kieubao.protection.actions.escalation import Escalation, escalate_all
from kieubao.protection.models import (
    OPEN,
    Case,
    CaseSubject,
    Severity,
)
from kieubao.registry import matching

# Cases a transaction: intake's writer waits for the lock while each lasts.
SETTLE_CHUNK = 100
_LINK = (
    update(CaseSubject)
    .where(CaseSubject.id == bindparam("subject_id"), CaseSubject.citizen_id.is_(None))
    .values(citizen_id=bindparam("citizen_id"))
)
_SETTLED = update(Case).where(Case.settled_at.is_(None)).values(settled_at=bindparam("now"))
_AT_RISK = select(Case.id).where(
    Case.severity == Severity.life_at_risk, Case.escalated_at.is_(None), Case.status.in_(OPEN)
)


def settle(session: Session, *, acting_user: Actor, case_ids: list[int]) -> None:
    """What intake leaves until after its answer, for the cases it opened: their words
    indexed for the search, their people matched to the registry, and a life at risk
    escalated to the mission and HQ. Run again, it finds nothing left to do: each case is
    marked settled.

    The matching only reads, and is done first, apart: done in the write, it would hold the
    database's write lock (and the audit chain's head) while intake waits for them."""
    with read_scope() as reading:
        found = _registry_matches(reading, case_ids)
    if found:
        links = [{"subject_id": s, "citizen_id": c} for s, c in found.items()]
        session.connection().execute(_LINK, links)
    for start in range(0, len(case_ids), SETTLE_CHUNK):
        chunk = case_ids[start : start + SETTLE_CHUNK]
        _index(session, chunk)
        _escalate_at_risk(session, acting_user, chunk)
        session.connection().execute(_SETTLED.where(Case.id.in_(chunk)), {"now": utcnow()})
        commit(session)


def escalate_new(session: Session, *, acting_user: Actor, case_ids: list[int]) -> int:
    """New cases of a life at risk escalated ahead of their settling: intake asks for it in
    an urgent job (:func:`escalate_later`), which a worker takes before the settling a surge
    has queued. Settling escalates what this has not (a job lost with its process)."""
    escalated = _escalate_at_risk(session, acting_user, case_ids)
    commit(session)
    return escalated


def _escalate_at_risk(session: Session, acting_user: Actor, case_ids: list[int]) -> int:
    at_risk = session.scalars(_AT_RISK.where(Case.id.in_(case_ids))).all()
    escalations = [Escalation(case_id) for case_id in at_risk]
    return escalate_all(session, acting_user=acting_user, escalations=escalations)


def _index(session: Session, case_ids: list[int]) -> None:
    """The search's rows of the unsettled cases: thirty words a case, the most of what intake
    wrote, and what a surge can wait seconds for. Each case is locked while it is read, so an
    officer's edit indexed meanwhile is not overwritten with the words before it."""
    cases = session.scalars(
        select(Case)
        .where(Case.id.in_(case_ids), Case.settled_at.is_(None))
        .options(selectinload(Case.subjects), selectinload(Case.reporters))
        .with_for_update(of=Case)
    ).all()
    if cases:
        search.index_cases(session, [(case.id, search.case_text(case)) for case in cases])


def _registry_matches(session: Session, case_ids: list[int]) -> dict[int, int]:
    """The registry's citizen for each person of the unsettled cases not linked to one yet,
    by id, all matched at once.

    Read by the cases' keys alone: in a fresh database's first surge, before the tables have
    statistics, a join of both conditions was planned as a loop over every unlinked person."""
    unsettled = select(Case.id, Case.country).where(
        Case.id.in_(case_ids), Case.settled_at.is_(None)
    )
    countries = {case_id: country for case_id, country in session.execute(unsettled)}
    people = session.execute(
        select(
            CaseSubject.id,
            CaseSubject.case_id,
            CaseSubject.full_name,
            CaseSubject.date_of_birth,
            CaseSubject.citizen_id,
        ).where(CaseSubject.case_id.in_(countries))
    )
    unlinked = [row for row in people if row.citizen_id is None]
    wanted = [
        matching.Wanted(row.full_name, row.date_of_birth, countries[row.case_id])
        for row in unlinked
    ]
    return {
        row.id: result.best.id
        for row, result in zip(unlinked, matching.match_many(session, wanted), strict=True)
        if result.best is not None
    }


# Left to the case's own job this long: the sweep finds what no job will settle.
SETTLE_GRACE = timedelta(minutes=1)


def settle_missed(session: Session, *, acting_user: Actor, now: datetime | None = None) -> int:
    """Settle the cases a process that died between its commit and its job left unsettled,
    however old."""
    before = (now or utcnow()) - SETTLE_GRACE
    with read_scope() as reading:
        case_ids = list(
            reading.scalars(
                select(Case.id)
                .where(Case.settled_at.is_(None), Case.created_at < before)
                .order_by(Case.id)
            )
        )
    if case_ids:
        settle(session, acting_user=acting_user, case_ids=case_ids)
    return len(case_ids)


def settle_later(case_ids: list[int]) -> None:
    # Imported here, not at the top: the job module imports the actions.
    from kieubao.protection.jobs import settle_cases

    enqueue(settle_cases, case_ids=case_ids)


def escalate_later(case_ids: list[int]) -> None:
    from kieubao.protection.jobs import escalate_cases

    enqueue_urgent(escalate_cases, case_ids=case_ids)
