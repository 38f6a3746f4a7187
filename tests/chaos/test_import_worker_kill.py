"""A worker killed in the middle of a registry import and started again finishes the file:
every row imported once, none twice, none lost."""

import csv
import os
import signal
import sqlite3
import subprocess
from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import db, migrate
from kieubao.registry import synthetic
from kieubao.registry.models import Citizen, ImportJob
from tests.faults import KIEUBAO, wait_for
from tests.figures import record

ROWS = 3_000


@pytest.mark.xdist_group("import-kill")
def test_a_worker_killed_mid_import_and_restarted_imports_each_row_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/kieubao.db"
    engine = db.build_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(connection)
    sheet = tmp_path / "mission-list.csv"
    with sheet.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["external_ref", "full_name", "date_of_birth", "country", "city"])
        for p in islice(synthetic.people(seed=7), ROWS):
            out.writerow([p.ref, p.full_name, p.born.isoformat(), p.country, p.city])
    env = {
        **os.environ,
        "KIEUBAO_VAR_DIR": str(tmp_path),
        "KIEUBAO_DATABASE_URL": url,
        "KIEUBAO_JOBS_IMMEDIATE": "false",
    }
    queued = subprocess.run(
        [KIEUBAO, "registry", "import", str(sheet)], env=env, capture_output=True, text=True
    )
    assert queued.returncode == 0, queued.stderr

    # Read as any reader does under WAL: beside the worker's writes, never waiting for them.
    def read(query: str) -> object:
        with sqlite3.connect(tmp_path / "kieubao.db", timeout=30) as raw:
            return raw.execute(query).fetchone()[0]

    def imported() -> int:
        return int(read("SELECT count(*) FROM citizens"))  # type: ignore[call-overload]

    def finished() -> bool:
        return read("SELECT status FROM citizen_imports") in ("done", "failed")

    log = (tmp_path / "worker.log").open("ab")
    first = subprocess.Popen([KIEUBAO, "worker"], env=env, stdout=log, stderr=log)
    try:
        wait_for(lambda: imported() > 0, timeout=120)  # its first batch is in
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    at_kill = imported()
    assert at_kill < ROWS, "the import finished before the worker could be killed"

    second = subprocess.Popen([KIEUBAO, "worker"], env=env, stdout=log, stderr=log)
    try:
        wait_for(finished, timeout=240)
    finally:
        second.terminate()
        second.wait(timeout=10)
    with Session(engine) as session:
        job = session.scalars(select(ImportJob)).one()
        refs = list(session.scalars(select(Citizen.external_ref)))
    assert (job.status, job.rows_done, job.rejected) == ("done", ROWS, 0)
    assert len(refs) == len(set(refs)) == ROWS
    record(
        "import_kill",
        {"rows": ROWS, "kills": 1, "imported_before_kill": at_kill, "imported": len(refs)},
    )
    engine.dispose()
