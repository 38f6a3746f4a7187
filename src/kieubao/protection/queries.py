"""Reading cases, always through the reader's scope: a mission sees its own cases, HQ all."""

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, func, select, true
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session, joinedload, load_only

from kieubao.platform import access, writer
from kieubao.platform.db import held_briefly, utcnow
from kieubao.platform.errors import Forbidden, NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import BreakGlassGrant, Mission, Role, User
from kieubao.platform.security import check_pin
from kieubao.protection.models import (
    OPEN,
    Case,
    CaseAttachment,
    CaseStep,
    CaseType,
    Severity,
    Status,
)


def jurisdiction(user: User) -> int | None:
    """The mission whose cases a user may read one by one, None for all of them (HQ);
    partner agencies read counts only."""
    if user.role in (Role.admin, Role.hq_officer):
        return None
    if user.role is Role.mission_officer and user.mission_id is not None:
        return user.mission_id
    raise Forbidden(_("your role sees case counts only"))


def visible(user: User) -> ColumnElement[bool]:
    """The cases a user may read one by one."""
    mission = jurisdiction(user)
    return true() if mission is None else Case.mission_id == mission


def get_case(session: Session, user: User, *, number: str) -> Case:
    # A case of another mission is "not found", so its number is no oracle.
    case = session.scalar(select(Case).where(Case.number == number, visible(user)))
    if case is None:
        raise NotFound(_("case {number}").format(number=number))
    return case


# What a list of cases shows: the texts and JSON of each case are left for its own page.
_LISTED = (
    load_only(
        Case.id,
        Case.number,
        Case.case_type_id,
        Case.status,
        Case.severity,
        Case.country,
        Case.mission_id,
        Case.created_at,
    ),
    joinedload(Case.case_type).load_only(CaseType.code, CaseType.name_vi, CaseType.name_en),
    joinedload(Case.mission).load_only(Mission.code, Mission.name_vi, Mission.name_en),
)


def read_case(session: Session, user: User, *, number: str) -> tuple[Case, BreakGlassGrant | None]:
    """A case opened to be read, in the reader's scope or under their break-glass grant (given
    too); the read is logged before anything is shown."""
    case, grant = _opened(session, user, number)
    _log_read(session, user, case, grant, case.case_type.code)
    return case, grant


def _opened(session: Session, user: User, number: str) -> tuple[Case, BreakGlassGrant | None]:
    # Read without the database's write lock: the log's insert joins the group writer's batch.
    writer.reading(session)
    try:
        return get_case(session, user, number=number), None
    except NotFound:
        grant = access.active_grant(session, user, "case", number)
        if grant is None:
            raise
        return session.scalars(select(Case).where(Case.number == number)).one(), grant


def _log_read(
    session: Session, user: User, case: Case, grant: BreakGlassGrant | None, fields: str
) -> None:
    access.log_read(
        session,
        user,
        kind="case",
        record_id=case.number,
        fields=fields,
        citizens=[s.citizen_id for s in case.subjects if s.citizen_id is not None],
        grant=grant,
    )


def _by_number(session: Session, reference: str) -> access.Target | None:
    number = reference.upper()
    if session.scalar(select(Case.id).where(Case.number == number)) is None:
        return None
    return access.Target("case", number, f"/console/cases/{number}")


access.register_kind("case", lambda: _("Protection case, by its number"), _by_number)


def cases(
    session: Session,
    user: User,
    *,
    status: Status | None = None,
    open_only: bool = True,
    limit: int = 100,
) -> list[tuple[Case, int]]:
    """Cases newest first, each with how many of its steps are overdue."""
    query = (
        select(Case, _overdue())
        .options(*_LISTED)
        .where(visible(user))
        .order_by(Case.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(Case.status == status)
    elif open_only:
        query = query.where(Case.status.in_(OPEN))
    return [(case, late) for case, late in session.execute(query)]


def cases_by_id(session: Session, user: User, ids: Sequence[int]) -> list[tuple[Case, int]]:
    """These cases in this order (a search's page), each with its overdue steps."""
    query = select(Case, _overdue()).options(*_LISTED).where(Case.id.in_(ids), visible(user))
    rows = session.execute(query)
    found = {case.id: (case, late) for case, late in rows}
    return [found[i] for i in ids if i in found]


def _overdue() -> ScalarSelect[int]:
    return (
        select(func.count())
        .where(CaseStep.case_id == Case.id, CaseStep.done_at.is_(None), CaseStep.due_at < utcnow())
        .correlate(Case)
        .scalar_subquery()
    )


def counts(session: Session, user: User) -> dict[str, dict[str, int]]:
    """Open and closed cases counted by type, status and country, in the reader's scope."""
    where = true() if user.role is Role.partner_agency else visible(user)
    result: dict[str, dict[str, int]] = {}
    columns: dict[str, Any] = {
        "by_type": CaseType.code,
        "by_status": Case.status,
        "by_country": Case.country,
    }
    for name, column in columns.items():
        rows = session.execute(
            select(column, func.count())
            .select_from(Case)
            .join(CaseType)
            .where(where)
            .group_by(column)
        )
        result[name] = {str(key): count for key, count in rows}
    return result


def case_types(session: Session) -> list[CaseType]:
    return list(session.scalars(select(CaseType).where(CaseType.active).order_by(CaseType.id)))


def track(session: Session, *, number: str, pin: str) -> Case | None:
    """The case if the PIN is one of its reporters'; None for a wrong number or PIN alike.
    A case merged into another leads to the one that carries on, where its reporters went."""
    case = session.scalar(select(Case).where(Case.number == number.strip().upper()))
    while case is not None and case.merged_into_id is not None:
        case = session.get(Case, case.merged_into_id)
    if case is None:
        return None
    if any(check_pin(r.pin_hash, pin.strip()) for r in case.reporters):
        return case
    return None


def merged_into(session: Session, case: Case) -> Case | None:
    return session.get(Case, case.merged_into_id) if case.merged_into_id else None


def next_step(case: Case) -> CaseStep | None:
    return next((s for s in case.steps if s.done_at is None), None)


def open_by_country(session: Session) -> dict[str, int]:
    """Open cases per country: a figure, with no case behind it shown."""
    rows = session.execute(
        select(Case.country, func.count()).where(Case.status.in_(OPEN)).group_by(Case.country)
    )
    return {country: n for country, n in rows}


def attachment(session: Session, user: User, *, number: str, attachment_id: int) -> CaseAttachment:
    """A file of a case the reader may read (in scope, or under a break-glass grant, as the
    case's page that links it); any other is "not found". The download is logged as a read
    of the case: a file is often the most sensitive thing in it (a passport, a verdict)."""
    case, grant = _opened(session, user, number)
    found = next((a for a in case.attachments if a.id == attachment_id), None)
    if found is None:
        raise NotFound(_("attachment {id}").format(id=attachment_id))
    _log_read(session, user, case, grant, f"attachment {attachment_id}")
    return found


def files_by_event(case: Case) -> defaultdict[int | None, list[CaseAttachment]]:
    """The case's files under the timeline entry each came with."""
    found: defaultdict[int | None, list[CaseAttachment]] = defaultdict(list)
    for attachment in case.attachments:
        found[attachment.event_id].append(attachment)
    return found


def public_attachment(case: Case, attachment_id: int) -> CaseAttachment:
    """A file the case's reporter may download: one sent with a message to them."""
    public = {e.id for e in case.events if e.public and e.kind == "message"}
    found = next(
        (a for a in case.attachments if a.id == attachment_id and a.event_id in public), None
    )
    if found is None:
        raise NotFound(_("attachment {id}").format(id=attachment_id))
    return found


def open_case_by_number(session: Session, number: str) -> Case | None:
    """The case of that number while it is open: intake appends to it (no reader's scope:
    the sender knows their own case number)."""
    return session.scalar(
        select(Case).where(Case.number == number.strip().upper(), Case.status.in_(OPEN))
    )


def opened_between(
    session: Session, *, start: date, end: date, countries: Collection[str] | None = None
) -> list[tuple[str, str, int, int]]:
    """(country, case type, opened, of them closed) for cases opened within the period: one
    aggregate query, no case behind it shown."""
    since = datetime.combine(start, time(), UTC)
    until = datetime.combine(end + timedelta(days=1), time(), UTC)
    closed = func.sum(sql_case((Case.closed_at.is_not(None), 1), else_=0))
    query = (
        select(Case.country, CaseType.code, func.count(), closed)
        .join(CaseType)
        .where(Case.created_at >= since, Case.created_at < until)
        .group_by(Case.country, CaseType.code)
    )
    if countries is not None:
        query = query.where(Case.country.in_(countries))
    return [(c, t, int(n), int(k or 0)) for c, t, n, k in session.execute(query)]


def case_by_number(session: Session, number: str) -> Case | None:
    """The case of that number whatever its state, for the system's own work on it (a file
    its reporter sent still joins it after it is closed)."""
    return session.scalar(select(Case).where(Case.number == number.strip().upper()))


def reported_location(case: Case) -> dict[str, float] | None:
    """The last position shared with the case (an SOS, a location sent by message)."""
    for event in reversed(case.events):
        where = event.data.get("location") if isinstance(event.data, dict) else None
        if isinstance(where, dict):
            return where
    return None


@dataclass(frozen=True)
class TypeRules:
    """What intake reads of a case type: the words that tell it, the fields it asks for and
    its procedure."""

    id: int
    code: str
    default_severity: Severity
    keywords: list[str]
    fields: list[dict[str, Any]]
    procedure: list[dict[str, Any]]


_RULES = select(
    CaseType.id,
    CaseType.code,
    CaseType.default_severity,
    CaseType.keywords,
    CaseType.fields,
    CaseType.procedure,
)
# What held_briefly keeps them under.
TYPES_HELD = "protection.case_types"


def active_types(session: Session) -> list[TypeRules]:
    """The case types reports may be of, read a few seconds apart at most
    (:func:`~kieubao.platform.db.held_briefly`)."""
    return held_briefly(
        session,
        TYPES_HELD,
        lambda: [
            TypeRules(*row)
            for row in session.execute(_RULES.where(CaseType.active).order_by(CaseType.id))
        ],
    )


def mission_id(session: Session, code: str | None) -> int | None:
    """The id of the mission of this code, from the ids of all, read a few seconds apart at
    most: a whole mission comes with its jurisdictions, read for nothing here."""
    ids = held_briefly(
        session,
        "protection.mission_ids",
        lambda: {code: id_ for code, id_ in session.execute(select(Mission.code, Mission.id))},
    )
    return ids.get(code) if code else None
