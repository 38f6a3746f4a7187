"""Crisis self-registration under a surge: submissions per second taken in, none lost.

A real server (``kieubao serve --workers N``) and job worker (SQLite, the default) have an
open crisis. A lean load generator on loopback (bench/streams.py) POSTs the public form "I am
in the affected area" (/crises/{id}/here, form fields, one to three people each), as a phone's
browser does, with many in flight at once; each answer is the small "received" page with the
submission's reference. Measured: the accepted submissions per second and the latency of each
answer; then, once the worker has placed them all, that every acknowledged reference is in the
database and every person named is on the roster. Baseline in the same run, served the same
way (uvicorn, as many worker processes), into the same database file with the same
durability (synchronous=FULL): a bare FastAPI endpoint that inserts one row per request (the
ceiling of "write what came" without grouping commits). Runs repeated, alternating; medians
kept. The generator's own CPU share is reported: it runs on the same cores.
Target: ≥ 500 submissions/s.

    python bench/self_registration.py [--submissions 3000] [--concurrency 64] [--repeats 3]
        [--workers 2]
"""

import argparse
import random
import re
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bare import start_bare
from demo_instance import demo_instance, wait_for
from kieubao.platform.smtp_sink import free_port
from load import medians
from results import record
from streams import form_post, surge

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quang", "Ngọc", "Hữu"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hải", "Khánh", "Lan", "Mai", "Nam", "Phúc"]
REFERENCE = re.compile(rb'id="reference">SR-(\d+)<')


def submission(rng: random.Random) -> list[tuple[str, str]]:
    """The form's fields as a phone's browser posts them: the sender first, then family."""
    fields: list[tuple[str, str]] = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        fields.append(("name", f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"))
        fields.append(
            (
                "date_of_birth",
                f"{rng.randint(1, 28):02}/{rng.randint(1, 12):02}/{rng.randint(1950, 2020)}",
            )
        )
    return [
        *fields,
        ("phone", f"+81 90 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"),
        ("country", "JP"),
        ("city", "Osaka"),
        ("answer", rng.choice(("safe", "safe", "help"))),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 500 if args.quick else args.submissions
    rng = random.Random(7)
    figures: dict[str, Any] = {
        "submissions_per_run": n,
        "concurrency": args.concurrency,
        "repeats": args.repeats,
        "server_workers": args.workers,
        "submitted": "HTML form, answered with the received page",
    }
    bare_runs: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    acknowledged: set[int] = set()
    with tempfile.TemporaryDirectory() as tmp:
        instance = demo_instance(Path(tmp))
        var, token = instance.var, instance.token
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        # Server and job worker in their own processes, as deployed: placing submissions
        # must not take the intake's interpreter. The baseline writes into the same file.
        server = instance.start(
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--no-access-log",
        )
        worker = instance.start("worker", "--workers", "1")
        bare, bare_url = start_bare(
            var, str(var / "kieubao.db"), workers=args.workers, access_log=False
        )
        bare_url += "-form"
        try:
            # Each worker process builds the app: on a busy machine that takes a while.
            wait_for(f"{base}/healthz", timeout=180)
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
            url = f"{base}/crises/{crisis['id']}/here"
            for repeat in range(args.repeats):
                bodies = [urlencode(submission(rng)).encode() for _ in range(n)]
                bare_runs.append(
                    surge(bare_url, [form_post(bare_url, b) for b in bodies], args.concurrency)
                )
                run = surge(url, [form_post(url, b) for b in bodies], args.concurrency)
                for page in run["answers"]:
                    if found := REFERENCE.search(page):
                        acknowledged.add(int(found[1]))
                    else:
                        raise SystemExit(f"an accepted answer without a reference: {page[:300]!r}")
                runs.append(run)
                print(
                    f"  run {repeat + 1}: bare {bare_runs[-1]['per_second']}/s, "
                    f"self-reports {run['per_second']}/s p99 {run['latency_ms']['p99']} ms "
                    f"(generator {run['generator_cpu_share']:.0%} of a core)"
                    + (f" (first failure: {run['first_failure']})" if run["failed"] else ""),
                    flush=True,
                )

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
            figures["placing_after_surges_s"] = round(time.perf_counter() - placed_from, 1)
            stored = {row[0] for row in db.execute("SELECT id FROM crisis_self_reports")}
            citizens = set()
            for (ids,) in db.execute("SELECT citizen_ids FROM crisis_self_reports"):
                citizens.update(int(i) for i in ids.strip("[]").split(",") if i.strip())
            on_roster = db.execute(
                "SELECT count(*) FROM roster_entries WHERE crisis_id = ?", (crisis["id"],)
            ).fetchone()[0]
            db.close()
        finally:
            # All told to stop before any is waited for: one slow to stop leaves none behind.
            for process in (server, worker, bare):
                process.terminate()
            for process in (server, worker, bare):
                try:
                    process.wait(60)
                except subprocess.TimeoutExpired:
                    process.kill()
    figures["bare_insert"] = medians(bare_runs)
    figures["self_reports"] = medians(runs)
    figures["generator_cpu_share_of_a_core"] = sorted(r["generator_cpu_share"] for r in runs)[
        len(runs) // 2
    ]
    figures["lost"] = len(acknowledged - stored)
    figures["people_named_on_roster"] = len(citizens)
    figures["roster_growth"] = on_roster - before
    figures["over_bare_insert"] = round(
        figures["self_reports"]["per_second"] / figures["bare_insert"]["per_second"], 2
    )
    figures["target_per_second"] = 500
    figures["target_met"] = figures["self_reports"]["per_second"] >= 500
    print(
        f"self-registration: {figures['self_reports']['per_second']} accepted/s "
        f"({figures['over_bare_insert']}× the bare insert's "
        f"{figures['bare_insert']['per_second']}/s), lost {figures['lost']}",
        flush=True,
    )
    record("crisis_self_registration", figures)


if __name__ == "__main__":
    main()
