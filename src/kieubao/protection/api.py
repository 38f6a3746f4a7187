"""Citizen protection cases over JSON, under /api/v1."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from kieubao.platform import audit
from kieubao.platform.deps import AnyOfficer, Anyone, AnyoneAwaited, SessionDep, Staff
from kieubao.platform.errors import Invalid, NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import OFFICER_ROLES, User
from kieubao.protection import actions, limits, queries, search, views
from kieubao.protection.models import Channel, Status
from kieubao.protection.schemas import (
    AssignIn,
    CaseIn,
    CaseOut,
    CaseSummary,
    CountsOut,
    IntakeOut,
    LiaisonIn,
    NoteIn,
    OfficerCaseIn,
    OfficerIntakeOut,
    StatusIn,
    SubjectIn,
    TrackOut,
    TriageIn,
)

router = APIRouter(tags=["citizen protection"])
# Public intake, which must hold a surge, is tried before every other route of the app.
surge_router = APIRouter(tags=["citizen protection"])

Number = Annotated[str, Query(min_length=6, max_length=20)]
Pin = Annotated[str, Query(min_length=4, max_length=12)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@surge_router.post("/cases", response_model=IntakeOut, status_code=201)
async def report_case(body: CaseIn, request: Request, user: AnyoneAwaited) -> IntakeOut:
    """Public intake, no account needed: the reporter keeps the case number and the PIN.
    On the event loop: in a surge each report costs its parsing and its place in the group
    writer's next commit, no session and no thread of its own."""
    limits.intake.hit(client_ip(request))
    acting = user or audit.System(f"public intake {client_ip(request)}")
    taken, pin = await actions.receive_report(acting_user=acting, report=body, channel=Channel.api)
    return IntakeOut(case_number=taken.number, pin=pin)


@router.post("/cases/intake", response_model=OfficerIntakeOut, status_code=201)
def record_case(body: OfficerCaseIn, session: SessionDep, officer: AnyOfficer) -> OfficerIntakeOut:
    """A case an officer records (a call to the hotline, a visit, a note from the host)."""
    intake = actions.open_case(
        session, acting_user=officer, report=body, channel=body.channel, severity=body.severity
    )
    return OfficerIntakeOut(
        id=intake.case.id,
        case_number=intake.case.number,
        pin=intake.pin,
        appended=intake.appended,
    )


@router.get("/cases/track", response_model=TrackOut)
def track_case(
    number: Number, pin: Pin, request: Request, session: SessionDep, user: Anyone
) -> TrackOut:
    """What the reporter may read of their case; wrong PINs are limited per case and per IP."""
    keys = (f"case:{number.strip().upper()}", f"ip:{client_ip(request)}")
    for key in keys:
        limits.wrong_pin.check(key)
    case = queries.track(session, number=number, pin=pin)
    if case is None:
        for key in keys:
            limits.wrong_pin.record(key)
        raise NotFound(_("a case with this number and PIN"))
    return views.track_out(case)


@router.get("/cases/counts", response_model=CountsOut)
def case_counts(session: SessionDep, user: Staff) -> CountsOut:
    """Cases counted by type, status and country: all a partner agency may see."""
    return CountsOut(**queries.counts(session, user))


@router.get("/cases", response_model=list[CaseSummary])
def list_cases(
    session: SessionDep,
    officer: AnyOfficer,
    status: Status | None = None,
    open_only: bool = True,
    limit: int = Query(100, ge=1, le=500),
    q: str = Query("", max_length=200),
    offset: int = Query(0, ge=0, le=search.MAX_MATCHES),
) -> list[CaseSummary]:
    """Open cases newest first; with ``q`` (a case number or part of it, a name with or
    without tones, a phone, a vessel or company, words of the description) the cases of any
    status it finds, best first, ``limit`` from ``offset``."""
    if q.strip():
        page = search.find(session, officer, q, offset=offset, limit=limit)
        found = queries.cases_by_id(session, officer, page.ids)
    else:
        found = queries.cases(session, officer, status=status, open_only=open_only, limit=limit)
    return [views.summary(case, late) for case, late in found]


@router.get("/cases/{number}", response_model=CaseOut)
def get_case(number: str, session: SessionDep, officer: AnyOfficer) -> CaseOut:
    case, _grant = queries.read_case(session, officer, number=number)
    return views.case_out(case)


@router.put("/cases/{number}/subjects/{subject_id}", response_model=CaseOut)
def correct_subject(
    number: str, subject_id: int, body: SubjectIn, session: SessionDep, officer: AnyOfficer
) -> CaseOut:
    """Put a person's name or birth date right."""
    case = queries.get_case(session, officer, number=number)
    actions.correct_subject(
        session, acting_user=officer, case=case, subject_id=subject_id, data=body
    )
    return views.case_out(case)


@router.post("/cases/{number}/triage", response_model=CaseOut)
def triage_case(number: str, body: TriageIn, session: SessionDep, officer: AnyOfficer) -> CaseOut:
    """Confirm what auto-triage guessed (an empty body), or correct it."""
    case = queries.get_case(session, officer, number=number)
    return views.case_out(
        actions.confirm_triage(session, acting_user=officer, case=case, decision=body)
    )


@router.post("/cases/{number}/status", response_model=CaseOut)
def change_status(number: str, body: StatusIn, session: SessionDep, officer: AnyOfficer) -> CaseOut:
    case = queries.get_case(session, officer, number=number)
    return views.case_out(
        actions.set_status(
            session, acting_user=officer, case=case, status=body.status, note=body.note
        )
    )


@router.post("/cases/{number}/notes", response_model=CaseOut, status_code=201)
def add_note(number: str, body: NoteIn, session: SessionDep, officer: AnyOfficer) -> CaseOut:
    """An internal note, or with ``public`` a message the reporter reads when tracking."""
    case = queries.get_case(session, officer, number=number)
    return views.case_out(
        actions.add_note(
            session, acting_user=officer, case=case, text=body.text, public=body.public
        )
    )


@router.post("/cases/{number}/liaisons", response_model=CaseOut, status_code=201)
def log_liaison(number: str, body: LiaisonIn, session: SessionDep, officer: AnyOfficer) -> CaseOut:
    """A note verbale, call, meeting or reply exchanged with the host authorities."""
    case = queries.get_case(session, officer, number=number)
    actions.log_liaison(session, acting_user=officer, case=case, entry=body)
    return views.case_out(case)


@router.post("/cases/{number}/steps/{code}/done", response_model=CaseOut)
def complete_step(number: str, code: str, session: SessionDep, officer: AnyOfficer) -> CaseOut:
    case = queries.get_case(session, officer, number=number)
    actions.complete_step(session, acting_user=officer, case=case, code=code)
    return views.case_out(case)


@router.post("/cases/{number}/assign", response_model=CaseOut)
def assign_case(number: str, body: AssignIn, session: SessionDep, officer: AnyOfficer) -> CaseOut:
    case = queries.get_case(session, officer, number=number)
    assignee = session.scalar(select(User).where(User.email == str(body.officer_email).lower()))
    if assignee is None or assignee.role not in OFFICER_ROLES:
        raise Invalid("officer_email", _("no officer with this email"))
    return views.case_out(actions.assign(session, acting_user=officer, case=case, officer=assignee))
