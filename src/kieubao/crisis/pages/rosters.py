"""A crisis roster in the console: counts live, the call list, changes one by one or in bulk;
the contingency plans of the countries concerned."""

from io import BytesIO
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kieubao.community.queries import SKILLS as community_skills
from kieubao.crisis import actions, queries
from kieubao.crisis.actions.plans import FIELDS as PLAN_FIELDS
from kieubao.crisis.models import ASSIGNMENT_STATUSES, NEEDS, ROSTER_STATUSES
from kieubao.platform import countries
from kieubao.platform.deps import AnyOfficer, SessionDep, Staff, scope_of
from kieubao.platform.errors import NotFound
from kieubao.platform.text import neutralise
from kieubao.platform.web import render

router = APIRouter(prefix="/console/crisis")


@router.post("/hazards/{hazard_id}/crisis")
def open_from_hazard(hazard_id: int, session: SessionDep, officer: AnyOfficer) -> Response:
    hazard = queries.get_hazard(session, hazard_id)
    crisis = actions.open_crisis(session, acting_user=officer, title=hazard.title, hazard=hazard)
    return RedirectResponse(f"/console/crisis/crises/{crisis.id}", status_code=303)


@router.get("/crises/{crisis_id}", response_class=HTMLResponse)
def crisis_page(
    crisis_id: int,
    request: Request,
    session: SessionDep,
    user: Staff,
    status: str = "",
    after_id: int = 0,
) -> Response:
    crisis = queries.get_crisis(session, crisis_id)
    scope = scope_of(user)
    wanted = status if status in ROSTER_STATUSES else None
    page = queries.roster(session, crisis, scope, status=wanted, after_id=max(after_id, 0))
    call_list = queries.call_list(session, crisis, scope, limit=20)
    queries.log_roster_read(session, user, crisis.id, page + call_list)
    return render(
        request,
        "crisis/crisis.html",
        crisis=crisis,
        counts=queries.roster_counts(session, crisis, scope),
        checks=queries.safety_checks(session, crisis),
        page=page,
        call_list=call_list,
        plans=queries.plans_for(session, crisis.countries),
        tasks=queries.crisis_tasks(session, crisis) if user.is_officer else [],
        skills=community_skills,
        assignment_statuses=ASSIGNMENT_STATUSES,
        status=wanted or "",
        statuses=ROSTER_STATUSES,
        needs=NEEDS,
        country_name=countries.display_name,
    )


@router.get("/crises/{crisis_id}/counts", response_class=HTMLResponse)
def counts_fragment(crisis_id: int, request: Request, session: SessionDep, user: Staff) -> Response:
    """The figures alone, which the page fetches again every few seconds."""
    crisis = queries.get_crisis(session, crisis_id)
    return render(
        request,
        "crisis/_roster_counts.html",
        crisis=crisis,
        counts=queries.roster_counts(session, crisis, scope_of(user)),
        checks=queries.safety_checks(session, crisis),
        statuses=ROSTER_STATUSES,
        country_name=countries.display_name,
    )


@router.post("/crises/{crisis_id}/entries/{entry_id}")
def set_status(
    crisis_id: int,
    entry_id: int,
    session: SessionDep,
    officer: AnyOfficer,
    status: Annotated[str, Form()],
    needs: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form()] = "",
) -> Response:
    entry, _citizen = queries.roster_entry(session, crisis_id, entry_id, scope_of(officer))
    actions.record_status(
        session,
        acting_user=officer,
        entry=entry,
        status=status,
        source="officer_call",
        needs=needs or [],
        note=note,
    )
    return RedirectResponse(f"/console/crisis/crises/{crisis_id}#call-list", status_code=303)


@router.post("/crises/{crisis_id}/safety-check")
def safety_check(crisis_id: int, session: SessionDep, officer: AnyOfficer) -> Response:
    crisis = queries.get_crisis(session, crisis_id)
    actions.send_safety_check(session, acting_user=officer, crisis=crisis)
    return RedirectResponse(f"/console/crisis/crises/{crisis_id}", status_code=303)


@router.post("/crises/{crisis_id}/entries/{entry_id}/case")
def open_case(crisis_id: int, entry_id: int, session: SessionDep, officer: AnyOfficer) -> Response:
    """Needs help: a protection case of the person's mission, in one click."""
    entry, citizen = queries.roster_entry(session, crisis_id, entry_id, scope_of(officer))
    number = actions.open_protection_case(
        session, acting_user=officer, entry=entry, citizen=citizen
    )
    return RedirectResponse(f"/console/cases/{number}", status_code=303)


@router.post("/crises/{crisis_id}/bulk")
def bulk(
    crisis_id: int,
    session: SessionDep,
    officer: AnyOfficer,
    status: Annotated[str, Form()],
    source: Annotated[str, Form()] = "officer_call",
    entry: Annotated[list[int] | None, Form()] = None,
) -> Response:
    crisis = queries.get_crisis(session, crisis_id)
    scope = scope_of(officer)
    mine = [queries.roster_entry(session, crisis_id, e, scope)[0].id for e in entry or []]
    actions.bulk_status(
        session, acting_user=officer, crisis=crisis, entry_ids=mine, status=status, source=source
    )
    return RedirectResponse(f"/console/crisis/crises/{crisis_id}", status_code=303)


@router.get("/crises/{crisis_id}/roster.xlsx")
def export(crisis_id: int, session: SessionDep, officer: AnyOfficer) -> Response:
    """The roster an officer answers for, as a workbook for calls made off-line."""
    from openpyxl import Workbook  # only when a workbook is asked for

    crisis = queries.get_crisis(session, crisis_id)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("roster")
    sheet.append(["id", "name", "country", "city", "phones", "email", "status", "needs", "heard"])
    after_id = 0
    while rows := queries.roster(session, crisis, scope_of(officer), after_id=after_id, limit=500):
        for entry, citizen in rows:
            sheet.append(
                [
                    entry.id,
                    neutralise(citizen.full_name),
                    entry.country,
                    neutralise(entry.city or ""),
                    neutralise(", ".join(citizen.phones)),
                    neutralise(citizen.email or ""),
                    entry.status,
                    ", ".join(entry.needs),
                    entry.last_heard_at.isoformat() if entry.last_heard_at else "",
                ]
            )
        after_id = rows[-1][0].id
    out = BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="roster-{crisis.id}.xlsx"'},
    )


@router.get("/plans/{country}", response_class=HTMLResponse)
def plan_page(country: str, request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    code = country.upper()
    if countries.get(code) is None:
        raise NotFound("country")
    return render(
        request,
        "crisis/plan.html",
        country=code,
        plan=queries.plan_of(session, code),
        may_edit=scope_of(officer).covers(code),
        country_name=countries.display_name,
    )


@router.post("/plans/{country}")
async def save_plan(
    country: str, request: Request, session: SessionDep, officer: AnyOfficer
) -> Response:
    code = country.upper()
    if countries.get(code) is None:
        raise NotFound("country")
    form = await request.form()
    texts = {field: str(form.get(field) or "") for field in PLAN_FIELDS}
    actions.save_plan(session, acting_user=officer, country=code, texts=texts)
    return RedirectResponse(f"/console/crisis/plans/{code}", status_code=303)
