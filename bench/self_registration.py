"""Crisis self-registration under a surge: submissions per second taken in, none lost.

A real server and job worker (SQLite, the default) have an open crisis. A
load generator on loopback POSTs "I am in the affected area" submissions (one to three
people each) to /api/v1/crises/{id}/self-reports with many in flight at once. Measured: the
accepted submissions per second and the latency of each answer; then, once the worker has
placed them all, that every acknowledged reference is in the database and every person
named is on the roster. Baseline in the same run, on the same kind of database: a bare
FastAPI endpoint that inserts one row per request (the ceiling of "write what came").
Target: ≥ 500 submissions/s.

    python bench/self_registration.py [--submissions 5000] [--concurrency 64]
"""

import argparse
import asyncio
import random
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx

from demo_instance import demo_instance, free_port, wait_for
from results import median, percentile, record

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quang", "Ngọc", "Hữu"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hải", "Khánh", "Lan", "Mai", "Nam", "Phúc"]

BARE_APP = textwrap.dedent(
    """
    import json, sqlite3, threading
    from fastapi import FastAPI, Request
    app = FastAPI()
    local = threading.local()
    def db():
        if not hasattr(local, "c"):
            local.c = sqlite3.connect(DB, timeout=30, isolation_level=None)
            local.c.execute("PRAGMA journal_mode=WAL")
            local.c.execute("PRAGMA synchronous=NORMAL")
        return local.c
    @app.post("/submit", status_code=202)
    def submit(body: dict) -> dict:
        c = db()
        c.execute("BEGIN IMMEDIATE")
        cur = c.execute("INSERT INTO reports (payload) VALUES (?)", (json.dumps(body),))
        c.execute("COMMIT")
        return {"reference": f"SR-{cur.lastrowid}"}
    """
)


def submission(rng: random.Random) -> dict[str, Any]:
    people = [
        {
            "full_name": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "date_of_birth": f"{rng.randint(1950, 2020)}-{rng.randint(1, 12):02}-"
            f"{rng.randint(1, 28):02}",
        }
        for _ in range(rng.choice((1, 1, 2, 3)))
    ]
    return {
        "people": people,
        "phone": f"+81 90 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        "country": "JP",
        "city": "Osaka",
        "status": rng.choice(("safe", "safe", "needs_help")),
    }


async def surge(url: str, bodies: list[dict[str, Any]], concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    references: list[str] = []
    failed = 0
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal failed
            while not queue.empty():
                body = queue.get_nowait()
                sent = time.perf_counter()
                answer = await client.post(url, json=body)
                latencies.append(time.perf_counter() - sent)
                if answer.status_code == 202:
                    references.append(answer.json()["reference"])
                else:
                    failed += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "per_second": round(len(references) / elapsed),
        "seconds": round(elapsed, 2),
        "accepted": len(references),
        "failed": failed,
        "latency_ms": {
            "p50": round(median(latencies) * 1000, 1),
            "p99": round(percentile(latencies, 0.99) * 1000, 1),
        },
        "references": references,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 1000 if args.quick else args.submissions
    rng = random.Random(7)
    bodies = [submission(rng) for _ in range(n)]
    figures: dict[str, Any] = {"submissions": n, "concurrency": args.concurrency}
    with tempfile.TemporaryDirectory() as tmp:
        instance = demo_instance(Path(tmp))
        var, token = instance.var, instance.token

        # The baseline: a bare endpoint writing one row per request into its own SQLite file.
        bare_db = var / "bare.db"
        with sqlite3.connect(bare_db) as c:
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("CREATE TABLE reports (id INTEGER PRIMARY KEY, payload TEXT)")
        (var / "bare_app.py").write_text(f"DB = {str(bare_db)!r}\n" + BARE_APP)
        port = free_port()
        bare = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bare_app:app",
                "--port",
                str(port),
                "--no-access-log",
            ],
            cwd=var,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/docs")
            result = asyncio.run(surge(f"http://127.0.0.1:{port}/submit", bodies, args.concurrency))
        finally:
            bare.terminate()
            bare.wait(10)
        result.pop("references")
        figures["bare_insert"] = result
        print(f"  bare insert: {result}", flush=True)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        # Server and job worker in their own processes, as deployed: placing submissions
        # must not take the intake's interpreter.
        server = instance.start("serve", "--host", "127.0.0.1", "--port", str(port))
        worker = instance.start("worker", "--workers", "1")
        try:
            wait_for(f"{base}/healthz")
            headers = {"Authorization": f"Bearer {token}"}
            crisis = (
                httpx.post(
                    f"{base}/api/v1/crises",
                    headers=headers,
                    json={
                        "title": "Surge",
                        "circle": {"lat": 34.69, "lon": 135.5, "radius_km": 50},
                    },
                    timeout=60,
                )
                .raise_for_status()
                .json()
            )
            before = crisis["roster"]["total"]
            url = f"{base}/api/v1/crises/{crisis['id']}/self-reports"
            result = asyncio.run(surge(url, bodies, args.concurrency))
            acknowledged = {int(r.removeprefix("SR-")) for r in result.pop("references")}
            figures["self_reports"] = result
            print(f"  self-reports: {result}", flush=True)

            # Then the worker places them: wait until none is left waiting.
            placed_from = time.perf_counter()
            db = sqlite3.connect(var / "kieubao.db")
            while True:
                waiting = db.execute(
                    "SELECT count(*) FROM crisis_self_reports WHERE processed_at IS NULL"
                ).fetchone()[0]
                if not waiting:
                    break
                if time.perf_counter() - placed_from > 1800:
                    raise SystemExit(f"{waiting} submissions still waiting after 30 min")
                time.sleep(1)
            placed_seconds = time.perf_counter() - placed_from + result["seconds"]
            stored = {row[0] for row in db.execute("SELECT id FROM crisis_self_reports")}
            citizens = set()
            for (ids,) in db.execute("SELECT citizen_ids FROM crisis_self_reports"):
                citizens.update(int(i) for i in ids.strip("[]").split(",") if i.strip())
            on_roster = db.execute(
                "SELECT count(*) FROM roster_entries WHERE crisis_id = ?", (crisis["id"],)
            ).fetchone()[0]
            db.close()
        finally:
            for process in (server, worker):
                process.terminate()
                process.wait(15)
    figures["lost"] = len(acknowledged - stored)
    figures["placed_per_second"] = round(n / placed_seconds, 1)
    figures["people_named_on_roster"] = len(citizens)
    figures["roster_growth"] = on_roster - before
    figures["over_bare_insert"] = round(
        figures["self_reports"]["per_second"] / figures["bare_insert"]["per_second"], 2
    )
    figures["target_per_second"] = 500
    print(
        f"self-registration: {figures['self_reports']['per_second']} accepted/s "
        f"({figures['over_bare_insert']}× the bare insert's "
        f"{figures['bare_insert']['per_second']}/s), lost {figures['lost']}, "
        f"placed {figures['placed_per_second']}/s",
        flush=True,
    )
    record("crisis_self_registration", figures)


if __name__ == "__main__":
    main()
