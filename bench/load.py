"""A load generator on loopback: many requests in flight at once, each answer timed."""

import asyncio
import time
from typing import Any

import httpx

from results import median, percentile


async def _surge(
    url: str | list[str],
    bodies: list[dict[str, Any]],
    concurrency: int,
    headers: dict[str, str],
    form: bool,
) -> dict[str, Any]:
    latencies: list[float] = []
    answers: list[dict[str, Any]] = []
    failed = 0
    sample: list[str] = []
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    for i, body in enumerate(bodies):
        queue.put_nowait((url if isinstance(url, str) else url[i], body))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=120, headers=headers) as client:

        async def worker() -> None:
            nonlocal failed
            while not queue.empty():
                target, body = queue.get_nowait()
                sent = time.perf_counter()
                try:
                    if form:
                        answer = await client.post(target, data=body)
                    else:
                        answer = await client.post(target, json=body)
                except httpx.HTTPError as exc:
                    failed += 1
                    sample[:] = sample or [repr(exc)]
                    continue
                latencies.append(time.perf_counter() - sent)
                if answer.status_code in (200, 201, 202):
                    answers.append({} if form else answer.json())
                else:
                    failed += 1
                    sample[:] = sample or [f"{answer.status_code} {answer.text[:300]}"]

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "per_second": round(len(answers) / elapsed),
        "seconds": round(elapsed, 2),
        "accepted": len(answers),
        "failed": failed,
        "latency_ms": {
            "p50": round(median(latencies) * 1000, 1),
            "p99": round(percentile(latencies, 0.99) * 1000, 1),
        },
        "answers": answers,
        **({"first_failure": sample[0]} if sample else {}),
    }


def surge(
    url: str | list[str],
    bodies: list[dict[str, Any]],
    concurrency: int,
    headers: dict[str, str] | None = None,
    form: bool = False,
) -> dict[str, Any]:
    """POST every body (to one URL, or each to its own); accepted per second, latency
    p50/p99, and the accepted answers (JSON bodies; empty for forms)."""
    return asyncio.run(_surge(url, bodies, concurrency, headers or {}, form))


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median throughput, with every run's figures beside it."""
    ordered = sorted(runs, key=lambda r: r["per_second"])
    middle = ordered[len(ordered) // 2]
    return {
        "per_second": middle["per_second"],
        "latency_ms": middle["latency_ms"],
        "failed": sum(r["failed"] for r in runs),
        "runs": [
            {k: r[k] for k in ("per_second", "seconds", "accepted", "failed", "latency_ms")}
            for r in runs
        ],
    }
