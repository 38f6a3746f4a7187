"""The registry's background work: imports, and records that age (trips, re-confirmation)."""

from datetime import date

from huey import crontab
from sqlalchemy import select

from kieubao.platform import audit, i18n
from kieubao.platform.db import session_scope
from kieubao.platform.jobs import enqueue, exclusive, job, on_worker_start
from kieubao.platform.models import User
from kieubao.registry.actions import lifecycle
from kieubao.registry.actions.imports import import_batch, open_import
from kieubao.registry.models import ImportJob

SYSTEM = audit.System("registry")


@job(retries=3)
def run_import(*, import_id: int, locale: str | None = None) -> None:
    """Import a file to its end; a run after a crash resumes and repeats nothing. Row errors
    are written in ``locale`` (the sender's language)."""
    with i18n.speaking(locale), exclusive(f"import-{import_id}"), session_scope() as session:
        import_job = session.get(ImportJob, import_id)
        if import_job is None or import_job.status in ("done", "failed"):
            return
        creator = session.get(User, import_job.created_by_id) if import_job.created_by_id else None
        actor = creator or SYSTEM
        table = open_import(session, acting_user=actor, job=import_job)
        if table is None:
            return
        try:
            while import_batch(session, acting_user=actor, job=import_job, table=table):
                pass
        finally:
            table.close()  # read to the end already, unless a batch failed


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
