"""Fan-out of one safety check to many people: nine in ten by email into a local SMTP sink
(aiosmtpd), the tenth by SMS to a local gateway speaking the generic gateway's shape. The
outbox's workers against a naive loop (one EmailMessage and one SMTP connection per mail,
one HTTP connection per text) in the same run.

Figures: messages/s end to end, from the call that queues the safety check to the last
message accepted by the sink or the gateway; duplicates and lost counted from what they
received (each honours the sender's key, as a deduplicating receiver does, and reports how
many repeats it folded: none, without a crash); the median of ``FANOUT_REPEATS`` runs.
The workers are started and have imported the application before the clock starts, as a
running worker has; they start draining when the send is committed. The sink and the
gateway run in this process, on the same two cores as the workers, and their CPU is in the
figures. ``--quick`` sends 5,000 instead of 100,000. The naive loop, a hundred times
slower, sends ``FANOUT_NAIVE`` messages (10,000 by default) per run."""

import json
import os
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
from kieubao.platform.settings import get_settings
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
    """The generic SMS gateway: JSON {to, text, reference} in, {"id": ...} out; a repeat of
    an Idempotency-Key is answered with the first answer and not sent again."""

    daemon_threads = True
    received: Counter[str]
    answers: dict[str, bytes]
    repeats: int
    lock: threading.Lock


class _GatewayHandler(BaseHTTPRequestHandler):
    server: Gateway
    protocol_version = "HTTP/1.1"  # keep-alive, as a real gateway offers
    # Headers and body go in two writes: with Nagle's algorithm, each answer would wait
    # for the client's delayed ACK.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = self.headers.get("Idempotency-Key") or body["reference"]
        with self.server.lock:
            answer = self.server.answers.get(key)
            if answer is None:
                self.server.received[body["to"]] += 1
                answer = json.dumps({"id": f"gw-{len(self.server.answers)}"}).encode()
                self.server.answers[key] = answer
            else:
                self.server.repeats += 1
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
import sys, time
from kieubao.platform.delivery import drain
print("ready", flush=True)
sys.stdin.readline()
started = time.perf_counter()
cpu = time.process_time()
sent = drain({channel!r})
print(f"  {channel} worker: {{sent}} sent in {{time.perf_counter() - started:.1f}}s", flush=True)
print(time.process_time() - cpu)
"""


def engine_run(
    people: list[tuple[str, str]], sink: Sink, gateway: Gateway, var: Path
) -> tuple[float, float]:
    """Seconds from queueing to the last message accepted, and CPU seconds all processes
    spent in them."""
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
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER.format(channel=name)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, count in (("email", EMAIL_WORKERS), ("sms", SMS_WORKERS))
        for _ in range(count)
    ]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline() == "ready\n"
    started, cpu_before = time.perf_counter(), time.process_time()
    with Session(engine) as session:
        outbox.queue(
            session,
            send_key="bench",
            kind="safety_check",
            context=CONTEXT,
            messages=[
                outbox.Message(
                    # Keys of this run only: the receivers fold a key they have seen.
                    f"bench-{var.name}:{i}",
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
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    # This process queues and runs the sink and the gateway; each worker tells its own CPU
    # from the go on (its start, done before the clock, is left out).
    workers_cpu = 0.0
    for worker in workers:
        said, last = worker.communicate()[0].rstrip("\n").rpartition("\n")[::2]
        print(said, flush=True)
        workers_cpu += float(last)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_before + workers_cpu
    engine.dispose()
    print(f"  CPU: {cpu * 1000 / len(people):.3f} ms a message, all processes", flush=True)
    return elapsed, cpu


def naive_run(people: list[tuple[str, str]], sink: Sink, gateway: Gateway) -> float:
    sms_url = f"http://127.0.0.1:{gateway.server_port}/messages"
    started = time.perf_counter()
    for i, (channel, address) in enumerate(people):
        text = f"Nguyễn Văn {i}, are you safe? https://kieubao.example/r/{i:08x}"
        if channel == "sms":
            httpx.post(sms_url, json={"to": address, "text": text, "reference": address})
            continue
        msg = EmailMessage()
        msg["From"] = "kieubao@localhost"
        msg["To"] = address
        msg["Subject"] = f"Are you safe? {CONTEXT['title']}"
        msg.set_content(text)
        with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
            smtp.send_message(msg)
    return time.perf_counter() - started


def folded(sink: Sink, gateway: Gateway) -> int:
    """Repeats of a key the receivers have folded so far."""
    return sum(sink.handler.repeats.values()) + gateway.repeats


def figures(
    people: list[tuple[str, str]],
    sink: Sink,
    gateway: Gateway,
    run: tuple[float, float | None],
    folded_before: int,
) -> dict[str, Any]:
    elapsed, cpu = run
    got = {**sink.recipients, **gateway.received}
    result = {
        "messages": len(people),
        "seconds": round(elapsed, 2),
        "msg_per_s": round(len(people) / elapsed),
        "duplicates": sum(max(got.get(a, 0) - 1, 0) for _, a in people),
        "lost": sum(1 for _, a in people if a not in got),
        "repeats_folded_by_key": folded(sink, gateway) - folded_before,
    }
    if cpu is not None:
        result["cpu_ms_per_message"] = round(cpu * 1000 / len(people), 3)
    return result


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "messages": runs[0]["messages"],
        "msg_per_s": round(statistics.median(r["msg_per_s"] for r in runs)),
        "seconds": statistics.median(r["seconds"] for r in runs),
        "duplicates": sum(r["duplicates"] for r in runs),
        "lost": sum(r["lost"] for r in runs),
        "repeats_folded_by_key": sum(r["repeats_folded_by_key"] for r in runs),
        "runs_msg_per_s": [r["msg_per_s"] for r in runs],
        **(
            {"cpu_ms_per_message": statistics.median(r["cpu_ms_per_message"] for r in runs)}
            if "cpu_ms_per_message" in runs[0]
            else {}
        ),
    }


def main() -> None:
    n = 5_000 if "--quick" in sys.argv else 100_000
    install_templates()  # the safety check's text lives with the crisis domain
    gateway = Gateway(("127.0.0.1", free_port()), _GatewayHandler)
    gateway.received, gateway.answers, gateway.repeats = Counter(), {}, 0
    gateway.lock = threading.Lock()
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    engine_runs, naive_runs = [], []
    with Sink() as sink:
        sink.handler.pipelining = PIPELINING
        for repeat in range(REPEATS):
            people = recipients(n, f"8{repeat}0")
            with tempfile.TemporaryDirectory() as var:
                before = folded(sink, gateway)
                run = engine_run(people, sink, gateway, Path(var))
                engine_runs.append(figures(people, sink, gateway, run, before))
            print(f"outbox: {engine_runs[-1]}", flush=True)
            sample = recipients(min(n, NAIVE), f"8{repeat}1")
            before = folded(sink, gateway)
            naive = (naive_run(sample, sink, gateway), None)
            naive_runs.append(figures(sample, sink, gateway, naive, before))
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
            "outbox_batch": get_settings().outbox_batch,
            "sink": "asyncio SMTP sink in this process (not aiosmtpd), folding by Message-ID",
            "clock": "queue call to last acceptance; workers started and imported beforehand",
            "repeats": REPEATS,
            # Other work on the machine: the figures mean little without it.
            "load_average_1m_at_end": round(os.getloadavg()[0], 1),
        },
    )


if __name__ == "__main__":
    main()
