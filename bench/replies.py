"""Reply ingestion: one-click safety-check replies per second through /r/<token>, and roster
counts that agree with what was sent.

A real server (SQLite, synchronous=FULL) has a crisis over Japan whose roster holds the demo's
registered people there. Each of them answers once through their personal link, many at once:
even entries "safe", odd ones "need help". Measured: replies per second, latency p50/p99,
repeated (a fresh crisis each run) with the median kept; then the crisis's counts must show
exactly the safe and the needing help that were answered.

    python bench/replies.py [--concurrency 64] [--repeats 3] [--quick]
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from demo_instance import demo_instance, wait_for
from kieubao.platform.smtp_sink import free_port
from load import medians, surge
from results import record

TOKENS = """
import json, sys
from sqlalchemy import select
from kieubao.crisis.actions.roster import reply_link_token
from kieubao.crisis.models import RosterEntry
from kieubao.platform.db import session_scope
with session_scope() as session:
    entries = session.scalars(select(RosterEntry).where(RosterEntry.crisis_id == int(sys.argv[1])))
    print(json.dumps({e.id: reply_link_token(e) for e in entries}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--citizens", type=int, default=4000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    citizens = 1000 if args.quick else args.citizens
    runs: list[dict[str, Any]] = []
    mismatches: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        instance = demo_instance(Path(tmp), citizens)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = instance.start("serve", "--host", "127.0.0.1", "--port", str(port))
        headers = {"Authorization": f"Bearer {instance.token}"}
        try:
            wait_for(f"{base}/healthz")
            for repeat in range(args.repeats):
                crisis = (
                    httpx.post(
                        f"{base}/api/v1/crises",
                        headers=headers,
                        json={
                            "title": f"Replies {repeat}",
                            "circle": {"lat": 36.2, "lon": 138.25, "radius_km": 1500},
                        },
                        timeout=120,
                    )
                    .raise_for_status()
                    .json()
                )
                tokens = json.loads(
                    subprocess.run(
                        [sys.executable, "-c", TOKENS, str(crisis["id"])],
                        env=instance.env,
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                )
                ids = sorted(int(i) for i in tokens)
                bodies = [
                    {"answer": "safe"} if i % 2 == 0 else {"answer": "help", "needs": "medical"}
                    for i in ids
                ]
                urls = [f"{base}/r/{tokens[str(i)]}" for i in ids]
                run = surge(urls, bodies, args.concurrency, form=True)
                run.pop("answers")
                run["roster"] = len(ids)
                runs.append(run)
                counts = (
                    httpx.get(f"{base}/api/v1/crises/{crisis['id']}", headers=headers, timeout=60)
                    .raise_for_status()
                    .json()["roster"]["by_status"]
                )
                expected = {
                    "safe": sum(1 for i in ids if i % 2 == 0),
                    "needs_help": sum(1 for i in ids if i % 2),
                }
                got = {k: counts.get(k, 0) for k in expected}
                if got != expected or run["failed"]:
                    mismatches.append({"expected": expected, "counted": got})
                print(
                    f"  run {repeat + 1}: {len(ids)} replies, {run['per_second']}/s, "
                    f"p99 {run['latency_ms']['p99']} ms, counts {got} (expected {expected})",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(15)
    figures: dict[str, Any] = {
        "concurrency": args.concurrency,
        "repeats": args.repeats,
        "replies": medians(runs),
        "roster_per_run": runs[0]["roster"],
        "counts_consistent": not mismatches,
        "mismatches": mismatches,
    }
    print(
        f"replies: {figures['replies']['per_second']}/s, counts consistent: "
        f"{figures['counts_consistent']}",
        flush=True,
    )
    record("crisis_reply_ingestion", figures)


if __name__ == "__main__":
    main()
