"""The registry's background work: imports, and records that age (trips, re-confirmation)."""

from datetime import date
from itertools import islice

from huey import crontab
from sqlalchemy import select

from kieubao.platform import audit, missions
from kieubao.platform.db import session_scope
from kieubao.platform.deps import Scope, scope_of
from kieubao.platform.jobs import enqueue, exclusive, job, on_worker_start
from kieubao.platform.models import User
from kieubao.registry.actions import lifecycle
from kieubao.registry.actions.imports import begin, import_batch
from kieubao.registry.models import ImportJob

SYSTEM = audit.System("registry")


@job(retries=3)
def run_import(*, import_id: int) -> None:
    """Import a file to its end; a run after a crash resumes and repeats nothing."""
    with exclusive(f"import-{import_id}"), session_scope() as session:
        job_row = session.get(ImportJob, import_id)
        if job_row is None or job_row.status in ("done", "failed"):
            return
        user = session.get(User, job_row.created_by_id) if job_row.created_by_id else None
        actor = user or SYSTEM
        scope = scope_of(user) if user else Scope(None, True)
        table = begin(session, job_row)
        if table is None:
            return
        rows = table.rows
        for _ in islice(rows, job_row.rows_done):
            pass  # done before a crash, and committed
        directory = missions.directory(session)
        while import_batch(
            session,
            acting_user=actor,
            job=job_row,
            table=table,
            rows=rows,
            scope=scope,
            missions=directory,
        ):
            pass


@job(schedule=crontab(hour="2", minute="15"))
def expire_trips() -> None:
    with session_scope() as session:
        lifecycle.expire_trips(session, acting_user=SYSTEM, today=date.today())  # noqa: DTZ011


@job(schedule=crontab(hour="3", minute="0"))
def ask_for_reconfirmation() -> None:
    with session_scope() as session:
        while lifecycle.mark_stale_and_remind(session, acting_user=SYSTEM):
            pass


@on_worker_start
def resume_imports() -> None:
    """Imports a killed worker was running start again where their last batch ended."""
    with session_scope() as session:
        unfinished = session.scalars(
            select(ImportJob.id).where(ImportJob.status.in_(("queued", "running")))
        )
        for import_id in unfinished:
            enqueue(run_import, import_id=import_id)
