"""``kieubao feeds``: hazard feeds by hand and on demand."""

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from kieubao.crisis import actions
from kieubao.crisis.actions.polling import due_sources, poll_source
from kieubao.crisis.feeds import MAX_BYTES, FeedError
from kieubao.crisis.fetch import FetchError, fetch
from kieubao.crisis.jobs import SYSTEM
from kieubao.crisis.queries import feed_sources
from kieubao.platform.db import session_scope

NAME = "feeds"
app = typer.Typer(help="Hazard feeds: USGS, GDACS and CAP 1.2.", no_args_is_help=True)
Kind = Literal["usgs", "gdacs", "cap"]


def _read(where: str) -> bytes:
    if where.startswith(("http://", "https://")):
        got = fetch(where)
        assert got.body is not None
        return got.body
    path = Path(where)
    if not path.is_file():
        raise typer.BadParameter(f"no such file: {where}", param_hint="PATH_OR_URL")
    if path.stat().st_size > MAX_BYTES:
        raise typer.BadParameter(
            f"the file is larger than {MAX_BYTES // 1_000_000} MB", param_hint="PATH_OR_URL"
        )
    return path.read_bytes()


@app.command()
def ingest(
    path_or_url: Annotated[str, typer.Argument(metavar="PATH_OR_URL")],
    kind: Annotated[
        Kind | None, typer.Option(help="detected from the document if not given")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Ingest a feed or a CAP alert from a file or a URL, and say what it changed."""
    out = Console(stderr=False)
    try:
        body = _read(path_or_url)
        with session_scope() as session:
            result = actions.ingest(session, acting_user=SYSTEM, body=body, kind=kind)
    except (FeedError, FetchError) as exc:
        if as_json:
            print(json.dumps({"error": str(exc)}))
        else:
            out.print(f"[red]rejected:[/red] {exc}")
        raise typer.Exit(1) from exc
    summary = result.as_dict()
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    out.print(
        f"{result.kind}: {result.new} new, {result.updated} updated, "
        f"{result.unchanged} unchanged, {len(result.rejected)} rejected"
    )
    for rejection in result.rejected:
        out.print(f"  rejected {rejection.item}: {rejection.reason}", markup=False)
    if result.links:
        out.print(f"  {len(result.links)} linked CAP alerts (fetched when polled from a URL)")


@app.command()
def poll(
    every: Annotated[bool, typer.Option("--all", help="every enabled source, due or not")] = False,
) -> None:
    """Poll the sources whose time has come, now, in this process."""
    with session_scope() as session:
        sources = [s for s in feed_sources(session) if s.enabled] if every else due_sources(session)
        for source in sources:
            try:
                result = poll_source(session, acting_user=SYSTEM, source=source)
                print(f"{source.name}: {result.new} new, {result.updated} updated")
            except (FeedError, FetchError) as exc:
                print(f"{source.name}: failed ({exc})")
