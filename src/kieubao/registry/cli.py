"""``kieubao registry``: imports and matching from the command line."""

import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from huey.exceptions import TaskLockedException
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import session_scope
from kieubao.platform.errors import Problem
from kieubao.platform.models import User
from kieubao.platform.settings import get_settings
from kieubao.registry import matching
from kieubao.registry.actions.imports import start_import
from kieubao.registry.jobs import run_import
from kieubao.registry.models import ImportJob

app = typer.Typer(help="The registry of citizens abroad.", no_args_is_help=True)


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    wait: Annotated[bool, typer.Option(help="run now, with a progress bar, until done")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="the officer importing")] = None,
) -> None:
    """Import citizens from a CSV or XLSX file."""
    settings = get_settings()
    with session_scope() as session:
        actor: Actor = audit.System("cli")
        if as_user:
            user = session.scalar(select(User).where(User.email == as_user.lower()))
            if user is None:
                raise typer.BadParameter(f"no user {as_user}", param_hint="--as")
            actor = user
        with file.open("rb") as stream:  # one byte over the limit is enough to refuse it
            data = stream.read(settings.import_max_bytes + 1)
        try:
            job = start_import(session, acting_user=actor, filename=file.name, data=data)
        except Problem as exc:
            typer.secho(exc.detail, err=True, fg=typer.colors.RED)
            raise typer.Exit(1) from exc
        session.refresh(job)
        import_id, finished = job.id, job.status in ("done", "failed")
    page = f"{settings.base_url}/console/imports/{import_id}"
    if not wait:
        typer.echo(f"import {import_id} queued; follow it at {page}")
        return
    worker = _Worker(import_id)
    if not finished:  # jobs may run inline (KIEUBAO_JOBS_IMMEDIATE): then it is done already
        worker.start()
    final = _follow(import_id, worker)
    if worker.is_alive():
        worker.join()
    typer.echo(
        f"{final.status}: {final.rows_done} rows, {final.created} created, "
        f"{final.matched} matched existing, {final.rejected} rejected"
    )
    if final.error:
        typer.secho(final.error, err=True, fg=typer.colors.RED)
    if final.rejected or final.status != "done":
        typer.echo(
            f"error report: {settings.base_url}/api/v1/citizens/imports/{import_id}/errors.csv"
        )
        typer.echo(f"or in the console: {page}")
    if final.status != "done":
        raise typer.Exit(1)


class _Worker(threading.Thread):
    """The job, run here; when a worker elsewhere holds it, the progress shows that one's."""

    def __init__(self, import_id: int) -> None:
        super().__init__(daemon=True)
        self.import_id = import_id
        self.crashed: BaseException | None = None

    def run(self) -> None:
        try:
            run_import(import_id=self.import_id)
        except TaskLockedException:
            pass
        except Exception as exc:  # shown to the officer; a later run resumes the import
            self.crashed = exc


def _follow(import_id: int, worker: _Worker) -> ImportJob:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns) as progress:
        bar = progress.add_task("importing", total=None)
        while True:
            with session_scope() as session:
                job = session.get(ImportJob, import_id)
                assert job is not None
                session.expunge(job)
            progress.update(bar, completed=job.rows_done, total=job.total_rows or None)
            if job.status in ("done", "failed"):
                return job
            if worker.crashed is not None:
                # Its batches so far are kept; a worker resumes it from there when it starts.
                job.error = f"the import stopped: {worker.crashed}"
                return job
            time.sleep(0.3)


@app.command("match")
def match(
    name: Annotated[str, typer.Option()],
    dob: Annotated[str | None, typer.Option()] = None,
    country: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Who a name, a birth date and a country could be."""
    with session_scope() as session:
        result = matching.match(session, name=name, date_of_birth=dob, country=country)
    for candidate in result.candidates:
        mark = "best" if result.best and candidate.id == result.best.id else "    "
        typer.echo(
            f"{mark} {candidate.score:.2f} #{candidate.id} {candidate.full_name} "
            f"{candidate.date_of_birth or '-'} {candidate.country}"
        )
