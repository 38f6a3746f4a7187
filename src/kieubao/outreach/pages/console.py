"""The officers' side of advisories: drafting, review, approval and publication."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from kieubao.outreach import actions, queries
from kieubao.outreach.models import AdvisoryVersion, Reason
from kieubao.outreach.pages.portal import page_context
from kieubao.outreach.schemas import AdvisoryIn
from kieubao.platform import countries
from kieubao.platform.deps import AnyOfficer, SessionDep, scope_of
from kieubao.platform.errors import Problem
from kieubao.platform.web import render

router = APIRouter(prefix="/console/advisories")

STEPS = {
    "submit": actions.submit_for_review,
    "approve": actions.approve,
    "publish": actions.publish,
}


def _form_page(
    request: Request, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    return render(
        request,
        "outreach/console_form.html",
        status,
        values=values,
        errors=errors,
        countries=countries.all_countries(),
        reasons=list(Reason),
        **page_context(),
    )


@router.get("", response_class=HTMLResponse)
def workflow(request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    return render(
        request,
        "outreach/console_list.html",
        versions=queries.in_flight(session, scope_of(officer)),
        **page_context(),
    )


@router.get("/new", response_class=HTMLResponse)
def new(request: Request, officer: AnyOfficer) -> Response:
    return _form_page(request, {"country": "", "level": "", "reasons": []}, {})


@router.post("/new", response_class=HTMLResponse)
async def create(request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    form = await request.form()
    values = _values(form)
    try:
        data = AdvisoryIn.model_validate(values)
        version = actions.draft_advisory(session, acting_user=officer, data=data)
    except ValidationError as exc:
        errors = {str(e["loc"][0]): e["msg"] for e in exc.errors()}
        return _form_page(request, values, errors, 422)
    except Problem as exc:
        return _form_page(request, values, {"form": exc.detail}, exc.status)
    return RedirectResponse(f"/console/advisories/{version.id}", status_code=303)


@router.get("/{version_id:int}", response_class=HTMLResponse)
def version_page(
    request: Request, version_id: int, session: SessionDep, officer: AnyOfficer
) -> Response:
    version = queries.get_version(session, version_id)
    return _version_page(request, version, None)


@router.post("/{version_id:int}/{step}", response_class=HTMLResponse)
def advance(
    request: Request, version_id: int, step: str, session: SessionDep, officer: AnyOfficer
) -> Response:
    version = queries.get_version(session, version_id)
    action = STEPS.get(step)
    if action is None:
        return _version_page(request, version, f"unknown step {step!r}", 404)
    try:
        action(session, acting_user=officer, version=version)
    except Problem as exc:
        return _version_page(request, version, exc.detail, exc.status)
    return RedirectResponse(f"/console/advisories/{version.id}", status_code=303)


def _version_page(
    request: Request,
    version: AdvisoryVersion,
    error: str | None,
    status: int = 200,
) -> Response:
    current = [v for v in version.advisory.versions if v.published_at and v is not version]
    diff = queries.diff(current[-1], version) if current else None
    return render(
        request,
        "outreach/console_version.html",
        status,
        version=version,
        diff=diff,
        error=error,
        **page_context(),
    )


def _values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: str(form.get(name, "")).strip()
        for name in ("country", "region", "level", "advice_vi", "advice_en", "entry_vi", "entry_en")
    }
    values["reasons"] = [str(r) for r in form.getlist("reasons")]
    return values
