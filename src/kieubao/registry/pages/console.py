"""The officers' console: overview, search, entry, a citizen's record, duplicates."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kieubao.platform import countries
from kieubao.platform.deps import AnyOfficer, SessionDep, scope_of
from kieubao.platform.errors import Problem
from kieubao.platform.i18n import gettext as _
from kieubao.platform.web import render
from kieubao.registry import actions, queries
from kieubao.registry.models import NationalityStatus, Purpose, Sex, StayStatus
from kieubao.registry.pages.forms import citizen_from_form

router = APIRouter(prefix="/console")

CHOICES: dict[str, Any] = {
    "sexes": list(Sex),
    "stay_statuses": list(StayStatus),
    "nationality_statuses": list(NationalityStatus),
    "purposes": list(Purpose),
}


@router.get("", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    scope = scope_of(officer)
    return render(
        request,
        "registry/overview.html",
        figures=queries.figures(session, scope),
        duplicates=len(queries.open_duplicates(session, scope)),
        imports=queries.imports_for(session, officer, 5),
        country_name=countries.display_name,
    )


@router.get("/citizens", response_class=HTMLResponse)
def citizens(
    request: Request, session: SessionDep, officer: AnyOfficer, q: str = "", offset: int = 0
) -> Response:
    found = queries.search(session, scope_of(officer), q[:200], offset=max(offset, 0), limit=50)
    # HTMX asks for the result rows alone while the officer types.
    template = (
        "registry/_results.html" if request.headers.get("hx-request") else "registry/citizens.html"
    )
    return render(
        request, template, found=found, q=q, offset=offset, country_name=countries.display_name
    )


@router.get("/citizens/new", response_class=HTMLResponse)
def new_citizen(request: Request, officer: AnyOfficer) -> Response:
    return render(
        request,
        "registry/officer_entry.html",
        values={},
        errors={},
        countries=countries.all_countries(),
        **CHOICES,
    )


@router.post("/citizens/new", response_class=HTMLResponse)
async def create_citizen(request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    data, errors, values = citizen_from_form(await request.form())
    if data is not None and not scope_of(officer).covers(data.country):
        errors = {"country": _("outside your mission's jurisdiction")}
    if data is None or errors:
        return render(
            request,
            "registry/officer_entry.html",
            422,
            values=values,
            errors=errors,
            countries=countries.all_countries(),
            **CHOICES,
        )
    try:
        citizen = actions.register_citizen(session, acting_user=officer, data=data)
    except Problem as exc:
        return render(
            request,
            "registry/officer_entry.html",
            exc.status,
            values=values,
            errors={"form": exc.detail},
            countries=countries.all_countries(),
            **CHOICES,
        )
    return RedirectResponse(f"/console/citizens/{citizen.id}", status_code=303)


@router.get("/citizens/{citizen_id:int}", response_class=HTMLResponse)
def citizen(
    request: Request, citizen_id: int, session: SessionDep, officer: AnyOfficer
) -> Response:
    record = queries.read_citizen(session, officer, citizen_id)
    return render(
        request,
        "registry/citizen.html",
        c=record,
        transfers=queries.transfers(session, record),
        purposes=list(Purpose),
        country_name=countries.display_name,
        merge=queries.last_merge_of(session, record.id),
    )


@router.get("/duplicates", response_class=HTMLResponse)
def duplicates(request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    return render(
        request,
        "registry/duplicates.html",
        pairs=queries.open_duplicates(session, scope_of(officer)),
        country_name=countries.display_name,
    )


@router.post("/duplicates/{suspect_id}/merge")
def merge(
    suspect_id: int, session: SessionDep, officer: AnyOfficer, keep: Annotated[int, Form()]
) -> Response:
    scope = scope_of(officer)
    suspect = queries.get_suspicion(session, suspect_id, scope)
    absorbed_id = suspect.other_id if keep == suspect.citizen_id else suspect.citizen_id
    done = actions.merge_citizens(
        session,
        acting_user=officer,
        survivor=queries.get_citizen(session, keep, scope),
        absorbed=queries.get_citizen(session, absorbed_id, scope),
    )
    return RedirectResponse(
        f"/console/citizens/{done.survivor_id}?merged={done.id}", status_code=303
    )


@router.post("/duplicates/{suspect_id}/dismiss")
def dismiss(suspect_id: int, session: SessionDep, officer: AnyOfficer) -> Response:
    suspect = queries.get_suspicion(session, suspect_id, scope_of(officer))
    actions.dismiss_duplicate(session, acting_user=officer, suspect=suspect)
    return RedirectResponse("/console/duplicates", status_code=303)


@router.post("/merges/{merge_id}/undo")
def undo(merge_id: int, session: SessionDep, officer: AnyOfficer) -> Response:
    merge_row = queries.get_merge(session, merge_id, scope_of(officer))
    actions.undo_merge(session, acting_user=officer, merge=merge_row)
    return RedirectResponse(f"/console/citizens/{merge_row.survivor_id}", status_code=303)
