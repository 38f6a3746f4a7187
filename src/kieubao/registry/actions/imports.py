"""Bulk import: a file becomes registrations, a batch at a time, resumable and idempotent.

Each batch is one transaction holding its rows and the progress counters, so a crash between
batches resumes exactly where it stopped and no row is done twice. Each row is a SAVEPOINT:
a bad row leaves nothing half-written and never stops the good ones. A row whose person is
already registered (same reference, or a match the system would bet on) counts as matched
and creates nothing, so importing the same file twice adds no one. A batch's people are
matched together; one who could be someone the batch has just registered, again alone.
"""

import hashlib
import logging
import os
from collections import Counter
from itertools import islice
from pathlib import Path, PureWindowsPath
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from kieubao.platform import audit, i18n
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, on_commit, utcnow
from kieubao.platform.deps import Scope, scope_of
from kieubao.platform.errors import Invalid, Problem
from kieubao.platform.i18n import gettext as _
from kieubao.platform.jobs import enqueue
from kieubao.platform.missions import directory
from kieubao.platform.models import User
from kieubao.platform.settings import get_settings
from kieubao.registry import matching
from kieubao.registry.actions.registration import add_citizen
from kieubao.registry.blocking import name_keys
from kieubao.registry.imports import (
    FileProblem,
    RowError,
    Table,
    Values,
    count_rows,
    open_table,
    registration,
)
from kieubao.registry.models import Citizen, ImportJob, ImportRowError
from kieubao.registry.schemas import CitizenIn

log = logging.getLogger(__name__)

BATCH = 500
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
# As many candidates as duplicate suspicion looks at, so the registration reuses the match.
CANDIDATES = 20
Outcome = Literal["created", "matched", "rejected"]


def start_import(session: Session, *, acting_user: Actor, filename: str, data: bytes) -> ImportJob:
    """Keep the file and queue its import; a file that cannot be read is refused at once."""
    settings = get_settings()
    # The name alone, whether the browser sent a Windows path or a POSIX one.
    name = PureWindowsPath(filename).name or "import.csv"
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise Invalid("file", _("send a CSV or XLSX file"))
    if not data:
        raise Invalid("file", _("the file is empty"))
    if len(data) > settings.import_max_bytes:
        limit = settings.import_max_bytes // 2**20
        raise Invalid("file", _("the file is larger than {mb} MB").format(mb=limit))
    sha = hashlib.sha256(data).hexdigest()
    stored = settings.var_path("imports", f"{sha}{suffix}")
    # Read the headers from a private copy first: a refused file leaves nothing on disk.
    trial = stored.with_name(f".{sha}.{os.getpid()}{suffix}")
    trial.write_bytes(data)
    try:
        open_table(trial, name).close()
    except FileProblem as exc:
        trial.unlink()
        raise Invalid("file", str(exc)) from exc
    trial.replace(stored)
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
    # Imported here, not at the top: the job module imports this one.
    from kieubao.registry.jobs import run_import

    # The row errors are written in the language of the person who sent the file.
    on_commit(session, enqueue, run_import, import_id=job.id, locale=i18n.current_locale.get())
    commit(session)
    return job


def open_import(session: Session, *, acting_user: Actor, job: ImportJob) -> Table | None:
    """The file, positioned after the rows already imported; None when it cannot be read
    (the import is then marked failed)."""
    path = Path(job.stored_path)
    try:
        if job.status == "queued":
            job.total_rows = count_rows(path, job.filename)
            job.status = "running"
            commit(session)
        table = open_table(path, job.filename)
    except FileProblem as exc:
        fail_import(session, acting_user=acting_user, job=job, reason=str(exc))
        return None
    if table.ignored and not _warned(session, job):
        reason = _("columns ignored: {names}").format(names=", ".join(table.ignored))
        session.add(ImportRowError(import_id=job.id, row_number=0, column="", reason=reason[:500]))
        commit(session)
    # The rows before were committed with the counter that says how many they were.
    for _done in islice(table.rows, job.rows_done):
        pass
    return table


def _warned(session: Session, job: ImportJob) -> bool:
    found = session.scalar(
        select(ImportRowError.id).where(
            ImportRowError.import_id == job.id, ImportRowError.row_number == 0
        )
    )
    return found is not None


def fail_import(session: Session, *, acting_user: Actor, job: ImportJob, reason: str) -> None:
    job.status = "failed"
    job.error = reason[:1000]
    job.finished_at = utcnow()
    audit.record(session, acting_user, "import.failed", "import", job.id, after={"error": reason})
    commit(session)


def import_batch(session: Session, *, acting_user: Actor, job: ImportJob, table: Table) -> bool:
    """Import the next batch of ``table``'s rows in one transaction; False once it is over."""
    batch: list[tuple[int, Values | RowError]] = []
    broken = None
    try:
        for row in islice(table.rows, BATCH):
            batch.append(row)
    except FileProblem as exc:  # the file breaks off midway: what came before is imported
        broken = str(exc)
    work = _Batch(session, acting_user, job, table, batch)
    # Counted here and written once with the batch, not flushed row by row.
    outcomes = Counter(work.import_row(number, data) for number, data in work.rows)
    job.created += outcomes["created"]
    job.matched += outcomes["matched"]
    job.rejected += outcomes["rejected"]
    job.rows_done += len(batch)
    if broken is not None:
        fail_import(session, acting_user=acting_user, job=job, reason=broken)
        return False
    more = len(batch) == BATCH
    if not more:
        job.status = "done"
        job.total_rows = job.rows_done
        job.finished_at = utcnow()
        counts = {"created": job.created, "matched": job.matched, "rejected": job.rejected}
        audit.record(session, acting_user, "import.finished", "import", job.id, after=counts)
    commit(session)
    return more


class _Batch:
    """The rows of one batch read as registrations, and what they share: who imports, where,
    which references are registered already (one query for the batch, not one per row)."""

    def __init__(
        self,
        session: Session,
        actor: Actor,
        job: ImportJob,
        table: Table,
        batch: list[tuple[int, Values | RowError]],
    ) -> None:
        self.session, self.actor, self.job, self.table = session, actor, job, table
        self.scope = scope_of(actor) if isinstance(actor, User) else Scope(None, True)
        self.missions = directory(session)
        # A mission's list for its one country often has no country column.
        countries = self.scope.countries
        only = next(iter(countries)) if countries and len(countries) == 1 else None
        self.rows = [(n, registration(table, n, v, default_country=only)) for n, v in batch]
        refs = {d.external_ref for _, d in self.rows if isinstance(d, CitizenIn) and d.external_ref}
        self.registered = set(
            session.scalars(select(Citizen.external_ref).where(Citizen.external_ref.in_(refs)))
        )
        self.found = self._matched_together()
        # What the people this batch registered are filed under, to match against.
        self.filed: set[str] = set()

    def _matched_together(self) -> dict[int, matching.MatchResult]:
        """The batch's people matched at once, against the registry as the batch began: a
        few statements a hundred rows, not a few a row."""
        wanted = {
            number: matching.Wanted(data.full_name, data.date_of_birth, data.country)
            for number, data in self.rows
            if isinstance(data, CitizenIn)
            and self.scope.covers(data.country)
            and data.external_ref not in self.registered
        }
        found = matching.match_many(self.session, list(wanted.values()), limit=CANDIDATES)
        return dict(zip(wanted, found, strict=True))

    def _match(self, number: int, data: CitizenIn) -> matching.MatchResult:
        """The row's match made with the batch's, or made again now that someone the batch
        registered before it shares a key with it (the same person twice in one file)."""
        wanted = matching.Wanted(data.full_name, data.date_of_birth, data.country)
        if matching.keys_read(wanted) & self.filed:
            return matching.match(
                self.session,
                name=data.full_name,
                date_of_birth=data.date_of_birth,
                country=data.country,
                limit=CANDIDATES,
            )
        return self.found[number]

    def import_row(self, number: int, data: CitizenIn | list[RowError]) -> Outcome:
        result = self._register(number, data)
        if isinstance(result, str):
            return result
        by_column: dict[str, list[str]] = {}
        for error in result:
            by_column.setdefault(error.column[:60], []).append(error.reason)
        self.session.add_all(
            ImportRowError(
                import_id=self.job.id,
                row_number=number,
                column=column,
                reason="; ".join(reasons)[:500],
            )
            for column, reasons in by_column.items()
        )
        return "rejected"

    def _register(
        self, number: int, data: CitizenIn | list[RowError]
    ) -> Literal["created", "matched"] | list[RowError]:
        if isinstance(data, list):
            return data
        if not self.scope.covers(data.country):
            reason = _("{country} is outside your mission's jurisdiction").format(
                country=data.country
            )
            return [RowError(number, self.table.header("country"), reason)]
        if data.external_ref in self.registered:
            return "matched"
        try:
            with self.session.begin_nested():
                found = self._match(number, data)
                if found.best is not None:
                    return "matched"
                citizen = add_citizen(
                    self.session,
                    self.actor,
                    data,
                    source="import",
                    missions=self.missions,
                    found=found,
                )
        except OperationalError:
            raise  # the database is failing, not the row: the batch is retried
        except Problem as exc:
            return [RowError(number, "", exc.detail)]
        except DBAPIError as exc:  # e.g. a value longer than its column: the driver's first line
            return [RowError(number, "", str(exc.orig).splitlines()[0])]
        except Exception:
            # A fault of ours must not stop the other rows; the log has the details.
            log.exception("import row %s could not be registered", number)
            return [RowError(number, "", _("the row could not be registered (an internal error)"))]
        if data.external_ref:  # the same reference further down the file is this person
            self.registered.add(data.external_ref)
        self.filed |= name_keys(
            citizen.full_name, citizen.birth_year, citizen.birth_month, citizen.birth_day
        )
        return "created"
