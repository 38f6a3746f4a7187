"""The baseline every intake is measured against: a bare FastAPI endpoint that inserts one row
per request into the same database, with the same durability (SQLite synchronous=FULL, or a
PostgreSQL commit), and answers. The ceiling of "write what came and say so"."""

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg

from demo_instance import wait_for
from kieubao.platform.smtp_sink import free_port

SQLITE = textwrap.dedent(
    """
    import json, sqlite3, threading
    from fastapi import FastAPI, Request
    from fastapi.concurrency import run_in_threadpool
    app = FastAPI()
    local = threading.local()
    def db():
        if not hasattr(local, "c"):
            local.c = sqlite3.connect(DB, timeout=30, isolation_level=None)
            local.c.execute("PRAGMA journal_mode=WAL")
            local.c.execute("PRAGMA synchronous=FULL")
        return local.c
    @app.post("/submit", status_code=201)
    def submit(body: dict) -> dict:
        c = db()
        c.execute("BEGIN IMMEDIATE")
        cur = c.execute("INSERT INTO bench_bare (body) VALUES (?)", (json.dumps(body),))
        c.execute("COMMIT")
        return {"id": cur.lastrowid}
    @app.post("/submit-form", status_code=201)
    async def submit_form(request: Request) -> dict:
        form = await request.form()
        return await run_in_threadpool(submit, {"fields": list(form.multi_items())})
    """
)

POSTGRES = textwrap.dedent(
    """
    import json, threading
    import psycopg
    from fastapi import FastAPI
    app = FastAPI()
    local = threading.local()
    def db():
        if not hasattr(local, "c"):
            local.c = psycopg.connect(DB)
        return local.c
    @app.post("/submit", status_code=201)
    def submit(body: dict) -> dict:
        c = db()
        insert = "INSERT INTO bench_bare (body) VALUES (%s) RETURNING id"
        row = c.execute(insert, (json.dumps(body),)).fetchone()
        c.commit()
        return {"id": row[0]}
    """
)


def start_bare(
    var: Path, database: str, workers: int = 1, *, access_log: bool = True
) -> tuple["subprocess.Popen[bytes]", str]:
    """Serve the bare endpoint on ``database`` (a SQLite file path or a PostgreSQL URL) with
    ``workers`` processes; returns the process and the endpoint's URL (``-form`` after it: the
    same insert of a form's fields, on SQLite)."""
    postgres = database.startswith("postgresql")
    table = "CREATE TABLE IF NOT EXISTS bench_bare (id {} PRIMARY KEY, body text)"
    if postgres:
        with psycopg.connect(database) as conn:
            conn.execute(table.format("serial"))
    else:
        with sqlite3.connect(database) as conn:
            conn.execute(table.format("integer"))
    (var / "bare_app.py").write_text(f"DB = {database!r}\n" + (POSTGRES if postgres else SQLITE))
    port = free_port()
    # Served as the kieubao it is measured against is: as many processes, its access log on
    # (to nowhere) or off alike.
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bare_app:app",
            "--port",
            str(port),
            *([] if access_log else ["--no-access-log"]),
            "--workers",
            str(workers),
        ],
        cwd=var,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(f"http://127.0.0.1:{port}/docs", timeout=120)
    return process, f"http://127.0.0.1:{port}/submit"
