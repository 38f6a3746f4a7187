"""Crisis self-registration under a surge: submissions per second taken in, none lost.

A real server and job worker (SQLite, the default) have an open crisis. A
load generator on loopback POSTs "I am in the affected area" submissions (one to three
people each) to /api/v1/crises/{id}/self-reports with many in flight at once. Measured: the
accepted submissions per second and the latency of each answer; then, once the worker has
placed them all, that every acknowledged reference is in the database and every person
named is on the roster. Baseline in the same run, into the same database file with the same
durability (synchronous=FULL): a bare FastAPI endpoint that inserts one row per request (the
ceiling of "write what came"). Runs repeated, alternating; medians kept.
Target: ≥ 500 submissions/s.

    python bench/self_registration.py [--submissions 3000] [--concurrency 64] [--repeats 3]
"""

import argparse
import random
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bare import start_bare
from demo_instance import demo_instance, free_port, wait_for
from load import medians, surge
from results import record

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quang", "Ngọc", "Hữu"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hải", "Khánh", "Lan", "Mai", "Nam", "Phúc"]


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 500 if args.quick else args.submissions
    rng = random.Random(7)
    figures: dict[str, Any] = {
        "submissions_per_run": n,
        "concurrency": args.concurrency,
        "repeats": args.repeats,
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
        server = instance.start("serve", "--host", "127.0.0.1", "--port", str(port))
        worker = instance.start("worker", "--workers", "1")
        bare, bare_url = start_bare(var, str(var / "kieubao.db"))
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
            for repeat in range(args.repeats):
                bodies = [submission(rng) for _ in range(n)]
                bare_runs.append(surge(bare_url, bodies, args.concurrency))
                run = surge(url, bodies, args.concurrency)
                acknowledged |= {int(a["reference"].removeprefix("SR-")) for a in run["answers"]}
                runs.append(run)
                print(
                    f"  run {repeat + 1}: bare {bare_runs[-1]['per_second']}/s, "
                    f"self-reports {run['per_second']}/s p99 {run['latency_ms']['p99']} ms"
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
            for process in (server, worker, bare):
                process.terminate()
                process.wait(15)
    figures["bare_insert"] = medians(bare_runs)
    figures["self_reports"] = medians(runs)
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
