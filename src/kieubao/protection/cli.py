"""``kieubao protection``: case types and deadlines from the command line."""

import typer

from kieubao.platform import audit, missions
from kieubao.platform.db import get_engine, session_scope
from kieubao.protection import actions, search, synthetic

app = typer.Typer(help="Citizen protection cases.", no_args_is_help=True)


@app.command("seed-types")
def seed_types() -> None:
    """Create or refresh the bundled case types and their procedures."""
    with session_scope() as session:
        changed = actions.load_case_types(session, acting_user=audit.System("cli"))
    typer.echo(f"{changed} case types created or changed")


@app.command("escalate")
def escalate() -> None:
    """Escalate the steps past their deadline now (the worker does it every five minutes)."""
    with session_scope() as session:
        count = actions.escalate_overdue(session, acting_user=audit.System("cli"))
    typer.echo(f"{count} overdue steps escalated")


@app.command("reindex")
def reindex() -> None:
    """Build the search index of every case again (after the upgrade that adds it)."""
    with session_scope() as session:
        count = search.reindex_all(session)
    typer.echo(f"{count} cases indexed")


@app.command("generate")
def generate(
    n: int = typer.Option(..., min=1, help="How many cases to add."),
    seed: int = typer.Option(1, help="The same seed writes the same cases."),
) -> None:
    """Add n synthetic cases with Vietnamese names (for load and search benchmarks only)."""
    with session_scope() as session:
        missions.load_seed(session, acting_user=audit.System("cli"))
        actions.load_case_types(session, acting_user=audit.System("cli"))
    with get_engine().connect() as conn:
        count = synthetic.load(conn, n, seed=seed, done=lambda k: typer.echo(f"{k} cases"))
    typer.echo(f"{count} synthetic cases written")
