"""``kieubao intake``: the servers that take messages in."""

import threading

import typer

from kieubao.inbound.smtp import IntakeServer

NAME = "intake"
app = typer.Typer(help="Messages coming in by email.", no_args_is_help=True)


@app.command("smtp")
def smtp(
    port: int = typer.Option(2525, help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
) -> None:
    """Take mail in: each becomes a case, a message on a case, or a safety-check answer."""
    with IntakeServer(host, port):
        typer.echo(f"taking mail in on {host}:{port}; Ctrl-C to stop")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            typer.echo("stopped")
