"""Portal pages under load: the home and a country page, kept by the page cache against
built on every request, in the same run on the same database.

Two servers of the demo instance (SQLite, the default) run side by side, one with the page
cache and one without (KIEUBAO_PAGE_CACHE=false). Anonymous clients on loopback fetch each
page with many requests in flight; each measurement is repeated and the medians are kept:
requests per second, p50 and p95 latency, and the server process's CPU time per request
(which other work on the machine does not inflate as it does latency). Revalidation
(If-None-Match, answered 304) is measured too, as browsers coming back do, and /healthz
gives the floor of the stack. Target: p95 <= 50 ms for the cached pages.

    python bench/portal.py [--requests 2000] [--concurrency 8] [--rounds 3]
"""

import argparse
import asyncio
import dataclasses
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from demo_instance import demo_instance, wait_for
from kieubao.platform.smtp_sink import free_port
from results import median, percentile, record

PAGES = {"home": "/?lang=vi", "country": "/countries/JP?lang=vi"}
# The floor of any page through the same stack: one trivial query, no template.
FLOOR = "/healthz"
TARGET_P95_MS = 50.0


async def load(url: str, requests: int, concurrency: int, etag: str | None) -> dict[str, Any]:
    latencies: list[float] = []
    failed = 0
    expected = 304 if etag else 200
    headers = {"If-None-Match": etag} if etag else {}
    left = requests
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60, headers=headers) as client:

        async def worker() -> None:
            nonlocal left, failed
            while left > 0:
                left -= 1
                sent = time.perf_counter()
                answer = await client.get(url)
                latencies.append(time.perf_counter() - sent)
                failed += answer.status_code != expected

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "per_second": len(latencies) / elapsed,
        "p50_ms": median(latencies) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "failed": failed,
    }


def cpu_seconds(pid: int) -> float:
    """The server process's own CPU time: what a request costs whatever else the machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    url: str, args: argparse.Namespace, pid: int, etag: str | None = None
) -> dict[str, Any]:
    """The median of each figure over the rounds, after a warm-up round."""
    asyncio.run(load(url, min(200, args.requests), args.concurrency, etag))
    rounds = []
    for _ in range(args.rounds):
        before = cpu_seconds(pid)
        rounds.append(asyncio.run(load(url, args.requests, args.concurrency, etag)))
        rounds[-1]["cpu_ms"] = (cpu_seconds(pid) - before) * 1000 / args.requests
    return {
        "server_cpu_ms_per_request": round(median([r["cpu_ms"] for r in rounds]), 2),
        "per_second": round(median([r["per_second"] for r in rounds])),
        "p50_ms": round(median([r["p50_ms"] for r in rounds]), 2),
        "p95_ms": round(median([r["p95_ms"] for r in rounds]), 2),
        "failed": sum(r["failed"] for r in rounds),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.requests = 500
    figures: dict[str, Any] = {
        "requests_per_round": args.requests,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "target_p95_ms": TARGET_P95_MS,
    }
    with tempfile.TemporaryDirectory() as tmp:
        instance = demo_instance(Path(tmp))
        uncached = dataclasses.replace(
            instance, env={**instance.env, "KIEUBAO_PAGE_CACHE": "false"}
        )
        servers = {}
        try:
            for name, owner in (("cached", instance), ("uncached", uncached)):
                port = free_port()
                servers[name] = (
                    f"http://127.0.0.1:{port}",
                    owner.start("serve", "--host", "127.0.0.1", "--port", str(port)),
                )
            for base, _process in servers.values():
                wait_for(f"{base}/healthz")
            figures["load_average_at_start"] = round(os.getloadavg()[0], 2)
            base, process = servers["cached"]
            figures["floor_healthz"] = measure(base + FLOOR, args, process.pid)
            print(f"  floor (/healthz): {figures['floor_healthz']}", flush=True)
            for page, path in PAGES.items():
                for name, (base, process) in servers.items():
                    url = base + path
                    first = httpx.get(url, timeout=60).raise_for_status()
                    found = {"bytes": len(first.content), **measure(url, args, process.pid)}
                    figures[f"{page}_{name}"] = found
                    print(f"  {page} {name}: {found}", flush=True)
                base, process = servers["cached"]
                etag = httpx.get(base + path, timeout=60).headers["etag"]
                found = measure(base + path, args, process.pid, etag)
                figures[f"{page}_revalidated"] = found
                print(f"  {page} revalidated (304): {found}", flush=True)
                cached, uncached_ = figures[f"{page}_cached"], figures[f"{page}_uncached"]
                figures[f"{page}_cached_speedup"] = {
                    "per_second": round(cached["per_second"] / uncached_["per_second"], 1),
                    "server_cpu": round(
                        uncached_["server_cpu_ms_per_request"]
                        / cached["server_cpu_ms_per_request"],
                        1,
                    ),
                }
            figures["load_average_at_end"] = round(os.getloadavg()[0], 2)
        finally:
            for _base, process in servers.values():
                process.terminate()
                process.wait(15)
    figures["target_met"] = all(
        figures[f"{page}_cached"]["p95_ms"] <= TARGET_P95_MS for page in PAGES
    )
    record("portal", figures)
    print(f"  target p95 <= {TARGET_P95_MS} ms met: {figures['target_met']}")


if __name__ == "__main__":
    main()
