"""Benchmarks merge their figures into results/latest.json, each under its own key."""

import json
import os
import platform
import statistics
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LATEST = Path(__file__).parent / "results" / "latest.json"


def record(key: str, figures: dict[str, Any]) -> None:
    LATEST.parent.mkdir(exist_ok=True)
    data = json.loads(LATEST.read_text()) if LATEST.exists() else {}
    data[key] = {
        **figures,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        # Figures taken on a shared machine mean little without how busy it was.
        "load_average_1m": round(os.getloadavg()[0], 1),
    }
    LATEST.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values)
