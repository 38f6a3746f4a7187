"""Ingest-to-alert latency: a feed lands, how long until the alert row and the live event.

A real server (SQLite, as `make demo` runs it) holds an HQ duty officer's server-sent event
stream open. For each of N new earthquakes near Osaka, a USGS feed document is written to
disk and ingested, either by `kieubao feeds ingest FILE` (a file landing, a new process per
document: the baseline) or by POSTing it to /api/v1/feeds/ingest (a partner pushing it).
Measured from the moment the file is written: the alert row's raised_at (the server's clock,
which is this machine's) and the moment the alert's event arrives on the stream.
Target: p95 ≤ 2 s.

    python bench/alert_latency.py [--items 100]
"""

import argparse
import json
import re
import tempfile
import threading
import time
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import httpx

from demo_instance import demo_instance, wait_for
from kieubao.platform.smtp_sink import free_port
from results import median, percentile, record


def quake_feed(n: int, run: str) -> bytes:
    now = int(datetime.now(UTC).timestamp() * 1000)
    # Each quake far enough from the last (in time) to be a new event, close to Osaka.
    feature = {
        "type": "Feature",
        "id": f"bench{run}{n}",
        "properties": {
            "mag": 6.0 + (n % 10) / 10,
            "place": f"near Osaka, Japan (bench {n})",
            "time": now - n * 3_600_000,
            "updated": now,
            "alert": None,
            "tsunami": 0,
            "type": "earthquake",
            "title": f"M 6 - near Osaka, Japan (bench {run}{n})",
        },
        "geometry": {"type": "Point", "coordinates": [135.5, 34.65, 10]},
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


class Stream(threading.Thread):
    """The duty officer's board: reads the event stream and notes when each alert came."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.token = url, token
        self.events: Queue[tuple[float, str]] = Queue()
        self.ready = threading.Event()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with (
            suppress(httpx.RemoteProtocolError),  # the server closing the stream as it stops
            httpx.stream(
                "GET", self.url, headers=headers, timeout=httpx.Timeout(10, read=None)
            ) as response,
        ):
            self.ready.set()
            data: list[str] = []
            for line in response.iter_lines():
                if line.startswith("data:"):
                    data.append(line[5:])
                elif not line and data:
                    self.events.put((time.perf_counter(), "\n".join(data)))
                    data = []


def raised_at(client: httpx.Client, event: str) -> float:
    """When the event's alert row was written, by the server's clock (this machine's)."""
    found = re.search(r'id="alert-(\d+)"', event)
    assert found, "the event names no alert"
    alerts = client.get("/api/v1/alerts").raise_for_status().json()
    (alert,) = [a for a in alerts if a["id"] == int(found[1])]
    return datetime.fromisoformat(alert["raised_at"]).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    items = 20 if args.quick else args.items
    with tempfile.TemporaryDirectory() as tmp:
        instance = demo_instance(Path(tmp))
        var, port, token = instance.var, free_port(), instance.token
        server = instance.start("serve", "--host", "127.0.0.1", "--port", str(port))
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(f"{base}/healthz")
            stream = Stream(f"{base}/console/crisis/stream", token)
            stream.start()
            stream.ready.wait(10)
            client = httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
            )
            figures: dict[str, Any] = {"items": items, "target_p95_s": 2.0}
            for way in ("api_post", "cli_file"):
                row_s, event_s = [], []
                for n in range(items):
                    path = var / f"{way}-{n}.geojson"
                    path.write_bytes(quake_feed(n, way))
                    landed, landed_wall = time.perf_counter(), time.time()
                    if way == "api_post":
                        answer = client.post("/api/v1/feeds/ingest", content=path.read_bytes())
                        answer.raise_for_status()
                    else:
                        instance.kieubao("feeds", "ingest", str(path))
                    try:
                        arrived, event = stream.events.get(timeout=10)
                    except Empty:
                        raise SystemExit(f"{way} item {n}: no event within 10 s") from None
                    assert f"(bench {way}{n})" in event, f"{way} item {n}: another alert came"
                    event_s.append(arrived - landed)
                    row_s.append(raised_at(client, event) - landed_wall)
                figures[way] = {
                    "alert_row_s": {
                        "p50": round(median(row_s), 3),
                        "p95": round(percentile(row_s, 0.95), 3),
                    },
                    "sse_event_s": {
                        "p50": round(median(event_s), 3),
                        "p95": round(percentile(event_s, 0.95), 3),
                    },
                }
                print(f"  {way}: {figures[way]}", flush=True)
            figures["baseline"] = "cli_file: a new kieubao process per landed file"
            figures["cli_over_api_p50"] = round(
                figures["cli_file"]["sse_event_s"]["p50"]
                / figures["api_post"]["sse_event_s"]["p50"],
                1,
            )
            figures["p95_over_target"] = round(
                figures["cli_file"]["sse_event_s"]["p95"] / figures["target_p95_s"], 2
            )
            record("ingest_to_alert_latency", figures)
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
