"""Imports in the console: upload a spreadsheet, watch it run, download its error report."""

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kieubao.platform.deps import AnyOfficer, SessionDep
from kieubao.platform.errors import Problem
from kieubao.platform.settings import get_settings
from kieubao.platform.web import render
from kieubao.registry import queries
from kieubao.registry.actions.imports import start_import

router = APIRouter(prefix="/console/imports", include_in_schema=False)
SHOWN_ERRORS = 50


@router.get("", response_class=HTMLResponse)
def imports(request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    return render(
        request, "registry/imports.html", imports=queries.imports_for(session, officer), error=None
    )


@router.post("", response_class=HTMLResponse)
def upload(
    request: Request, file: UploadFile, session: SessionDep, officer: AnyOfficer
) -> Response:
    data = file.file.read(get_settings().import_max_bytes + 1)
    try:
        job = start_import(session, acting_user=officer, filename=file.filename or "", data=data)
    except Problem as exc:
        return render(
            request,
            "registry/imports.html",
            exc.status,
            imports=queries.imports_for(session, officer),
            error=exc.detail,
        )
    return RedirectResponse(f"/console/imports/{job.id}", status_code=303)


@router.get("/{import_id}", response_class=HTMLResponse)
def detail(request: Request, import_id: int, session: SessionDep, officer: AnyOfficer) -> Response:
    job = queries.get_import(session, import_id, officer)
    # HTMX polls for the progress block alone until the import ends.
    template = (
        "registry/_import_progress.html"
        if request.headers.get("hx-request")
        else "registry/import_detail.html"
    )
    ended = job.status in ("done", "failed")
    errors = queries.import_errors(session, job.id)[:SHOWN_ERRORS] if ended else []
    return render(request, template, job=job, errors=errors)
