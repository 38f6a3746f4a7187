"""Bulk imports over the API: upload, follow the progress, fetch the error report."""

import csv
import io

from fastapi import APIRouter, UploadFile
from fastapi.responses import Response

from kieubao.platform import openapi
from kieubao.platform.deps import AnyOfficer, SessionDep
from kieubao.platform.settings import get_settings
from kieubao.platform.text import neutralise
from kieubao.registry import queries
from kieubao.registry.actions.imports import start_import
from kieubao.registry.models import ImportJob
from kieubao.registry.schemas import ImportOut

router = APIRouter(tags=["imports"])


def import_out(job: ImportJob) -> ImportOut:
    return ImportOut.model_validate(
        {
            **{k: getattr(job, k) for k in ImportOut.model_fields if k != "errors_url"},
            "errors_url": f"/api/v1/citizens/imports/{job.id}/errors.csv",
        }
    )


@router.post("/citizens/imports", status_code=202, response_model=ImportOut)
def upload(file: UploadFile, session: SessionDep, officer: AnyOfficer) -> ImportOut:
    """Import citizens from a CSV or XLSX file (columns in any order; full_name required).
    The import runs as a job: follow it at the returned id. A mission officer's rows for
    countries outside the mission are rejected."""
    # One byte more than allowed is enough to refuse it; the rest is never read.
    data = file.file.read(get_settings().import_max_bytes + 1)
    job = start_import(
        session, acting_user=officer, filename=file.filename or "import.csv", data=data
    )
    session.refresh(job)  # jobs may run inline, and then it is already done
    return import_out(job)


@router.get("/citizens/imports", response_model=list[ImportOut])
def imports(session: SessionDep, officer: AnyOfficer) -> list[ImportOut]:
    return [import_out(j) for j in queries.imports_for(session, officer)]


@router.get("/citizens/imports/{import_id}", response_model=ImportOut)
def progress(import_id: int, session: SessionDep, officer: AnyOfficer) -> ImportOut:
    """Rows done of total, and how many were created, matched to existing records or rejected."""
    return import_out(queries.get_import(session, import_id, officer))


@router.get(
    "/citizens/imports/{import_id}/errors.csv",
    **openapi.document("text/csv", "The problems, one a line."),
)
def errors(import_id: int, session: SessionDep, officer: AnyOfficer) -> Response:
    """One line per problem: the row as the spreadsheet numbers it, the column, the reason."""
    job = queries.get_import(session, import_id, officer)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "reason"])
    for error in queries.import_errors(session, job.id):
        writer.writerow([error.row_number, neutralise(error.column), neutralise(error.reason)])
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job.id}-errors.csv"'},
    )
