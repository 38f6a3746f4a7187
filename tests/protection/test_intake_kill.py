"""The promise of "accepted": a server killed (SIGKILL) in the middle of a load of case reports
and crisis self-registrations, then started again, has every case number and every reference
it answered with."""

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis.actions import open_crisis
from kieubao.crisis.models import SelfReport
from kieubao.platform import audit
from kieubao.platform.smtp_sink import free_port
from kieubao.protection.models import Case
from tests.faults import KIEUBAO, intake_database, serve_kieubao
from tests.protection.conftest import report

SYSTEM = audit.System("tests")
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hải", "Khánh", "Lan", "Mai", "Nam"]


@pytest.mark.xdist_group("intake-kill")
def test_every_acknowledged_intake_survives_a_sigkill_mid_load(tmp_path: Path) -> None:
    engine, env = intake_database(tmp_path)
    with Session(engine, expire_on_commit=False) as session:
        area = {"circles": [{"lat": 34.69, "lon": 135.5, "radius_km": 50}], "polygons": []}
        crisis = open_crisis(session, acting_user=SYSTEM, title="Osaka quake", area=area)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    server = serve_kieubao(env, port, log)

    numbers: set[str] = set()
    references: set[int] = set()
    errors: list[str] = []
    lock = threading.Lock()
    killed = threading.Event()

    def relative(k: int) -> None:
        with httpx.Client(timeout=30) as client:
            for i in range(10_000):
                name = f"Nguyễn Văn {GIVEN[i % len(GIVEN)]} {k}-{i}"
                try:
                    if i % 2:
                        body: dict[str, Any] = {
                            "people": [{"full_name": name}],
                            "country": "JP",
                            "city": "Osaka",
                            "phone": f"+81 90 {k:04d} {i:04d}",
                            "status": "safe",
                        }
                        answer = client.post(
                            f"{base}/api/v1/crises/{crisis.id}/self-reports", json=body
                        )
                    else:
                        answer = client.post(
                            f"{base}/api/v1/cases", json=report(subject={"full_name": name})
                        )
                except httpx.HTTPError:
                    return  # the server is gone: what was not answered was never promised
                with lock:
                    if answer.status_code == 201:
                        numbers.add(answer.json()["case_number"])
                    elif answer.status_code == 202:
                        references.add(int(answer.json()["reference"].removeprefix("SR-")))
                    elif not killed.is_set():
                        errors.append(answer.text)

    clients = [threading.Thread(target=relative, args=(k,)) for k in range(16)]
    for thread in clients:
        thread.start()
    deadline = time.monotonic() + 60
    while len(numbers) + len(references) < 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    killed.set()
    os.kill(server.pid, signal.SIGKILL)  # in the middle of the load: clients are still sending
    server.wait(10)
    for thread in clients:
        thread.join(30)
    assert not errors, errors[:3]
    assert len(numbers) > 50 and len(references) > 50

    server = serve_kieubao(env, port, log)
    try:
        with Session(engine) as session:
            stored = set(session.scalars(select(Case.number)))
            kept = set(session.scalars(select(SelfReport.id)))
        assert numbers <= stored
        assert references <= kept
        verdict = subprocess.run(
            [KIEUBAO, "audit", "verify"], env=env, capture_output=True, text=True, check=False
        )
        assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    finally:
        server.terminate()
        server.wait(15)
        engine.dispose()
