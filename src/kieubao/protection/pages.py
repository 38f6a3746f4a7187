"""Protection pages: the public report and tracking on the portal, case work in the console."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kieubao.platform import audit, countries, guard, missions
from kieubao.platform.db import utcnow
from kieubao.platform.deps import AnyOfficer, Anyone, SessionDep
from kieubao.platform.errors import Problem
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import User
from kieubao.platform.settings import get_settings
from kieubao.platform.web import render
from kieubao.protection import actions, duplicates, forms, limits, queries, search, views
from kieubao.protection.api import client_ip
from kieubao.protection.models import TRANSITIONS, Channel, LiaisonKind, Severity
from kieubao.protection.pages_files import file_response, tracked
from kieubao.protection.pages_files import router as files_router
from kieubao.protection.pages_people import router as people_router
from kieubao.protection.pages_queue import router as queue_router
from kieubao.protection.pages_sos import router as sos_router
from kieubao.protection.pages_stats import router as stats_router
from kieubao.protection.schemas import StatusIn, TriageIn

router = APIRouter(include_in_schema=False)
router.include_router(queue_router)
router.include_router(people_router)
router.include_router(stats_router)
router.include_router(sos_router)
router.include_router(files_router)


def _form_context(session: Any) -> dict[str, Any]:
    return {
        "case_types": queries.case_types(session),
        "countries": countries.all_countries(),
        "severities": list(Severity),
        "localized": views.localized,
        "severity_label": views.severity_label,
        "liaison_label": views.liaison_label,
        "event_label": views.event_label,
    }


# --- the portal: anyone, no account ---------------------------------------------------


@router.get("/protection/report", response_class=HTMLResponse)
def report_form(
    request: Request,
    session: SessionDep,
    _user: Anyone,
    case_type: str = "",
    country: str = "",
    city: str = "",
) -> Response:
    """Empty, or filled with what the guided help already asked; unknown values are left out."""
    context = _form_context(session)
    values = {
        "case_type": case_type if case_type in {t.code for t in context["case_types"]} else "",
        "country": country.upper() if countries.is_valid(country.upper()) else "",
        "city": city.strip()[:120],
    }
    return render(request, "protection/report.html", values=values, errors={}, **context)


@router.post("/protection/report", response_class=HTMLResponse)
async def report(request: Request, session: SessionDep, user: Anyone) -> Response:
    report_in, errors, values = forms.report_from_form(await request.form())
    if report_in is not None:
        try:
            limits.intake.hit(client_ip(request))
            acting = user or audit.System(f"public intake {client_ip(request)}")
            # Off the event loop: the answer waits for the group writer's commit.
            intake = await run_in_threadpool(
                actions.open_case,
                session,
                acting_user=acting,
                report=report_in,
                channel=Channel.web,
            )
        except Problem as exc:
            errors = forms.errors_of(exc)
        else:
            return render(request, "protection/reported.html", intake=intake)
    return render(
        request,
        "protection/report.html",
        422,
        values=values,
        errors=errors,
        **_form_context(session),
    )


@router.get("/protection/track", response_class=HTMLResponse)
def track(
    request: Request, session: SessionDep, _user: Anyone, number: str = "", pin: str = ""
) -> Response:
    """The reporter's page: public status and messages, and what happens next, by when."""
    if not number and not pin:
        return render(request, "protection/track.html", tracked=None, number="", failed=False)
    try:
        case = tracked(request, session, number, pin)
    except Problem as exc:
        return render(
            request,
            "protection/track.html",
            exc.status,
            tracked=None,
            number=number,
            failed=True,
            detail=exc.detail,
        )
    if case is None:
        return render(
            request, "protection/track.html", 404, tracked=None, number=number, failed=True
        )
    # The PIN goes back into the page so the files sent to the reporter can be downloaded.
    return render(
        request,
        "protection/track.html",
        tracked=views.track_out(case),
        number=number,
        pin=pin,
    )


# --- the console: officers, within their scope -----------------------------------------


PAGE = 50


@router.get("/console/cases", response_class=HTMLResponse)
def case_list(
    request: Request, session: SessionDep, officer: AnyOfficer, q: str = "", offset: int = 0
) -> Response:
    """Open cases newest first; with ``q`` the cases of any status it finds, best first."""
    q, offset = q.strip()[:200], min(max(offset, 0), search.MAX_MATCHES)
    found = search.find(session, officer, q, offset=offset, limit=PAGE) if q else None
    # HTMX asks for the rows alone while the officer types.
    template = (
        "protection/_cases.html" if request.headers.get("hx-request") else "protection/cases.html"
    )
    return render(
        request,
        template,
        cases=queries.cases_by_id(session, officer, found.ids)
        if found
        else queries.cases(session, officer),
        found=found,
        q=q,
        offset=offset,
        page=PAGE,
        labels=views.status_label,
        **_form_context(session),
    )


@router.get("/console/cases/new", response_class=HTMLResponse)
def hotline_form(request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    country = officer.mission.country if officer.mission else ""
    return render(
        request,
        "protection/hotline.html",
        values={"country": country},
        errors={},
        **_form_context(session),
    )


@router.post("/console/cases/new", response_class=HTMLResponse)
async def log_call(request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    """A call to the hotline, written down while the caller is on the line."""
    report_in, errors, values = forms.officer_report_from_form(await request.form())
    if report_in is not None:
        try:
            intake = await run_in_threadpool(
                actions.open_case,
                session,
                acting_user=officer,
                report=report_in,
                channel=Channel.hotline,
                severity=report_in.severity,
            )
        except Problem as exc:
            errors = forms.errors_of(exc)
        else:
            return render(request, "protection/reported.html", intake=intake, officer=True)
    return render(
        request,
        "protection/hotline.html",
        422,
        values=values,
        errors=errors,
        **_form_context(session),
    )


@router.get("/console/cases/{number}", response_class=HTMLResponse)
def case_page(request: Request, number: str, session: SessionDep, officer: AnyOfficer) -> Response:
    return _case_page(request, session, officer, number, errors={})


def _case_page(
    request: Request,
    session: Any,
    officer: User,
    number: str,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    case, grant = queries.read_case(session, officer, number=number)
    return render(
        request,
        "protection/case.html",
        status_code,
        case=case,
        emergency=grant,
        now=utcnow(),
        errors=errors,
        next_statuses=sorted(TRANSITIONS[case.status]),
        liaison_kinds=list(LiaisonKind),
        missions=missions.all_missions(session),
        labels=views.status_label,
        duplicates=duplicates.suggestions(session, officer, case),
        merged_into=queries.merged_into(session, case),
        files_by_event=queries.files_by_event(case),
        location=queries.reported_location(case),
        **_form_context(session),
    )


def _back(number: str) -> Response:
    return RedirectResponse(f"/console/cases/{number}", status_code=303)


@router.get("/console/cases/{number}/attachments/{attachment_id}")
def download(number: str, attachment_id: int, session: SessionDep, officer: AnyOfficer) -> Response:
    found = queries.attachment(session, officer, number=number, attachment_id=attachment_id)
    return file_response(found)


@router.post("/console/cases/{number}/triage")
async def triage(
    request: Request, number: str, session: SessionDep, officer: AnyOfficer
) -> Response:
    """One click confirms; the selects, when changed, correct."""
    form = await request.form()
    case = queries.get_case(session, officer, number=number)
    decision, errors = forms.parse(
        TriageIn, {k: str(form.get(k) or "") or None for k in ("case_type", "severity", "mission")}
    )
    if decision is None:
        return _case_page(request, session, officer, number, errors, 422)
    actions.confirm_triage(session, acting_user=officer, case=case, decision=decision)
    return _back(number)


@router.post("/console/cases/{number}/steps/{code}/done")
def step_done(number: str, code: str, session: SessionDep, officer: AnyOfficer) -> Response:
    case = queries.get_case(session, officer, number=number)
    actions.complete_step(session, acting_user=officer, case=case, code=code)
    return _back(number)


def _files_limit() -> int:
    # The files themselves, and room for the form's other fields and multipart framing.
    return get_settings().inbound_max_bytes + 256 * 1024


guard.limit_files("/console/cases/{number}/liaisons", _files_limit)
guard.limit_files("/console/cases/{number}/notes", _files_limit)


@router.post("/console/cases/{number}/liaisons", response_class=HTMLResponse)
async def liaison(
    request: Request, number: str, session: SessionDep, officer: AnyOfficer
) -> Response:
    """A contact with the host authorities, with its papers (a note verbale's scan)."""
    form = await request.form(max_files=forms.MAX_FILES)
    entry, errors = forms.liaison_from_form(form)
    if entry is None:
        return _case_page(request, session, officer, number, errors, 422)
    case = queries.get_case(session, officer, number=number)
    try:
        actions.log_liaison(
            session, acting_user=officer, case=case, entry=entry, files=await forms.files_of(form)
        )
    except Problem as exc:
        session.rollback()
        return _case_page(request, session, officer, number, forms.errors_of(exc), exc.status)
    return _back(number)


@router.post("/console/cases/{number}/notes", response_class=HTMLResponse)
async def note(request: Request, number: str, session: SessionDep, officer: AnyOfficer) -> Response:
    """An internal note or a message to the reporter, with the files it carries."""
    form = await request.form(max_files=forms.MAX_FILES)
    text = str(form.get("text") or "").strip()
    if not text:
        return _case_page(
            request, session, officer, number, {"text": _("write the note first")}, 422
        )
    case = queries.get_case(session, officer, number=number)
    try:
        actions.add_note(
            session,
            acting_user=officer,
            case=case,
            text=text,
            public=form.get("public") == "yes",
            files=await forms.files_of(form),
        )
    except Problem as exc:
        session.rollback()
        return _case_page(request, session, officer, number, forms.errors_of(exc), exc.status)
    return _back(number)


@router.post("/console/cases/{number}/status")
async def status(
    request: Request, number: str, session: SessionDep, officer: AnyOfficer
) -> Response:
    form = await request.form()
    wanted, errors = forms.parse(StatusIn, {"status": str(form.get("status") or "")})
    if wanted is None:
        return _case_page(request, session, officer, number, errors, 422)
    case = queries.get_case(session, officer, number=number)
    actions.set_status(session, acting_user=officer, case=case, status=wanted.status)
    return _back(number)
