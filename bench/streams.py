"""A lean load generator: raw HTTP/1.1 keep-alive connections on asyncio streams, every request
encoded before the clock starts, so that the generator takes as little as it can of the cores
the server shares with it. Its own CPU time is measured, to be reported beside the figures."""

import asyncio
import re
import time
from typing import Any
from urllib.parse import urlsplit

from results import median, percentile

_LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)", re.IGNORECASE)


def form_post(
    url: str, body: bytes, content_type: str = "application/x-www-form-urlencoded"
) -> bytes:
    """The bytes of one POST of ``body`` to ``url``, on a keep-alive connection."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    head = (
        f"POST {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    found = _LENGTH.search(head)
    body = await reader.readexactly(int(found[1])) if found else b""
    return int(head[9:12]), body


async def _surge(url: str, requests: list[bytes], concurrency: int) -> dict[str, Any]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: list[float] = []
    answers: list[bytes] = []
    failures: list[str] = []
    pending = iter(requests)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for request in pending:
                sent = time.perf_counter()
                writer.write(request)
                status, body = await _answer(reader)
                latencies.append(time.perf_counter() - sent)
                if status in (200, 201, 202, 303):
                    answers.append(body)
                else:
                    failures.append(f"{status} {body[:300]!r}")
        finally:
            writer.close()

    cpu, started = time.process_time(), time.perf_counter()
    outcomes = await asyncio.gather(
        *(connection() for _ in range(concurrency)), return_exceptions=True
    )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    failures += [repr(o) for o in outcomes if isinstance(o, BaseException)]
    return {
        "per_second": round(len(answers) / elapsed),
        "seconds": round(elapsed, 2),
        "accepted": len(answers),
        "failed": len(requests) - len(answers),
        "latency_ms": {
            "p50": round(median(latencies) * 1000, 1),
            "p99": round(percentile(latencies, 0.99) * 1000, 1),
        },
        # The generator's share of one core while the run lasted.
        "generator_cpu_share": round(cpu / elapsed, 2),
        "answers": answers,
        **({"first_failure": failures[0]} if failures else {}),
    }


def surge(url: str, requests: list[bytes], concurrency: int) -> dict[str, Any]:
    """Send every pre-encoded request over ``concurrency`` connections; accepted per second,
    latency p50/p99, the generator's CPU share and the bodies of the accepted answers."""
    return asyncio.run(_surge(url, requests, concurrency))
