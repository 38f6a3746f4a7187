"""Bulk import: a file becomes registrations, a batch at a time, resumable and idempotent.

Each batch is one transaction holding its rows and the progress counters, so a crash between
batches resumes exactly where it stopped and no row is done twice. Each row is a SAVEPOINT:
a bad row leaves nothing half-written and never stops the good ones. A row whose person is
already registered (same reference, or a match the system would bet on) counts as matched
and creates nothing, so importing the same file twice adds no one.
"""

import hashlib
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, on_commit, utcnow
from kieubao.platform.deps import Scope
from kieubao.platform.errors import Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.platform.jobs import enqueue
from kieubao.platform.missions import MissionDirectory
from kieubao.platform.settings import get_settings
from kieubao.registry import matching
from kieubao.registry.actions.registration import add_citizen
from kieubao.registry.imports import FileProblem, Table, count_rows, open_table, registration
from kieubao.registry.models import Citizen, ImportJob, ImportRowError

BATCH = 500
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")


def start_import(session: Session, *, acting_user: Actor, filename: str, data: bytes) -> ImportJob:
    """Keep the file and queue its import; the rows are read by the job."""
    name = Path(filename).name or "import.csv"
    if not name.lower().endswith(SUFFIXES):
        raise Invalid("file", _("send a CSV or XLSX file"))
    if not data:
        raise Invalid("file", _("the file is empty"))
    if len(data) > get_settings().import_max_bytes:
        raise Invalid(
            "file",
            _("the file is larger than {mb} MB").format(
                mb=get_settings().import_max_bytes // 2**20
            ),
        )
    sha = hashlib.sha256(data).hexdigest()
    stored = get_settings().var_path("imports", f"{sha}{Path(name).suffix.lower()}")
    if not stored.exists():
        stored.write_bytes(data)
    try:
        open_table(stored, name)  # headers now: a file we cannot read is refused at once
    except FileProblem as exc:
        raise Invalid("file", str(exc)) from exc
    job = ImportJob(
        filename=name,
        file_digest=sha,
        stored_path=str(stored),
        status="queued",
        created_by_id=acting_user.id,
        created_at=utcnow(),
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        acting_user,
        "import.started",
        "import",
        job.id,
        after={"file": name, "sha256": sha},
    )
    from kieubao.registry.jobs import run_import

    on_commit(session, enqueue, run_import, import_id=job.id)
    commit(session)
    return job


def begin(session: Session, job: ImportJob) -> Table | None:
    """Open the file and count its rows; a file that cannot be read fails the import."""
    path, name = Path(job.stored_path), job.filename
    try:
        if job.status == "queued":
            job.total_rows = count_rows(path, name)
            job.status = "running"
            commit(session)
        table = open_table(path, name)
    except FileProblem as exc:
        fail(session, job, str(exc))
        return None
    noted = session.scalar(
        select(ImportRowError.id).where(
            ImportRowError.import_id == job.id, ImportRowError.row_number == 1
        )
    )
    if table.ignored and noted is None:
        reason = _("columns ignored: {names}").format(names=", ".join(table.ignored))
        session.add(ImportRowError(import_id=job.id, row_number=1, column="", reason=reason[:500]))
        commit(session)
    return table


def fail(session: Session, job: ImportJob, reason: str) -> None:
    job.status = "failed"
    job.error = reason[:1000]
    job.finished_at = utcnow()
    audit.record(session, audit.System("import"), "import.failed", "import", job.id)
    commit(session)


def import_batch(
    session: Session,
    *,
    acting_user: Actor,
    job: ImportJob,
    table: Table,
    rows: Iterator[tuple[int, list[str]]],
    scope: Scope,
    missions: MissionDirectory,
) -> bool:
    """Import the next batch from ``rows``; False once the file is done."""
    batch = list(islice(rows, BATCH))
    for number, cells in batch:
        _import_row(session, acting_user, job, table, number, cells, scope, missions)
    job.rows_done += len(batch)
    if len(batch) < BATCH:
        job.status = "done"
        job.total_rows = job.rows_done
        job.finished_at = utcnow()
        audit.record(
            session,
            acting_user,
            "import.finished",
            "import",
            job.id,
            after={"created": job.created, "matched": job.matched, "rejected": job.rejected},
        )
    commit(session)
    return len(batch) == BATCH


def _import_row(
    session: Session,
    actor: Actor,
    job: ImportJob,
    table: Table,
    number: int,
    cells: list[str],
    scope: Scope,
    missions: MissionDirectory,
) -> None:
    data = registration(table, number, cells)
    if isinstance(data, list):
        _reject(session, job, [(e.column, e.reason) for e in data], number)
        return
    if not scope.covers(data.country):
        reason = _("{country} is outside your mission's jurisdiction").format(country=data.country)
        _reject(session, job, [(_column(table, "country"), reason)], number)
        return
    if data.external_ref and session.scalar(
        select(Citizen.id).where(Citizen.external_ref == data.external_ref)
    ):
        job.matched += 1
        return
    found = matching.match(
        session,
        name=data.full_name,
        date_of_birth=data.date_of_birth,
        country=data.country,
        limit=1,
    )
    if found.best is not None:
        job.matched += 1
        return
    try:
        with session.begin_nested():
            add_citizen(session, actor, data, source="import", missions=missions, found=found)
    except Exception as exc:
        _reject(session, job, [("", str(exc)[:500])], number)
        return
    job.created += 1


def _column(table: Table, column: str) -> str:
    return next((table.headers[i] for i, c in table.columns.items() if c == column), column)


def _reject(session: Session, job: ImportJob, errors: list[tuple[str, str]], number: int) -> None:
    job.rejected += 1
    by_column: dict[str, list[str]] = {}
    for column, reason in errors:
        by_column.setdefault(column[:60], []).append(reason)
    for column, reasons in by_column.items():
        session.add(
            ImportRowError(
                import_id=job.id, row_number=number, column=column, reason="; ".join(reasons)[:500]
            )
        )
