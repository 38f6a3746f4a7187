"""`make bench`: every benchmark in turn; each merges its figures into results/latest.json.

Name benchmarks to run only those (`run.py fanout`); pass --quick for the small sizes
(minutes, not tens of minutes)."""

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
    "portal.py",
    "review.py",
    "case_search.py",
    "keys.py",
]


def main() -> int:
    names = [a for a in sys.argv[1:] if not a.startswith("-")]
    extra = [a for a in sys.argv[1:] if a.startswith("-")]
    unknown = [n for n in names if f"{n}.py" not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark: {', '.join(unknown)}", file=sys.stderr)
        return 2
    failed = 0
    for script in [s for s in BENCHMARKS if not names or s.removesuffix(".py") in names]:
        print(f"== {script}", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / script), *extra])
    print(f"results: {HERE / 'results' / 'latest.json'}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
