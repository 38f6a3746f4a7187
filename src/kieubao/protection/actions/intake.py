"""Intake: every channel opens a case here, or adds its report to the case it repeats."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from kieubao.platform import audit, writer
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, on_commit_together, utcnow
from kieubao.platform.errors import Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.platform.jobs import enqueue
from kieubao.platform.missions_data import mission_for
from kieubao.platform.models import Mission
from kieubao.platform.security import hash_pin
from kieubao.platform.text import fold, nfc
from kieubao.protection import procedure, search, triage
from kieubao.protection.actions.working import escalate
from kieubao.protection.models import (
    OPEN,
    Case,
    CaseCounter,
    CaseEvent,
    CaseReporter,
    CaseStep,
    CaseSubject,
    CaseType,
    Channel,
    DeadlineUnit,
    Severity,
    Status,
)
from kieubao.protection.schemas import CaseIn
from kieubao.registry import matching

# A second report of the same person, type and country within this window is the same case.
DEDUP_WINDOW = timedelta(days=7)

T = TypeVar("T")


@dataclass(frozen=True)
class Intake:
    case: Case
    pin: str
    appended: bool


@dataclass(frozen=True)
class Taken:
    """What the group writer answers for a report: the case it opened, or the one it joined."""

    case_id: int
    number: str
    appended: bool


def active_types(session: Session) -> list[CaseType]:
    return _per_transaction(
        session,
        "case_types",
        lambda: list(
            session.scalars(select(CaseType).where(CaseType.active).order_by(CaseType.id))
        ),
    )


# The statements of every intake, built once: the group writer runs them for every case of
# every batch, and building a statement costs more than running it.
_ADVANCE = (
    update(CaseCounter)
    .where(CaseCounter.year == bindparam("this_year"))
    .values(last=CaseCounter.last + 1)
    .returning(CaseCounter.last)
)
_INSERT_CASE = insert(Case).returning(Case.id)
_INSERT_REPORTER = insert(CaseReporter)
_INSERT_SUBJECT = insert(CaseSubject)
_INSERT_STEPS = insert(CaseStep)
_INSERT_EVENT = insert(CaseEvent)
_SAME_PERSON = (
    select(Case.id, CaseSubject.date_of_birth)
    .join(CaseSubject)
    .where(
        Case.case_type_id == bindparam("case_type_id"),
        Case.country == bindparam("country"),
        Case.status.in_(OPEN),
        Case.created_at >= bindparam("since"),
        CaseSubject.name_key == bindparam("name_key"),
    )
    .order_by(Case.id)
)


def next_number(session: Session, year: int) -> str:
    """BH-YYYY-NNNNNN, gap-free within the year: the counter row is locked by the update."""
    connection = session.connection()
    for _attempt in range(2):
        last = connection.execute(_ADVANCE, {"this_year": year}).scalar()
        if last is not None:
            return f"BH-{year}-{last:06d}"
        try:
            with session.begin_nested():
                connection.execute(insert(CaseCounter).values(year=year, last=1))
            return f"BH-{year}-{1:06d}"
        except IntegrityError:
            continue  # another intake started the year first
    raise RuntimeError("case counter could not be advanced")


def new_pin() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def open_case(
    session: Session,
    *,
    acting_user: Actor,
    report: CaseIn,
    channel: Channel,
    severity: Severity | None = None,
    mission: Mission | None = None,
    location: dict[str, float] | None = None,
) -> Intake:
    """A report becomes a case: triaged, routed to the mission, its procedure's deadlines set.

    A report of the same subject, type and country as an open case of the last days is
    added to that case instead; its reporter gets a PIN of their own for it. ``mission``
    overrides the routing by place; ``location`` (a shared position) stays with the report.

    The intake is the group writer's, so the answer comes once the case is on disk; the case
    is then read back, for the page that shows it. What need not delay the answer (the match
    to the registry, a life-at-risk escalation) follows in a job: see :func:`settle`.
    """
    pin = new_pin()
    where = {"location": location} if location else None
    draft = _Draft(acting_user, report, channel, severity, hash_pin(pin), mission, where)
    taken = writer.write(session, draft.take)
    return Intake(_loaded(session.get_one(Case, taken.case_id)), pin, taken.appended)


async def receive_report(
    *, acting_user: Actor, report: CaseIn, channel: Channel
) -> tuple[Taken, str]:
    """:func:`open_case` for a handler on the event loop whose answer is the case number and
    the PIN: no session and no thread of its own, and nothing read back."""
    pin = new_pin()
    draft = _Draft(acting_user, report, channel, None, hash_pin(pin))
    return await writer.write_awaited(draft.take), pin


def admit(
    session: Session,
    *,
    acting_user: Actor,
    report: CaseIn,
    channel: Channel,
    severity: Severity | None = None,
    opened_data: dict[str, Any] | None = None,
    deduplicate: bool = True,
) -> Intake:
    """:func:`open_case` without the commit, for intake that keeps more in the same
    transaction (a message's files); ``opened_data`` is added to the event that records it.
    ``deduplicate=False`` when the subject's name is not known: strangers are not one case."""
    pin = new_pin()
    draft = _Draft(
        acting_user, report, channel, severity, hash_pin(pin), None, opened_data, deduplicate
    )
    taken = draft.take(session)
    return Intake(session.get_one(Case, taken.case_id), pin, taken.appended)


def settle(session: Session, *, acting_user: Actor, case_ids: list[int]) -> None:
    """What intake leaves until after its answer, for the cases it opened: their people
    matched to the registry, and a life at risk escalated to the mission and HQ. Run again,
    it finds nothing left to do."""
    cases = session.scalars(
        select(Case).where(Case.id.in_(case_ids)).options(selectinload(Case.subjects))
    )
    for case in cases:
        for subject in case.subjects:
            if subject.citizen_id is None:
                found = matching.match(
                    session,
                    name=subject.full_name,
                    date_of_birth=subject.date_of_birth,
                    country=case.country,
                )
                subject.citizen_id = found.best.id if found.best else None
        if (
            case.severity is Severity.life_at_risk
            and case.escalated_at is None
            and case.status in OPEN
        ):
            escalate(session, acting_user=acting_user, case=case, step=None)
    commit(session)


def _settle_later(case_ids: list[int]) -> None:
    # Imported here, not at the top: the job module imports the actions.
    from kieubao.protection.jobs import settle_cases

    enqueue(settle_cases, case_ids=case_ids)


@dataclass(frozen=True)
class _Draft:
    acting_user: Actor
    report: CaseIn
    channel: Channel
    severity: Severity | None
    pin_hash: str
    mission: Mission | None = None
    opened_data: dict[str, Any] | None = None
    deduplicate: bool = True

    def take(self, session: Session) -> Taken:
        """Triage, route, and add to the case it repeats or open a new one. Run by one writer
        at a time, so two copies of a report sent together still make one case."""
        report = self.report
        types = active_types(session)
        guess = triage.guess(f"{report.description} {' '.join(report.details.values())}", types)
        code = report.case_type or guess.case_type
        case_type = next((t for t in types if t.code == code), None)
        if report.case_type and case_type is None:
            raise Invalid(
                "case_type", _("unknown case type '{code}'").format(code=report.case_type)
            )
        if case_type is None:
            # Nothing in the words says what happened: the officer will type it at triage.
            case_type = next(t for t in types if t.code == "missing_contact")
        _check_fields(case_type, report.details)
        name_key = fold(report.subject.full_name)
        now = utcnow()
        existing = (
            _same_case(session, case_type, report, name_key, now) if self.deduplicate else None
        )
        if existing is not None:
            return self._add_to(session, existing)
        mission_code = (
            self.mission.code if self.mission else mission_for(report.country, report.city)
        )
        triaged = {
            "case_type": guess.case_type,
            "severity": str(guess.severity),
            "mission": mission_code,
            "keywords": list(guess.keywords),
        }
        severity = self.severity or guess.severity
        mission_id = self.mission.id if self.mission else _mission_id(session, mission_code)
        case_id, number = self._open(
            session,
            case_type,
            now,
            severity=severity,
            mission_id=mission_id,
            name_key=name_key,
            triaged=triaged,
        )
        on_commit_together(session, _settle_later, case_id)
        return Taken(case_id, number, appended=False)

    def _open(
        self,
        session: Session,
        case_type: CaseType,
        now: datetime,
        *,
        severity: Severity,
        mission_id: int | None,
        name_key: str,
        triaged: dict[str, Any],
    ) -> tuple[int, str]:
        """The case's rows, written as plain inserts: the unit of work's bookkeeping for a
        handful of new objects costs more than the writes themselves, and the writer does
        it for every case of every batch. Returns the case's id and number."""
        report, connection = self.report, session.connection()
        number = next_number(session, now.year)
        case_id: int = connection.execute(
            _INSERT_CASE,
            {
                "number": number,
                "case_type_id": case_type.id,
                "status": Status.new,
                "severity": severity,
                "country": report.country,
                "city": report.city,
                "mission_id": mission_id,
                "channel": self.channel,
                "description": report.description,
                "details": dict(report.details),
                "triage": triaged,
                "created_by_id": self.acting_user.id,
                "created_at": now,
                "updated_at": now,
            },
        ).scalar_one()
        connection.execute(_INSERT_REPORTER, [{"case_id": case_id, **self._reporter(now)}])
        connection.execute(
            _INSERT_SUBJECT,
            [
                {
                    "case_id": case_id,
                    "full_name": nfc(report.subject.full_name),
                    "date_of_birth": report.subject.date_of_birth,
                    "name_key": name_key,
                }
            ],
        )
        if steps := _steps(case_type, case_id, now):
            connection.execute(_INSERT_STEPS, steps)
        connection.execute(
            _INSERT_EVENT,
            [
                {
                    "case_id": case_id,
                    "at": now,
                    "kind": "opened",
                    "public": True,
                    "data": {"channel": str(self.channel), **(self.opened_data or {})},
                    "actor_id": self.acting_user.id,
                }
            ],
        )
        search.index_case(
            session,
            case_id,
            search.CaseText(
                number=number,
                mission_id=mission_id,
                subjects=[nfc(report.subject.full_name)],
                reporters=[(nfc(report.reporter.name), report.reporter.phone)],
                details=dict(report.details),
                description=report.description,
            ),
            new=True,
        )
        audit.record(
            session,
            self.acting_user,
            "case.opened",
            "case",
            number,
            after={
                "type": case_type.code,
                "country": report.country,
                "severity": str(severity),
            },
        )
        return case_id, number

    def _add_to(self, session: Session, case: Case) -> Taken:
        reporter = CaseReporter(**self._reporter(utcnow()))
        case.reporters.append(reporter)
        case.events.append(
            CaseEvent(
                kind="report_added",
                text=self.report.description,
                data={
                    "channel": str(self.channel),
                    "reporter": reporter.name,
                    **(self.opened_data or {}),
                },
                actor_id=self.acting_user.id,
            )
        )
        search.reindex(session, case)
        audit.record(session, self.acting_user, "case.report_added", "case", case.number)
        return Taken(case.id, case.number, appended=True)

    def _reporter(self, now: datetime) -> dict[str, Any]:
        reporter = self.report.reporter
        return {
            "name": nfc(reporter.name),
            "phone": reporter.phone,
            "email": str(reporter.email or ""),
            "relation": reporter.relation,
            "channel": self.channel,
            "pin_hash": self.pin_hash,
            "created_at": now,
        }


def _loaded(case: Case) -> Case:
    """The case with what its page shows loaded: it is read after its session closed."""
    _ = case.mission, case.case_type
    return case


def _check_fields(case_type: CaseType, details: dict[str, str]) -> None:
    known = {f["name"]: f for f in case_type.fields}
    for name in details:
        if name not in known:
            raise Invalid(f"details.{name}", _("not a field of this case type"))
    for name, field in known.items():
        if field.get("required") and not details.get(name, "").strip():
            raise Invalid(f"details.{name}", _("this field is required"))


def _same_case(
    session: Session, case_type: CaseType, report: CaseIn, name_key: str, now: datetime
) -> Case | None:
    rows = session.connection().execute(
        _SAME_PERSON,
        {
            "case_type_id": case_type.id,
            "country": report.country,
            "since": now - DEDUP_WINDOW,
            "name_key": name_key,
        },
    )
    dates: dict[int, set[str | None]] = {}
    for case_id, born in rows:
        dates.setdefault(case_id, set()).add(born)
    given = report.subject.date_of_birth
    for case_id, known in dates.items():
        # Two different dates of birth are two people of the same name.
        if given is None or None in known or given in known:
            return session.get_one(Case, case_id)
    return None


def _mission_id(session: Session, code: str | None) -> int | None:
    # The ids alone: a whole mission comes with its jurisdictions, read for nothing here.
    ids = _per_transaction(
        session,
        "mission_ids",
        lambda: {code: id_ for code, id_ in session.execute(select(Mission.code, Mission.id))},
    )
    return ids.get(code) if code else None


def _per_transaction(session: Session, key: str, load: Callable[[], T]) -> T:
    """What stays true for a transaction, read once in it: a group writer's batch of a
    hundred reports reads the case types once, not a hundred times."""
    held = session.info.get(key)
    if held is None or held[0] is not session.get_transaction():
        held = session.info[key] = (session.get_transaction(), load())
    return held[1]


def _steps(case_type: CaseType, case_id: int, start: datetime) -> list[dict[str, Any]]:
    return [
        {
            "case_id": case_id,
            "position": i,
            "code": step["code"],
            "name_vi": step["name_vi"],
            "name_en": step["name_en"],
            "due_at": procedure.due(start, int(step["amount"]), DeadlineUnit(step["unit"])),
        }
        for i, step in enumerate(case_type.procedure)
    ]
