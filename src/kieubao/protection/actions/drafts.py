"""Reports drafted for the group writer, and how it writes a batch of them as one."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import insert_values, next_ids, on_commit_together, utcnow
from kieubao.platform.errors import Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.platform.missions_data import mission_for
from kieubao.platform.models import Mission
from kieubao.platform.text import fold, nfc
from kieubao.protection import procedure, queries, search, triage
from kieubao.protection.actions.settling import escalate_later, settle_later
from kieubao.protection.models import (
    OPEN,
    Case,
    CaseCounter,
    CaseEvent,
    CaseReporter,
    CaseStep,
    CaseSubject,
    Channel,
    DeadlineUnit,
    Severity,
    Status,
)
from kieubao.protection.queries import TypeRules
from kieubao.protection.schemas import CaseIn

# A second report of the same person, type and country within this window is the same case.
DEDUP_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Taken:
    """What the group writer answers for a report: the case it opened, or the one it joined."""

    case_id: int
    number: str
    appended: bool


# The statements of every intake, built once: the group writer runs them for every batch, and
# building a statement costs more than running it.
_ADVANCE = (
    update(CaseCounter)
    .where(CaseCounter.year == bindparam("this_year"))
    .values(last=CaseCounter.last + bindparam("by"))
    .returning(CaseCounter.last)
)
_SAME_PEOPLE = (
    select(
        Case.id, Case.case_type_id, Case.country, CaseSubject.name_key, CaseSubject.date_of_birth
    )
    .join(CaseSubject)
    .where(
        Case.status.in_(OPEN),
        Case.created_at >= bindparam("since"),
        CaseSubject.name_key.in_(bindparam("name_keys", expanding=True)),
    )
    .order_by(Case.id)
)


def next_numbers(session: Session, year: int, count: int) -> list[str]:
    """``count`` numbers BH-YYYY-NNNNNN, gap-free within the year: the counter row is locked
    by the update until the commit."""
    connection = session.connection()
    for _attempt in range(2):
        last = connection.execute(_ADVANCE, {"this_year": year, "by": count}).scalar()
        if last is not None:
            break
        try:
            with session.begin_nested():
                connection.execute(insert(CaseCounter).values(year=year, last=count))
            last = count
            break
        except IntegrityError:
            continue  # another intake started the year first
    else:
        raise RuntimeError("case counter could not be advanced")
    return [f"BH-{year}-{n:06d}" for n in range(last - count + 1, last + 1)]


@dataclass(frozen=True)
class Draft:
    acting_user: Actor
    report: CaseIn
    channel: Channel
    severity: Severity | None
    pin_hash: str
    mission: Mission | None = None
    opened_data: dict[str, Any] | None = None
    deduplicate: bool = True

    def __call__(self, session: Session) -> Taken:
        return take_together(session, [self])[0]

    @staticmethod
    def together(session: Session, drafts: "list[Draft]") -> list[Taken]:
        """How the group writer takes the reports of a batch: see :func:`take_together`."""
        return take_together(session, drafts)

    def triaged(self, session: Session) -> "_Triaged":
        """The report's type (given, or guessed from its words), severity and mission."""
        report = self.report
        types = queries.active_types(session)
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
        if self.mission is None:
            mission_code = mission_for(report.country, report.city)
            mission_id = queries.mission_id(session, mission_code)
        else:
            mission_code, mission_id = self.mission.code, self.mission.id
        return _Triaged(
            draft=self,
            case_type=case_type,
            name_key=fold(report.subject.full_name),
            severity=self.severity or guess.severity,
            mission_id=mission_id,
            triage={
                "case_type": guess.case_type,
                "severity": str(guess.severity),
                "mission": mission_code,
                "keywords": list(guess.keywords),
            },
        )

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


def _check_fields(case_type: TypeRules, details: dict[str, str]) -> None:
    known = {f["name"]: f for f in case_type.fields}
    for name in details:
        if name not in known:
            raise Invalid(f"details.{name}", _("not a field of this case type"))
    for name, field in known.items():
        if field.get("required") and not details.get(name, "").strip():
            raise Invalid(f"details.{name}", _("this field is required"))


@dataclass(frozen=True)
class _Triaged:
    draft: Draft
    case_type: TypeRules
    name_key: str
    severity: Severity
    mission_id: int | None
    triage: dict[str, Any]

    @property
    def person(self) -> tuple[int, str, str]:
        """Who the report is about, as far as telling two reports of one case apart goes."""
        return self.case_type.id, self.draft.report.country, self.name_key


def take_together(session: Session, drafts: list[Draft]) -> list[Taken]:
    """Reports, each added to the case it repeats or opening one, written together: a batch
    of a hundred new cases costs about as many statements as one. A second report of a
    person already in the batch waits for the first to be written, and then joins its case;
    the writer runs one batch at a time, so two copies of a report sent together make one."""
    taken: list[Taken] = []
    group: list[_Triaged] = []
    people: set[tuple[int, str, str]] = set()
    for draft in drafts:
        report = draft.triaged(session)
        if report.person in people:
            taken += _take_group(session, group)
            group, people = [], set()
        group.append(report)
        people.add(report.person)
    return taken + _take_group(session, group)


def _take_group(session: Session, group: list[_Triaged]) -> list[Taken]:
    now = utcnow()
    repeated = _same_cases(session, [r for r in group if r.draft.deduplicate], now)
    opened = iter(_open_all(session, [r for r in group if r.person not in repeated], now))
    return [
        r.draft._add_to(session, session.get_one(Case, repeated[r.person]))
        if r.person in repeated
        else next(opened)
        for r in group
    ]


def _same_cases(
    session: Session, reports: list[_Triaged], now: datetime
) -> dict[tuple[int, str, str], int]:
    """The open case of the last days each report repeats, by the person it is about: the
    same type, country and folded name, and no other date of birth."""
    if not reports:
        return {}
    rows = session.connection().execute(
        _SAME_PEOPLE,
        {"since": now - DEDUP_WINDOW, "name_keys": sorted({r.name_key for r in reports})},
    )
    dates: dict[tuple[int, str, str], dict[int, set[str | None]]] = {}
    for case_id, case_type_id, country, name_key, born in rows:
        dates.setdefault((case_type_id, country, name_key), {}).setdefault(case_id, set()).add(born)
    found: dict[tuple[int, str, str], int] = {}
    for report in reports:
        given = report.draft.report.subject.date_of_birth
        for case_id, known in dates.get(report.person, {}).items():
            # Two different dates of birth are two people of the same name.
            if given is None or None in known or given in known:
                found[report.person] = case_id
                break
    return found


def _open_all(session: Session, reports: list[_Triaged], now: datetime) -> list[Taken]:
    """The new cases' rows, written as plain rows, one statement a table for all of them
    (:func:`~kieubao.platform.db.insert_values`): the unit of work's bookkeeping for a
    handful of new objects costs more than the writes themselves, and the writer does it for
    every batch."""
    if not reports:
        return []
    connection = session.connection()
    numbers = next_numbers(session, now.year, len(reports))
    ids = next_ids(connection, Case, len(reports))
    insert_values(
        connection,
        Case,
        [
            {
                "id": case_id,
                "number": number,
                "case_type_id": r.case_type.id,
                "status": Status.new,
                "severity": r.severity,
                "country": r.draft.report.country,
                "city": r.draft.report.city,
                "mission_id": r.mission_id,
                "channel": r.draft.channel,
                "description": r.draft.report.description,
                "details": dict(r.draft.report.details),
                "triage": r.triage,
                "created_by_id": r.draft.acting_user.id,
                "created_at": now,
                "updated_at": now,
            }
            for case_id, r, number in zip(ids, reports, numbers, strict=True)
        ],
    )
    opened = list(zip(ids, numbers, reports, strict=True))
    insert_values(
        connection, CaseReporter, [{"case_id": i, **r.draft._reporter(now)} for i, _n, r in opened]
    )
    insert_values(
        connection,
        CaseSubject,
        [
            {
                "case_id": i,
                "full_name": nfc(r.draft.report.subject.full_name),
                "date_of_birth": r.draft.report.subject.date_of_birth,
                "name_key": r.name_key,
            }
            for i, _n, r in opened
        ],
    )
    insert_values(
        connection, CaseStep, [step for i, _n, r in opened for step in _steps(r.case_type, i, now)]
    )
    insert_values(
        connection,
        CaseEvent,
        [
            {
                "case_id": i,
                "at": now,
                "kind": "opened",
                "public": True,
                "data": {"channel": str(r.draft.channel), **(r.draft.opened_data or {})},
                "actor_id": r.draft.acting_user.id,
            }
            for i, _n, r in opened
        ],
    )
    audit.record_many(
        session,
        [
            audit.Entry(
                r.draft.acting_user,
                "case.opened",
                "case",
                number,
                after={
                    "type": r.case_type.code,
                    "country": r.draft.report.country,
                    "severity": str(r.severity),
                },
            )
            for _i, number, r in opened
        ],
    )
    for case_id, _n, r in opened:
        if r.severity is Severity.life_at_risk:
            on_commit_together(session, escalate_later, case_id)
    for case_id in ids:
        on_commit_together(session, settle_later, case_id)
    return [Taken(i, number, appended=False) for i, number, _r in opened]


def _steps(case_type: TypeRules, case_id: int, start: datetime) -> list[dict[str, Any]]:
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
