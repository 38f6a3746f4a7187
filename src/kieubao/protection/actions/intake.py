"""Intake: every channel opens a case here, or adds its report to the case it repeats."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kieubao.platform import audit, writer
from kieubao.platform.audit import Actor
from kieubao.platform.db import utcnow
from kieubao.platform.errors import Invalid
from kieubao.platform.i18n import gettext as _
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


@dataclass(frozen=True)
class Intake:
    case: Case
    pin: str
    appended: bool


def active_types(session: Session) -> list[CaseType]:
    return list(session.scalars(select(CaseType).where(CaseType.active).order_by(CaseType.id)))


def next_number(session: Session, year: int) -> str:
    """BH-YYYY-NNNNNN, gap-free within the year: the counter row is locked by the update."""
    connection = session.connection()
    for _attempt in range(2):
        last = connection.execute(
            update(CaseCounter)
            .where(CaseCounter.year == year)
            .values(last=CaseCounter.last + 1)
            .returning(CaseCounter.last)
        ).scalar()
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

    What only reads (triage, the registry match, the PIN's digest) is done here; the write is
    the group writer's, so the answer comes once the case is on disk.
    """
    writer.reading(session)
    where = {"location": location} if location else {}
    draft, pin = _prepare(session, acting_user, report, channel, severity, where, True, mission)
    case, appended = writer.write(session, draft.write)
    return Intake(case, pin, appended=appended)


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
    draft, pin = _prepare(session, acting_user, report, channel, severity, opened_data, deduplicate)
    case, appended = draft.write(session)
    return Intake(case, pin, appended=appended)


def _prepare(
    session: Session,
    acting_user: Actor,
    report: CaseIn,
    channel: Channel,
    severity: Severity | None,
    opened_data: dict[str, Any] | None,
    deduplicate: bool,
    mission: Mission | None = None,
) -> tuple["_Draft", str]:
    types = active_types(session)
    guess = triage.guess(f"{report.description} {' '.join(report.details.values())}", types)
    code = report.case_type or guess.case_type
    case_type = next((t for t in types if t.code == code), None)
    if report.case_type and case_type is None:
        raise Invalid("case_type", _("unknown case type '{code}'").format(code=report.case_type))
    if case_type is None:
        # Nothing in the words says what happened: the officer will type it at triage.
        case_type = next(t for t in types if t.code == "missing_contact")
    _check_fields(case_type, report.details)
    pin = new_pin()
    mission_code = mission.code if mission else mission_for(report.country, report.city)
    draft = _Draft(
        acting_user=acting_user,
        report=report,
        channel=channel,
        severity=severity or guess.severity,
        case_type_id=case_type.id,
        name_key=fold(report.subject.full_name),
        pin_hash=hash_pin(pin),
        mission_id=_mission_id(session, mission, mission_code),
        citizen_id=_citizen_id(session, report),
        triage={
            "case_type": guess.case_type,
            "severity": str(guess.severity),
            "mission": mission_code,
            "keywords": list(guess.keywords),
        },
        opened_data=opened_data or {},
        deduplicate=deduplicate,
    )
    return draft, pin


@dataclass(frozen=True)
class _Draft:
    acting_user: Actor
    report: CaseIn
    channel: Channel
    severity: Severity
    case_type_id: int
    name_key: str
    pin_hash: str
    mission_id: int | None
    citizen_id: int | None
    triage: dict[str, Any]
    opened_data: dict[str, Any]
    deduplicate: bool

    def write(self, session: Session) -> tuple[Case, bool]:
        """Add to the case it repeats or open a new one. Run by one writer at a time, so
        two copies of a report sent together still make one case."""
        case_type = session.get_one(CaseType, self.case_type_id)
        now = utcnow()
        existing = (
            _same_case(session, case_type, self.report, self.name_key, now)
            if self.deduplicate
            else None
        )
        if existing is not None:
            return self._add_to(session, existing), True
        case = session.get_one(Case, self._open(session, case_type, now))
        if case.severity is Severity.life_at_risk:
            escalate(session, acting_user=self.acting_user, case=case, step=None)
        return _loaded(case), False

    def _open(self, session: Session, case_type: CaseType, now: datetime) -> int:
        """The case's rows, written as plain inserts: the unit of work's bookkeeping for a
        handful of new objects costs more than the writes themselves, and the writer does
        it for every case of every batch. Returns the case's id."""
        report, connection = self.report, session.connection()
        number = next_number(session, now.year)
        case_id: int = connection.execute(
            insert(Case)
            .values(
                number=number,
                case_type_id=case_type.id,
                status=Status.new,
                severity=self.severity,
                country=report.country,
                city=report.city,
                mission_id=self.mission_id,
                channel=self.channel,
                description=report.description,
                details=dict(report.details),
                triage=self.triage,
                created_by_id=self.acting_user.id,
                created_at=now,
                updated_at=now,
            )
            .returning(Case.id)
        ).scalar_one()
        connection.execute(insert(CaseReporter), [{"case_id": case_id, **self._reporter(now)}])
        connection.execute(
            insert(CaseSubject),
            [
                {
                    "case_id": case_id,
                    "full_name": nfc(report.subject.full_name),
                    "date_of_birth": report.subject.date_of_birth,
                    "name_key": self.name_key,
                    "citizen_id": self.citizen_id,
                }
            ],
        )
        if steps := _steps(case_type, case_id, now):
            connection.execute(insert(CaseStep), steps)
        connection.execute(
            insert(CaseEvent),
            [
                {
                    "case_id": case_id,
                    "at": now,
                    "kind": "opened",
                    "public": True,
                    "data": {"channel": str(self.channel), **self.opened_data},
                    "actor_id": self.acting_user.id,
                }
            ],
        )
        search.index_case(
            session,
            case_id,
            search.CaseText(
                number=number,
                mission_id=self.mission_id,
                subjects=[nfc(report.subject.full_name)],
                reporters=[(nfc(report.reporter.name), report.reporter.phone)],
                details=dict(report.details),
                description=report.description,
            ),
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
                "severity": str(self.severity),
            },
        )
        return case_id

    def _add_to(self, session: Session, case: Case) -> Case:
        reporter = CaseReporter(**self._reporter(utcnow()))
        case.reporters.append(reporter)
        case.events.append(
            CaseEvent(
                kind="report_added",
                text=self.report.description,
                data={"channel": str(self.channel), "reporter": reporter.name, **self.opened_data},
                actor_id=self.acting_user.id,
            )
        )
        search.reindex(session, case)
        audit.record(session, self.acting_user, "case.report_added", "case", case.number)
        return _loaded(case)

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
    """The case with what its answer shows loaded: it is read after its session closed."""
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
    candidates = session.scalars(
        select(Case)
        .join(CaseSubject)
        .where(
            Case.case_type_id == case_type.id,
            Case.country == report.country,
            Case.status.in_(OPEN),
            Case.created_at >= now - DEDUP_WINDOW,
            CaseSubject.name_key == name_key,
        )
        .order_by(Case.id)
    )
    born = report.subject.date_of_birth
    for case in candidates:
        dates = {s.date_of_birth for s in case.subjects if s.name_key == name_key}
        # Two different dates of birth are two people of the same name.
        if born is None or None in dates or born in dates:
            return case
    return None


def _mission_id(session: Session, mission: Mission | None, code: str | None) -> int | None:
    if mission is not None:
        return mission.id
    # The id alone: a whole mission comes with its jurisdictions, read for nothing here.
    return session.scalar(select(Mission.id).where(Mission.code == code)) if code else None


def _citizen_id(session: Session, report: CaseIn) -> int | None:
    found = matching.match(
        session,
        name=report.subject.full_name,
        date_of_birth=report.subject.date_of_birth,
        country=report.country,
    )
    return found.best.id if found.best else None


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
