"""Figures a test measures, kept in bench/results/latest.json when the run asks for it
(``make chaos`` and ``make security`` do): an ordinary test run leaves the file alone."""

import os
from typing import Any

RECORD = "KIEUBAO_RECORD_FIGURES"


def record(key: str, figures: dict[str, Any]) -> None:
    if os.environ.get(RECORD) == "1":
        from bench.results import record as keep

        keep(key, figures)
