"""Crisis self-registration: people not yet on the roster put themselves (and family) on it.

A submission is written as it came and answered at once; matching it to the registry and
placing it on the roster is a job's work, in batches. So a surge of thousands is taken in
as fast as rows can be written, and none is lost if the matching falls behind or fails.
"""

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kieubao.crisis.actions.people import find_or_register
from kieubao.crisis.actions.roster import note_status, put_on_roster, require_open
from kieubao.crisis.models import Crisis, RosterEntry, SelfReport
from kieubao.crisis.schemas import SelfReportIn
from kieubao.platform import audit
from kieubao.platform.db import commit, on_commit, utcnow
from kieubao.platform.jobs import enqueue
from kieubao.platform.missions import directory
from kieubao.platform.missions_data import MissionDirectory
from kieubao.registry.models import Citizen, Purpose
from kieubao.registry.schemas import CitizenIn

# Submissions placed per transaction: few, so that intake never waits long for the writer.
BATCH = 10
SELF_REGISTRATION = audit.System("crisis self-registration")


def receive_self_report(session: Session, *, crisis: Crisis, data: SelfReportIn) -> SelfReport:
    """Keep the submission (durably: the answer comes after the commit) and ask for it to be
    placed. The audit entry is the placing's: this write holds nothing but what was sent."""
    require_open(crisis)
    # In a surge the job asked for by the first waiting submission places the later ones
    # too; the minute's sweep catches one that came as that job was finishing.
    first_waiting = not session.scalar(select(waiting(crisis.id).exists()))
    report = SelfReport(
        crisis_id=crisis.id, received_at=utcnow(), payload=data.model_dump(mode="json")
    )
    session.add(report)
    session.flush()
    if first_waiting:
        from kieubao.crisis.jobs import place_self_reports  # jobs import actions, not back

        on_commit(session, enqueue, place_self_reports, crisis_id=crisis.id)
    commit(session)
    return report


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
                data.status,
                "citizen_reply" if sender else "relative",
                data.needs,
                not sender,
                data.note,
            )
        # The people are in the registry now; the copy in the submission is not kept.
        report.payload = {"people": len(people)}
        report.citizen_ids = [c.id for c in people]
        report.processed_at = utcnow()
    commit(session)
    return len(reports)


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
