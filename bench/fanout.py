"""Fan-out of one notice to many email recipients into a local SMTP sink: the outbox's
workers against a naive loop (one EmailMessage and one SMTP connection per mail).

Figures: messages/s end to end (queueing included for the outbox), duplicates, lost.
``--quick`` sends 5,000 instead of 100,000."""

import os
import smtplib
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.orm import Session

from kieubao.platform import db, migrate, outbox
from kieubao.platform.smtp_sink import Sink
from results import record

WORKERS = int(os.environ.get("FANOUT_WORKERS", "2"))
CONTEXT = {"title": "Safety check", "text": "Reply SAFE or HELP."}


def _address(i: int, run: str) -> str:
    return f"{run}{i}@example.vn"


def engine_run(n: int, sink: Sink, var: Path) -> float:
    url = f"sqlite:///{var}/bench.db"
    # Set before the settings are first read, here and in the workers. The delivery jobs
    # that queueing asks for wait in var/ unconsumed: the workers below drain directly.
    os.environ.update(
        KIEUBAO_VAR_DIR=str(var),
        KIEUBAO_DATABASE_URL=url,
        KIEUBAO_SMTP_HOST="127.0.0.1",
        KIEUBAO_SMTP_PORT=str(sink.port),
    )
    engine = db.build_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(connection)
    started = time.perf_counter()
    with Session(engine) as session:
        outbox.queue(
            session,
            send_key="bench",
            kind="notice",
            context=CONTEXT,
            messages=[
                outbox.Message(f"bench:{i}", "email", _address(i, "e"), "vi", {"name": str(i)})
                for i in range(n)
            ],
        )
        db.commit(session)
    queued = time.perf_counter() - started
    print(f"{n} messages queued in {queued:.2f}s", flush=True)
    code = "from kieubao.platform.delivery import drain; drain('email')"
    workers = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(WORKERS)]
    for worker in workers:
        worker.wait()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def naive_run(n: int, sink: Sink) -> float:
    started = time.perf_counter()
    for i in range(n):
        msg = EmailMessage()
        msg["From"] = "kieubao@localhost"
        msg["To"] = _address(i, "n")
        msg["Subject"] = CONTEXT["title"]
        msg.set_content(CONTEXT["text"])
        with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
            smtp.send_message(msg)
    return time.perf_counter() - started


def figures(sink: Sink, prefix: str, n: int, elapsed: float) -> dict[str, float | int]:
    mine = {a: c for a, c in sink.recipients.items() if a.startswith(prefix)}
    return {
        "messages": n,
        "seconds": round(elapsed, 2),
        "msg_per_s": round(n / elapsed),
        "duplicates": sum(c - 1 for c in mine.values()),
        "lost": n - len(mine),
    }


def main() -> None:
    n = 5_000 if "--quick" in sys.argv else 100_000
    with tempfile.TemporaryDirectory() as var, Sink() as sink:
        engine = figures(sink, "e", n, engine_run(n, sink, Path(var)))
        naive = figures(sink, "n", n, naive_run(n, sink))
    print(f"outbox: {engine}\nnaive:  {naive}")
    record("fanout_email", {"outbox": engine, "naive_loop": naive, "workers": WORKERS})


if __name__ == "__main__":
    main()
