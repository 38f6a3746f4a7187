"""Case intake under load with the server killed (SIGKILL) ten times, started again each time:
every case number the server answered with is stored, the numbers run without a gap, and the
audit chain still verifies. The figures go to bench/results/latest.json (``intake_kill``)."""

import os
import signal
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
import pytest
from bench.results import record
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.smtp_sink import free_port
from kieubao.protection.models import Case
from tests.faults import KIEUBAO, intake_database, serve_kieubao
from tests.protection.conftest import report

SYSTEM = audit.System("tests")
KILLS = 10
CLIENTS = 8
# Cases answered between two kills: enough that each kill lands with reports in flight.
PER_LIFE = 15
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hải", "Khánh", "Lan", "Mai", "Nam"]


def _name(n: int) -> str:
    """A name of its own for each report (names have no digits): n's digits as given names."""
    return "Nguyễn Văn " + " ".join(GIVEN[int(d)] for d in str(n))


@pytest.mark.xdist_group("intake-kills")
def test_ten_sigkills_under_intake_load_lose_no_acknowledged_case(tmp_path: Path) -> None:
    engine, env = intake_database(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"

    acknowledged: list[str] = []
    errors: list[str] = []
    sent = 0
    lock = threading.Lock()
    done, up = threading.Event(), threading.Event()

    def relative(k: int) -> None:
        nonlocal sent
        i = 0
        with httpx.Client(timeout=30) as client:
            while not done.is_set():
                up.wait()  # not while the server starts again
                i += 1
                body = report(subject={"full_name": _name(k * 1_000_000 + i)})
                try:
                    answer = client.post(f"{base}/api/v1/cases", json=body)
                except httpx.HTTPError:
                    time.sleep(0.05)  # killed mid-request, or not up again yet: nothing promised
                    continue
                with lock:
                    sent += 1
                    if answer.status_code == 201:
                        acknowledged.append(answer.json()["case_number"])
                    else:
                        errors.append(f"{answer.status_code} {answer.text[:300]}")

    def start() -> "subprocess.Popen[bytes]":
        nonlocal sent
        server = serve_kieubao(env, port, log)
        # One report first, alone: it builds the process's mission directory, which a crowd
        # of first reports would each build at once.
        first = report(subject={"full_name": _name(len(acknowledged))})
        answer = httpx.post(f"{base}/api/v1/cases", json=first, timeout=60)
        assert answer.status_code == 201, answer.text
        with lock:
            sent += 1
            acknowledged.append(answer.json()["case_number"])
        up.set()
        return server

    server = start()
    clients = [threading.Thread(target=relative, args=(k,)) for k in range(1, CLIENTS + 1)]
    for thread in clients:
        thread.start()
    started = time.monotonic()
    try:
        for _kill in range(KILLS):
            at_start = len(acknowledged)
            deadline = time.monotonic() + 60
            while len(acknowledged) < at_start + PER_LIFE and time.monotonic() < deadline:
                time.sleep(0.01)
            up.clear()
            os.kill(server.pid, signal.SIGKILL)  # clients are still sending
            server.wait(10)
            server = start()
    finally:
        done.set()
        up.set()
        for thread in clients:
            thread.join(40)
        server.terminate()
        server.wait(15)
    elapsed = time.monotonic() - started

    with Session(engine) as session:
        stored = set(session.scalars(select(Case.number)))
    engine.dispose()
    lost = set(acknowledged) - stored
    record(
        "intake_kill",
        {
            "kills": KILLS,
            "concurrent_clients": CLIENTS,
            "answered": sent,
            "acknowledged": len(acknowledged),
            "stored": len(stored),
            "acknowledged_stored": len(set(acknowledged) & stored),
            "lost": len(lost),
            "seconds": round(elapsed, 1),
        },
    )
    assert not errors, errors[:3]
    assert len(acknowledged) >= KILLS * PER_LIFE
    assert len(set(acknowledged)) == len(acknowledged), "a case number was given twice"
    assert not lost, sorted(lost)[:10]
    # Numbers are taken in the transaction that stores the case: a kill leaves no gap.
    serials: dict[str, list[int]] = defaultdict(list)
    for number in stored:  # BH-YYYY-NNNNNN
        serials[number[3:7]].append(int(number[8:]))
    for year, taken in serials.items():
        assert sorted(taken) == list(range(1, len(taken) + 1)), f"a gap in {year}"
    verdict = subprocess.run(
        [KIEUBAO, "audit", "verify"], env=env, capture_output=True, text=True, check=False
    )
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
