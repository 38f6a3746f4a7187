"""``kieubao privacy``: the record of processing, and the deadline checks run by hand."""

import typer

from kieubao.platform import audit
from kieubao.platform.db import session_scope
from kieubao.privacy import actions

app = typer.Typer(help="Personal data protection.", no_args_is_help=True)
CLI = audit.System("cli")


@app.command("load")
def load() -> None:
    """Add the bundled processing activities not yet in the record (edited ones stay)."""
    with session_scope() as session:
        added = actions.load_activities(session, acting_user=CLI)
    typer.echo(f"{added} processing activities added")


@app.command("remind")
def remind() -> None:
    """Send the reminders and breach alerts due now (the worker does it every 15 minutes)."""
    with session_scope() as session:
        requests = actions.remind_due(session, acting_user=CLI)
        breaches = actions.alert_breaches(session, acting_user=CLI)
    typer.echo(f"{requests} request reminders, {breaches} breach alerts")
