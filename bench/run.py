"""`make bench`: every benchmark in turn; each merges its figures into results/latest.json.

Pass --quick for the small sizes (minutes, not tens of minutes)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS = [
    "matching.py",
    "imports.py",
    "exposure.py",
    "alert_latency.py",
    "self_registration.py",
    "intake.py",
    "replies.py",
    "fanout.py",
]


def main() -> int:
    extra = sys.argv[1:]
    failed = 0
    for script in BENCHMARKS:
        print(f"== {script}", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / script), *extra])
    print(f"results: {HERE / 'results' / 'latest.json'}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
