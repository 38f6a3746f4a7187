"""What intake leaves until after its answer: the people of new cases matched to the registry,
a life at risk escalated. One job a commit, and a sweep for what a dead process left."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, read_scope, utcnow
from kieubao.platform.jobs import enqueue
from kieubao.protection.actions.working import escalate
from kieubao.protection.models import (
    OPEN,
    Case,
    CaseSubject,
    Severity,
)
from kieubao.registry import matching

SETTLE_CHUNK = 10


def settle(session: Session, *, acting_user: Actor, case_ids: list[int]) -> None:
    """What intake leaves until after its answer, for the cases it opened: their people
    matched to the registry, and a life at risk escalated to the mission and HQ. Run again,
    it finds nothing left to do.

    The matching only reads, and is done first, apart: done in the write, it would hold the
    database's write lock (and the audit chain's head) while intake waits for them."""
    with read_scope() as reading:
        found = _registry_matches(reading, case_ids)
    # A few cases a transaction: intake's writer waits for the lock while each lasts.
    for start in range(0, len(case_ids), SETTLE_CHUNK):
        cases = session.scalars(
            select(Case)
            .where(Case.id.in_(case_ids[start : start + SETTLE_CHUNK]))
            .options(selectinload(Case.subjects))
        )
        for case in cases:
            for subject in case.subjects:
                if subject.citizen_id is None and subject.id in found:
                    subject.citizen_id = found[subject.id]
            if (
                case.severity is Severity.life_at_risk
                and case.escalated_at is None
                and case.status in OPEN
            ):
                escalate(session, acting_user=acting_user, case=case, step=None)
        commit(session)


def _registry_matches(session: Session, case_ids: list[int]) -> dict[int, int]:
    """The registry's citizen for each person of the cases not linked to one yet, by id."""
    people = session.execute(
        select(CaseSubject.id, CaseSubject.full_name, CaseSubject.date_of_birth, Case.country)
        .join(Case)
        .where(Case.id.in_(case_ids), CaseSubject.citizen_id.is_(None))
    )
    found: dict[int, int] = {}
    for subject_id, name, born, country in people:
        best = matching.match(session, name=name, date_of_birth=born, country=country).best
        if best is not None:
            found[subject_id] = best.id
    return found


# Longer than the sweep's period: a case opened just before a crash is swept at least once.
SETTLE_SWEEP = timedelta(minutes=15)


def settle_missed(session: Session, *, acting_user: Actor, now: datetime | None = None) -> int:
    """Settle what a process that died between its commit and its job may have left: the
    cases of the last minutes, and any life at risk not yet escalated, however old."""
    since = (now or utcnow()) - SETTLE_SWEEP
    with read_scope() as reading:
        case_ids = list(
            reading.scalars(
                select(Case.id).where(
                    (Case.created_at >= since)
                    | (
                        (Case.severity == Severity.life_at_risk)
                        & Case.escalated_at.is_(None)
                        & Case.status.in_(OPEN)
                    )
                )
            )
        )
    if case_ids:
        settle(session, acting_user=acting_user, case_ids=case_ids)
    return len(case_ids)


def settle_later(case_ids: list[int]) -> None:
    # Imported here, not at the top: the job module imports the actions.
    from kieubao.protection.jobs import settle_cases

    enqueue(settle_cases, case_ids=case_ids)
