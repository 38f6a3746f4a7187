"""Privacy in the console (requests queue, breach register, record of processing) and on
the portal (a citizen's own requests)."""

import io
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from openpyxl import Workbook
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kieubao.platform.deps import HQ, Admin, AnyOfficer, SessionDep, scope_of
from kieubao.platform.deps import Citizen as CitizenUser
from kieubao.platform.errors import Invalid, Problem
from kieubao.platform.i18n import gettext as _
from kieubao.platform.web import render
from kieubao.privacy import actions, draft, queries, rules
from kieubao.privacy.actions.breaches import NEXT as BREACH_STEPS
from kieubao.privacy.models import BreachStatus, RequestKind, RequestStatus
from kieubao.privacy.schemas import CHANNELS, PURPOSES, ActivityIn, BreachIn, BreachMove, RequestIn
from kieubao.registry import queries as registry

router = APIRouter(include_in_schema=False)


def _invalid(request: Request, exc: ValidationError | Problem) -> Response:
    if isinstance(exc, ValidationError):
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    else:
        detail = exc.detail
    return render(request, "error.html", 422, title=_("Invalid input"), detail=detail)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# The requests queue


@router.get("/console/privacy/requests", response_class=HTMLResponse)
def request_queue(request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    """Open requests, the soonest deadline first, with the time left."""
    return render(
        request,
        "privacy/requests.html",
        requests=queries.requests(session, officer, open_only=True),
        hours_left=queries.hours_left,
        notices=queries.notices_for(session, officer),
        kinds=list(RequestKind),
        channels=[c for c in CHANNELS if c != "portal"],
        purposes=PURPOSES,
    )


@router.post("/console/privacy/requests")
def record_request(
    request: Request,
    session: SessionDep,
    officer: AnyOfficer,
    citizen_id: Annotated[int, Form()],
    kind: Annotated[str, Form()],
    channel: Annotated[str, Form()],
    identity_note: Annotated[str, Form()] = "",
    details: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "",
) -> Response:
    """A request that came by letter, phone, email or in person, with how identity was checked."""
    try:
        data = RequestIn.model_validate(
            {
                "kind": kind, "channel": channel, "identity_note": identity_note,
                "details": details, "purpose": purpose or None, "citizen_id": citizen_id,
            }
        )  # fmt: skip
        citizen = registry.get_citizen(session, citizen_id, scope_of(officer))
        made = actions.receive_request(session, acting_user=officer, citizen=citizen, data=data)
    except (ValidationError, Invalid) as exc:
        return _invalid(request, exc)
    return RedirectResponse(f"/console/privacy/requests/{made.id}", status_code=303)


@router.get("/console/privacy/requests/{request_id}", response_class=HTMLResponse)
def request_page(
    request: Request, request_id: int, session: SessionDep, officer: AnyOfficer
) -> Response:
    found = queries.get_request(session, officer, request_id)
    return render(
        request,
        "privacy/request.html",
        r=found,
        citizen=registry.get_citizen(session, found.citizen_id, scope_of(officer)),
        hours_left=queries.hours_left(found.due_at),
        officers=queries.officers_for(session, found),
        statuses=RequestStatus,
    )


@router.post("/console/privacy/requests/{request_id}/status")
def move_request(
    request: Request,
    request_id: int,
    session: SessionDep,
    officer: AnyOfficer,
    status: Annotated[RequestStatus, Form()],
    note: Annotated[str, Form()] = "",
    identity_note: Annotated[str, Form()] = "",
) -> Response:
    found = queries.get_request(session, officer, request_id)
    try:
        actions.move_request(
            session, acting_user=officer, request=found, status=status,
            note=note, identity_note=identity_note,
        )  # fmt: skip
    except Invalid as exc:
        return _invalid(request, exc)
    return RedirectResponse(f"/console/privacy/requests/{request_id}", status_code=303)


@router.post("/console/privacy/requests/{request_id}/assign")
def assign_request(
    request: Request,
    request_id: int,
    session: SessionDep,
    officer: AnyOfficer,
    assignee_id: Annotated[int, Form()],
) -> Response:
    found = queries.get_request(session, officer, request_id)
    assignee = next((u for u in queries.officers_for(session, found) if u.id == assignee_id), None)
    if assignee is None:
        return _invalid(request, Invalid("assignee_id", _("not an officer for this request")))
    actions.assign_request(session, acting_user=officer, request=found, assignee=assignee)
    return RedirectResponse(f"/console/privacy/requests/{request_id}", status_code=303)


@router.post("/console/privacy/requests/{request_id}/done")
def carry_out(
    request: Request,
    request_id: int,
    session: SessionDep,
    officer: AnyOfficer,
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    found = queries.get_request(session, officer, request_id)
    citizen = registry.get_citizen(session, found.citizen_id, scope_of(officer))
    try:
        actions.carry_out(session, acting_user=officer, request=found, citizen=citizen, note=note)
    except Invalid as exc:
        return _invalid(request, exc)
    return RedirectResponse(f"/console/privacy/requests/{request_id}", status_code=303)


# The citizen's own requests on the portal


@router.get("/me/privacy", response_class=HTMLResponse)
def my_requests(request: Request, session: SessionDep, user: CitizenUser) -> Response:
    return render(
        request,
        "privacy/mine.html",
        requests=queries.requests(session, user),
        hours_left=queries.hours_left,
        kinds=list(RequestKind),
        purposes=PURPOSES,
        registered=registry.citizen_of(session, user) is not None,
    )


@router.post("/me/privacy")
def ask(
    request: Request,
    session: SessionDep,
    user: CitizenUser,
    kind: Annotated[str, Form()],
    details: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "",
) -> Response:
    record = registry.citizen_of(session, user)
    if record is None:
        return RedirectResponse("/register", status_code=303)
    try:
        data = RequestIn.model_validate(
            {"kind": kind, "details": details, "purpose": purpose or None}
        )
        actions.receive_request(session, acting_user=user, citizen=record, data=data)
    except (ValidationError, Invalid) as exc:
        return _invalid(request, exc)
    return RedirectResponse("/me/privacy", status_code=303)


# The breach register


def _breaches(request: Request, session: Session, status: int = 200, **extra: Any) -> Response:
    return render(
        request,
        "privacy/breaches.html",
        status,
        breaches=queries.breaches(session),
        hours_left=queries.breach_hours_left,
        **extra,
    )


@router.get("/console/privacy/breaches", response_class=HTMLResponse)
def breaches(request: Request, session: SessionDep, user: HQ) -> Response:
    return _breaches(request, session)


@router.post("/console/privacy/breaches")
def record_breach(
    request: Request,
    session: SessionDep,
    user: HQ,
    title: Annotated[str, Form()],
    discovered_at: Annotated[str, Form()],
    description: Annotated[str, Form()],
    data_kinds: Annotated[str, Form()] = "",
    subject_categories: Annotated[str, Form()] = "",
    approx_subjects: Annotated[int, Form()] = 0,
    approx_records: Annotated[int, Form()] = 0,
    consequences: Annotated[str, Form()] = "",
    measures: Annotated[str, Form()] = "",
    risk: Annotated[str, Form()] = "medium",
    contact_name: Annotated[str, Form()] = "",
    contact_details: Annotated[str, Form()] = "",
) -> Response:
    try:
        data = BreachIn.model_validate(
            {
                "title": title, "discovered_at": discovered_at,
                "description": description, "data_kinds": _lines(data_kinds),
                "subject_categories": _lines(subject_categories),
                "approx_subjects": approx_subjects, "approx_records": approx_records,
                "consequences": consequences, "measures": measures, "risk": risk,
                "contact_name": contact_name, "contact_details": contact_details,
            }
        )  # fmt: skip
        breach = actions.record_breach(session, acting_user=user, data=data)
    except (ValidationError, Invalid) as exc:
        return _invalid(request, exc)
    return RedirectResponse(f"/console/privacy/breaches/{breach.id}", status_code=303)


@router.get("/console/privacy/breaches/{breach_id}", response_class=HTMLResponse)
def breach_page(request: Request, breach_id: int, session: SessionDep, user: HQ) -> Response:
    breach = queries.get_breach(session, breach_id)
    return render(
        request,
        "privacy/breach.html",
        b=breach,
        notify_by=rules.notify_by(breach.discovered_at),
        hours_left=queries.breach_hours_left(breach),
        next_statuses=[s for s in BreachStatus if s in BREACH_STEPS[breach.status]],
    )


@router.post("/console/privacy/breaches/{breach_id}/status")
def move_breach(
    request: Request,
    breach_id: int,
    session: SessionDep,
    user: HQ,
    status: Annotated[str, Form()],
    reference: Annotated[str, Form()] = "",
) -> Response:
    breach = queries.get_breach(session, breach_id)
    try:
        data = BreachMove.model_validate({"status": status, "reference": reference})
        actions.move_breach(session, acting_user=user, breach=breach, data=data)
    except (ValidationError, Invalid) as exc:
        return _invalid(request, exc)
    return RedirectResponse(f"/console/privacy/breaches/{breach_id}", status_code=303)


@router.get("/console/privacy/breaches/{breach_id}/notification", response_class=HTMLResponse)
def notification(request: Request, breach_id: int, session: SessionDep, user: HQ) -> Response:
    """The draft to A05 in both languages, to read before downloading the .docx."""
    breach = queries.get_breach(session, breach_id)
    return render(
        request,
        "privacy/notification.html",
        b=breach,
        drafts=[draft.draft(breach, "vi"), draft.draft(breach, "en")],
    )


# The record of processing activities


@router.get("/console/privacy/processing", response_class=HTMLResponse)
def processing(request: Request, session: SessionDep, user: HQ) -> Response:
    return render(
        request,
        "privacy/processing.html",
        activities=queries.activities(session),
        retention_of=queries.retention_of,
        unrecorded=queries.unrecorded_rules(session),
        may_edit=user.role.value == "admin",
    )


@router.get("/console/privacy/processing.xlsx")
def processing_xlsx(session: SessionDep, user: HQ) -> Response:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "processing"
    columns = [
        ("code", _("Code")), ("name_vi", _("Activity (Vietnamese)")),
        ("name_en", _("Activity (English)")), ("purpose", _("Purpose")),
        ("legal_basis", _("Legal basis")), ("data_kinds", _("Kinds of data")),
        ("sensitive_kinds", _("Sensitive data")), ("subject_categories", _("Data subjects")),
        ("recipients", _("Recipients")), ("transfers_abroad", _("Transfers abroad")),
        ("retention_rules", _("Retention rules")), ("retention_note", _("Retention")),
        ("security_measures", _("Security measures")),
    ]  # fmt: skip
    sheet.append([title for _key, title in columns])
    for activity in queries.activities(session):
        row = []
        for key, _title in columns:
            value = getattr(activity, key)
            if key == "retention_rules":
                value = [
                    f"{line.name}: {line.description or _('not configured')}"
                    for line in queries.retention_of(activity)
                ]
            row.append("\n".join(value) if isinstance(value, list) else value)
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="processing-activities.xlsx"'},
    )


@router.post("/console/privacy/processing/{code}")
def update_activity(
    request: Request,
    code: str,
    session: SessionDep,
    user: Admin,
    purpose: Annotated[str, Form()],
    legal_basis: Annotated[str, Form()],
    data_kinds: Annotated[str, Form()] = "",
    sensitive_kinds: Annotated[str, Form()] = "",
    subject_categories: Annotated[str, Form()] = "",
    recipients: Annotated[str, Form()] = "",
    transfers_abroad: Annotated[str, Form()] = "",
    retention_rules: Annotated[str, Form()] = "",
    retention_note: Annotated[str, Form()] = "",
    security_measures: Annotated[str, Form()] = "",
) -> Response:
    activity = queries.get_activity(session, code)
    try:
        data = ActivityIn.model_validate(
            {
                "purpose": purpose, "legal_basis": legal_basis,
                "data_kinds": _lines(data_kinds), "sensitive_kinds": _lines(sensitive_kinds),
                "subject_categories": _lines(subject_categories),
                "recipients": _lines(recipients), "transfers_abroad": transfers_abroad,
                "retention_rules": _lines(retention_rules), "retention_note": retention_note,
                "security_measures": security_measures,
            }
        )  # fmt: skip
        actions.update_activity(session, acting_user=user, activity=activity, data=data)
    except (ValidationError, Invalid) as exc:
        return _invalid(request, exc)
    return RedirectResponse(f"/console/privacy/processing#{code}", status_code=303)
