"""Crisis self-registration: people not yet on the roster put themselves (and family) on it.

A submission is written as it came and answered at once; matching it to the registry and
placing it on the roster is a job's work, in batches. So a surge of thousands is taken in
as fast as rows can be written, and none is lost if the matching falls behind or fails.
"""

import hashlib
import json
from collections.abc import Callable

from sqlalchemy import Select, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kieubao.crisis.actions.people import find_or_register
from kieubao.crisis.actions.roster import note_status, put_on_roster, require_open
from kieubao.crisis.models import Crisis, RosterEntry, SelfReport
from kieubao.crisis.schemas import SelfReportIn
from kieubao.platform import audit, writer
from kieubao.platform.db import commit, on_commit, utcnow
from kieubao.platform.errors import NotFound
from kieubao.platform.jobs import enqueue
from kieubao.platform.missions import directory
from kieubao.platform.missions_data import MissionDirectory
from kieubao.registry.models import Citizen, Purpose
from kieubao.registry.schemas import CitizenIn

# Submissions placed per transaction: few, so that intake never waits long for the writer.
BATCH = 10
SELF_REGISTRATION = audit.System("crisis self-registration")


def receive_self_report(session: Session, *, crisis_id: int, data: SelfReportIn) -> int:
    """Keep the submission (durably: the answer comes after the commit) and ask for it to be
    placed; returns its number. The audit entry is the placing's: this write holds nothing but
    what was sent. The same submission sent again is the one kept, with its number."""
    return writer.write(session, keep_self_report(crisis_id, data))


async def receive_self_report_awaited(*, crisis_id: int, data: SelfReportIn) -> int:
    """:func:`receive_self_report` for a handler on the event loop (the public form)."""
    return await writer.write_awaited(keep_self_report(crisis_id, data))


def submission_key(data: SelfReportIn) -> str:
    """What makes two submissions the same one: everything that was sent."""
    sent = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(sent.encode()).hexdigest()


def keep_self_report(crisis_id: int, data: SelfReportIn) -> Callable[[Session], int]:
    """The write that keeps a submission, for a caller that adds its own to it."""
    payload, key = data.model_dump(mode="json"), submission_key(data)

    def keep(session: Session) -> int:
        # Within the group writer's batch the crisis is read once: the session keeps it.
        crisis = session.get(Crisis, crisis_id)
        if crisis is None:
            raise NotFound("crisis")
        require_open(crisis)
        # In a surge the job asked for by the first waiting submission places the later ones
        # too; the minute's sweep catches one that came as that job was finishing.
        first_waiting = not session.scalar(select(waiting(crisis_id).exists()))
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        report_id = session.scalar(
            dialect.insert(SelfReport)
            .values(crisis_id=crisis_id, idempotency_key=key, received_at=utcnow(), payload=payload)
            .on_conflict_do_nothing(index_elements=["crisis_id", "idempotency_key"])
            .returning(SelfReport.id)
        )
        if report_id is None:
            kept = select(SelfReport.id).where(
                SelfReport.crisis_id == crisis_id, SelfReport.idempotency_key == key
            )
            return int(session.scalars(kept).one())
        if first_waiting:
            from kieubao.crisis.jobs import place_self_reports  # jobs import actions, not back

            on_commit(session, enqueue, place_self_reports, crisis_id=crisis_id)
        return int(report_id)

    return keep


def waiting(crisis_id: int) -> Select[SelfReport]:
    return select(SelfReport).where(
        SelfReport.crisis_id == crisis_id, SelfReport.processed_at.is_(None)
    )


def place_pending(session: Session, *, crisis: Crisis) -> int:
    """Match the next batch of waiting submissions and put their people on the roster;
    returns how many submissions were placed (0: none waits)."""
    reports = list(session.scalars(waiting(crisis.id).order_by(SelfReport.id).limit(BATCH)))
    missions = directory(session)
    for report in reports:
        data = SelfReportIn.model_validate(report.payload)
        people = [_citizen(session, data, i, missions) for i in range(len(data.people))]
        put_on_roster(session, crisis, [c.id for c in people])
        # Without a status they said where they are, not how: they stay unaccounted.
        if data.status is not None:
            _note(session, crisis, people, data, data.status)
        # The people are in the registry now; the copy in the submission is not kept.
        report.payload = {"people": len(people)}
        report.citizen_ids = [c.id for c in people]
        report.processed_at = utcnow()
    commit(session)
    return len(reports)


def _note(
    session: Session, crisis: Crisis, people: list[Citizen], data: SelfReportIn, status: str
) -> None:
    entries = session.scalars(
        select(RosterEntry).where(
            RosterEntry.crisis_id == crisis.id,
            RosterEntry.citizen_id.in_([c.id for c in people]),
        )
    )
    for entry in entries:
        sender = entry.citizen_id == people[0].id
        note_status(
            session,
            SELF_REGISTRATION,
            entry,
            status,
            "citizen_reply" if sender else "relative",
            data.needs,
            not sender,
            data.note,
        )


def _citizen(
    session: Session, data: SelfReportIn, index: int, missions: MissionDirectory
) -> Citizen:
    person = data.people[index]
    sender = index == 0
    registration = CitizenIn(
        full_name=person.full_name,
        date_of_birth=person.date_of_birth,
        phones=[data.phone] if sender and data.phone else [],
        email=data.email if sender else None,
        country=data.country,
        city=data.city,
        consents={Purpose.crisis_alerts: True},
    )
    citizen, _new = find_or_register(
        session, SELF_REGISTRATION, registration, source="crisis", missions=missions
    )
    return citizen
