"""Fan-out of one safety check to many people: nine in ten by email into a local SMTP sink
(aiosmtpd), the tenth by SMS to a local gateway speaking the generic gateway's shape. The
outbox's workers against a naive loop (one EmailMessage and one SMTP connection per mail,
one HTTP connection per text) in the same run.

Figures: messages/s end to end (queueing included for the outbox), duplicates and lost
counted from what the sink and the gateway received; the median of ``FANOUT_REPEATS``
runs. ``--quick`` sends 5,000 instead of 100,000. The naive loop, a hundred times slower,
sends ``FANOUT_NAIVE`` messages (10,000 by default) per run."""

import json
import os
import resource
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

from kieubao.domains import install_templates
from kieubao.platform import db, migrate, outbox
from kieubao.platform.smtp_sink import Sink, free_port
from results import record

EMAIL_WORKERS = int(os.environ.get("FANOUT_WORKERS", "2"))
SMS_WORKERS = int(os.environ.get("FANOUT_SMS_WORKERS", "1"))
SESSIONS = os.environ.get("FANOUT_SESSIONS", "16")
REPEATS = int(os.environ.get("FANOUT_REPEATS", "3"))
# Production mail servers offer RFC 2920 pipelining; "0" measures without it.
PIPELINING = os.environ.get("FANOUT_PIPELINING", "1") == "1"
NAIVE = int(os.environ.get("FANOUT_NAIVE", "10000"))
SMS_EVERY = 10  # one recipient in ten has a phone and no email
CONTEXT = {"title": "Osaka earthquake"}


class Gateway(ThreadingHTTPServer):
    """The generic SMS gateway: JSON {to, text, reference} in, {"id": ...} out."""

    daemon_threads = True
    received: Counter[str]
    lock: threading.Lock


class _GatewayHandler(BaseHTTPRequestHandler):
    server: Gateway
    protocol_version = "HTTP/1.1"  # keep-alive, as a real gateway offers
    # Headers and body go in two writes: with Nagle's algorithm, each answer would wait
    # for the client's delayed ACK.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.received[body["to"]] += 1
            answer = json.dumps({"id": f"gw-{sum(self.server.received.values())}"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        return None


def recipients(n: int, run: str) -> list[tuple[str, str]]:
    """(channel, address) for each recipient of a run; addresses carry the run's name."""
    return [
        ("sms", f"+{run}{i}") if i % SMS_EVERY == SMS_EVERY - 1 else ("email", f"{run}{i}@ex.vn")
        for i in range(n)
    ]


WORKER = """
import time
from kieubao.platform.delivery import drain
started = time.perf_counter()
sent = drain({channel!r})
print(f"  {channel} worker: {{sent}} sent in {{time.perf_counter() - started:.1f}}s", flush=True)
"""


def engine_run(people: list[tuple[str, str]], sink: Sink, gateway: Gateway, var: Path) -> float:
    url = f"sqlite:///{var}/bench.db"
    # Set before the settings are first read, here and in the workers. The delivery jobs
    # that queueing asks for wait in var/ unconsumed: the workers below drain directly.
    os.environ.update(
        KIEUBAO_VAR_DIR=str(var),
        KIEUBAO_DATABASE_URL=url,
        KIEUBAO_SMTP_HOST="127.0.0.1",
        KIEUBAO_SMTP_PORT=str(sink.port),
        KIEUBAO_SMTP_SESSIONS=SESSIONS,
        KIEUBAO_SMS_GATEWAY_URL=f"http://127.0.0.1:{gateway.server_port}/messages",
        KIEUBAO_OUTBOX_RATES='{"email": 0, "sms": 0}',
    )
    engine = db.build_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(connection)
    started, cpu_before = time.perf_counter(), _cpu_seconds()
    with Session(engine) as session:
        outbox.queue(
            session,
            send_key="bench",
            kind="safety_check",
            context=CONTEXT,
            messages=[
                outbox.Message(
                    f"bench:{i}",
                    channel,
                    address,
                    "vi",
                    {"name": f"Nguyễn Văn {i}", "link": f"https://kieubao.example/r/{i:08x}"},
                )
                for i, (channel, address) in enumerate(people)
            ],
        )
        db.commit(session)
    print(f"{len(people)} messages queued in {time.perf_counter() - started:.2f}s", flush=True)
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER.format(channel=name)])
        for name, count in (("email", EMAIL_WORKERS), ("sms", SMS_WORKERS))
        for _ in range(count)
    ]
    for worker in workers:
        worker.wait()
    elapsed = time.perf_counter() - started
    engine.dispose()
    cpu = _cpu_seconds() - cpu_before
    # This process queues and runs the sink and the gateway; the workers are its children.
    print(f"  CPU: {cpu * 1000 / len(people):.2f} ms a message, all processes", flush=True)
    return elapsed


def _cpu_seconds() -> float:
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def naive_run(people: list[tuple[str, str]], sink: Sink, gateway: Gateway) -> float:
    sms_url = f"http://127.0.0.1:{gateway.server_port}/messages"
    started = time.perf_counter()
    for i, (channel, address) in enumerate(people):
        text = f"Nguyễn Văn {i}, are you safe? https://kieubao.example/r/{i:08x}"
        if channel == "sms":
            httpx.post(sms_url, json={"to": address, "text": text, "reference": str(i)})
            continue
        msg = EmailMessage()
        msg["From"] = "kieubao@localhost"
        msg["To"] = address
        msg["Subject"] = f"Are you safe? {CONTEXT['title']}"
        msg.set_content(text)
        with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
            smtp.send_message(msg)
    return time.perf_counter() - started


def figures(
    people: list[tuple[str, str]], sink: Sink, gateway: Gateway, elapsed: float
) -> dict[str, Any]:
    got = {**sink.recipients, **gateway.received}
    return {
        "messages": len(people),
        "seconds": round(elapsed, 2),
        "msg_per_s": round(len(people) / elapsed),
        "duplicates": sum(max(got.get(a, 0) - 1, 0) for _, a in people),
        "lost": sum(1 for _, a in people if a not in got),
    }


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "messages": runs[0]["messages"],
        "msg_per_s": round(statistics.median(r["msg_per_s"] for r in runs)),
        "seconds": statistics.median(r["seconds"] for r in runs),
        "duplicates": sum(r["duplicates"] for r in runs),
        "lost": sum(r["lost"] for r in runs),
        "runs_msg_per_s": [r["msg_per_s"] for r in runs],
    }


def main() -> None:
    n = 5_000 if "--quick" in sys.argv else 100_000
    install_templates()  # the safety check's text lives with the crisis domain
    gateway = Gateway(("127.0.0.1", free_port()), _GatewayHandler)
    gateway.received, gateway.lock = Counter(), threading.Lock()
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    engine_runs, naive_runs = [], []
    with Sink() as sink:
        sink.handler.pipelining = PIPELINING
        for repeat in range(REPEATS):
            people = recipients(n, f"8{repeat}0")
            with tempfile.TemporaryDirectory() as var:
                engine_runs.append(
                    figures(people, sink, gateway, engine_run(people, sink, gateway, Path(var)))
                )
            print(f"outbox: {engine_runs[-1]}", flush=True)
            sample = recipients(min(n, NAIVE), f"8{repeat}1")
            naive_runs.append(figures(sample, sink, gateway, naive_run(sample, sink, gateway)))
            print(f"naive:  {naive_runs[-1]}", flush=True)
    gateway.shutdown()
    engine, naive = median_of(engine_runs), median_of(naive_runs)
    print(f"median outbox: {engine}\nmedian naive:  {naive}")
    record(
        "fanout",
        {
            "outbox": engine,
            "naive_loop": naive,
            "speedup": round(engine["msg_per_s"] / naive["msg_per_s"], 1),
            "sms_share": 1 / SMS_EVERY,
            "email_workers": EMAIL_WORKERS,
            "sms_workers": SMS_WORKERS,
            "smtp_sessions_per_worker": int(SESSIONS),
            "smtp_pipelining": PIPELINING,
            "repeats": REPEATS,
            # Other work on the machine: the figures mean little without it.
            "load_average_1m_at_end": round(os.getloadavg()[0], 1),
        },
    )


if __name__ == "__main__":
    main()
