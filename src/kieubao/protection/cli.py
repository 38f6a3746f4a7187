"""``kieubao protection``: case types and deadlines from the command line."""

import typer

from kieubao.platform import audit
from kieubao.platform.db import session_scope
from kieubao.protection import actions

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
