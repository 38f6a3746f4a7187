"""Case intake under load: POST /api/v1/cases against a bare one-row insert, same database.

A real server (kieubao serve) on a fresh database with the demo loaded takes public case
reports from a load generator on loopback, many in flight (bench/streams.py: raw keep-alive
connections, every request encoded beforehand, so that the generator takes little of the two
cores the servers share with it, and sets the pace of neither); in the same run a bare FastAPI
endpoint inserts one row per request into the same database with the same durability
(bench/bare.py). Both on SQLite (WAL, synchronous=FULL) and on PostgreSQL. Each is run
several times, alternating; the medians are kept, every run beside them.
Target: intake ≥ 1.0× the bare endpoint's requests/s, p99 ≤ 250 ms.

    python bench/intake.py [--reports 2000] [--concurrency 64] [--repeats 3] [--quick]
"""

import argparse
import json
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from bare import start_bare
from demo_instance import demo_instance, wait_for
from kieubao.platform.smtp_sink import free_port
from load import medians
from results import median, record
from streams import form_post, surge

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quang", "Ngọc", "Hữu"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hải", "Khánh", "Lan", "Mai", "Nam", "Phúc"]
TYPES = ["arrest_detention", "lost_documents", "labour", "accident_injury", "missing_contact"]


def case_report(rng: random.Random, i: int) -> dict[str, Any]:
    case_type = rng.choice(TYPES)
    details = (
        {"place_of_detention": "Đồn cảnh sát Naniwa"} if case_type == "arrest_detention" else {}
    )
    return {
        "case_type": case_type,
        "country": "JP",
        "city": "Osaka",
        "description": f"Báo cáo số {i}: người thân gặp nạn ở Osaka, gia đình cần hỗ trợ.",
        "details": details,
        "reporter": {"name": "Trần Thị Mai", "phone": f"+84 912 {i:06d}", "relation": "mother"},
        "subject": {
            "full_name": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} "
            f"{rng.choice(GIVEN)}",
            "date_of_birth": f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02}-"
            f"{rng.randint(1, 28):02}",
        },
    }


@contextmanager
def postgres_database() -> Iterator[str]:
    name = f"kieubao_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def posts(url: str, bodies: list[dict[str, Any]]) -> list[bytes]:
    """Every request encoded before the clock starts (bench/streams.py)."""
    return [form_post(url, json.dumps(b).encode(), "application/json") for b in bodies]


def _rows(database: str, sql: str) -> list[tuple[Any, ...]]:
    """What ``sql`` reads, from a SQLite file or a PostgreSQL database."""
    if database.startswith("postgresql"):
        with psycopg.connect(database) as conn:
            return conn.execute(sql).fetchall()
    with sqlite3.connect(database) as conn:
        return conn.execute(sql).fetchall()


def unsettled(database: str, var: Path) -> int:
    """Cases the worker has yet to settle after the answers (the registry match, a life at
    risk escalated), and jobs still queued."""
    [(queued,)] = _rows(str(var / "jobs.db"), "SELECT count(*) FROM task")
    [(waiting,)] = _rows(database, "SELECT count(*) FROM protection_cases WHERE settled_at IS NULL")
    return int(queued) + int(waiting)


def _at(value: Any) -> datetime:
    """A time as each database gives it back: SQLite's as the text SQLAlchemy stored."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def escalation_delays(database: str) -> dict[str, Any]:
    """How long after its report each case of a life at risk was escalated: by the urgent job
    intake queues, ahead of the settling of the surge queued before it."""
    rows = _rows(
        database,
        "SELECT created_at, escalated_at FROM protection_cases WHERE severity = 'life_at_risk'",
    )
    delays = [
        (_at(escalated) - _at(created)).total_seconds() for created, escalated in rows if escalated
    ]
    return {
        "cases": len(rows),
        "not_escalated": len(rows) - len(delays),
        "p50_s": round(median(delays), 2) if delays else None,
        "max_s": round(max(delays), 2) if delays else None,
    }


def stored_numbers(database: str, numbers: set[str]) -> int:
    return len(numbers - {r[0] for r in _rows(database, "SELECT number FROM protection_cases")})


def compare(backend: str, var: Path, database_url: str | None, args: argparse.Namespace) -> dict:
    instance = demo_instance(var, 500, database_url, intake_per_hour="100000000")
    database = database_url or str(var / "kieubao.db")
    rng = random.Random(11)
    port = free_port()
    server = instance.start(
        "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)
    )
    # The job worker in its own process, as deployed: what intake leaves until after its
    # answer (the registry match, escalation) runs beside the load, on the same two cores.
    worker = instance.start("worker", "--workers", "1")
    bare, bare_url = start_bare(var, database, args.workers)
    bare_runs: list[dict[str, Any]] = []
    intake_runs: list[dict[str, Any]] = []
    numbers: set[str] = set()
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        url = f"http://127.0.0.1:{port}/api/v1/cases"
        # The first report builds the process's mission directory: not part of a load.
        surge(url, posts(url, [case_report(rng, -1)]), 1)
        for repeat in range(args.repeats):
            bodies = [case_report(rng, repeat * args.reports + i) for i in range(args.reports)]
            bare_runs.append(surge(bare_url, posts(bare_url, bodies), args.concurrency))
            run = surge(url, posts(url, bodies), args.concurrency)
            numbers |= {json.loads(a)["case_number"] for a in run["answers"]}
            intake_runs.append(run)
            print(
                f"  {backend} run {repeat + 1}: bare {bare_runs[-1]['per_second']}/s "
                f"p99 {bare_runs[-1]['latency_ms']['p99']} ms; intake {run['per_second']}/s "
                f"p99 {run['latency_ms']['p99']} ms",
                flush=True,
            )
            if "first_failure" in run:
                print(f"  first failure: {run['first_failure']}", flush=True)
        settling = time.perf_counter()
        while (left := unsettled(database, var)) and time.perf_counter() - settling < 1800:
            time.sleep(1)
        settled_s = round(time.perf_counter() - settling, 1)
        print(f"  {backend}: settled {settled_s} s after the last run, {left} left", flush=True)
    finally:
        for process in (server, worker, bare):
            process.terminate()
            process.wait(15)
    figures: dict[str, Any] = {"bare_insert": medians(bare_runs), "intake": medians(intake_runs)}
    # Every case matched to the registry and every life at risk escalated, this long after
    # the last run's last answer.
    figures["settled_after_runs_s"], figures["left_unsettled"] = settled_s, left
    figures["over_bare_insert"] = round(
        figures["intake"]["per_second"] / figures["bare_insert"]["per_second"], 2
    )
    figures["acknowledged_not_stored"] = stored_numbers(database, numbers)
    figures["life_at_risk_escalated_after"] = escalation_delays(database)
    figures["p99_target_met"] = figures["intake"]["latency_ms"]["p99"] <= 250
    figures["ratio_target_met"] = figures["over_bare_insert"] >= 1.0
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--backends", default="sqlite,postgres")
    # Server processes, for kieubao and the bare endpoint alike.
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.reports, args.repeats = 500, 3
    figures: dict[str, Any] = {
        "reports_per_run": args.reports,
        "concurrency": args.concurrency,
        "repeats": args.repeats,
        "workers": args.workers,
        "target": {"over_bare_insert": 1.0, "p99_ms": 250},
    }
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            if backend == "postgres":
                with postgres_database() as url:
                    figures[backend] = compare(backend, Path(tmp), url, args)
            else:
                figures["sqlite_full"] = compare(backend, Path(tmp), None, args)
    for backend in ("sqlite_full", "postgres"):
        if backend in figures:
            f = figures[backend]
            print(
                f"{backend}: intake {f['intake']['per_second']}/s p99 "
                f"{f['intake']['latency_ms']['p99']} ms vs bare {f['bare_insert']['per_second']}/s "
                f"({f['over_bare_insert']}×), unstored {f['acknowledged_not_stored']}; "
                f"life at risk escalated after {f['life_at_risk_escalated_after']}",
                flush=True,
            )
    record("case_intake", figures)


if __name__ == "__main__":
    main()
