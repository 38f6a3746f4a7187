"""Key rotation and the sensitive-read log, measured on SQLite as `make demo` runs.

Rotation: N registrations with a passport number (Core inserts, not measured), then
`keys.rotate` re-encrypts them all while a writer keeps registering people. Figures: rows per
second of the pass against the bare decrypt+encrypt of the same tokens in the same run (the
floor any pass pays), and the writer's median registration time during the pass against
the same writer before it (what "without downtime" costs people working).

Read log: an officer reads a detention case through the API, with the read logged as the
app does, against the same read with the log switched off, in the same run.

    python bench/keys.py [--quick] [--citizens 100000] [--reads 400]
"""

import argparse
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from imports import configure
from results import median, percentile, record

SYSTEM_LABEL = "bench"


def _names(n: int) -> str:
    return "".join(chr(ord("a") + int(d)) for d in str(n))


def load(citizens: int) -> None:
    from sqlalchemy import insert

    from kieubao.platform import audit, db, migrate, missions
    from kieubao.registry.models import Citizen

    with db.get_engine().begin() as conn:
        migrate.upgrade(conn)
    with db.session_scope() as session:
        missions.load_seed(session, acting_user=audit.System(SYSTEM_LABEL))
    rows: list[dict[str, Any]] = []
    with db.get_engine().begin() as conn:
        for n in range(citizens):
            rows.append(
                {
                    "public_id": str(uuid.uuid4()),
                    "full_name": f"Công dân {_names(n)}",
                    "name_folded": f"cong dan {_names(n)}",
                    "country": "JP",
                    "phones": [],
                    "status": "active",
                    "source": "import",
                    "passport_no": f"C{n:07d}",
                }
            )
            if len(rows) == 20_000:
                conn.execute(insert(Citizen), rows)
                rows = []
        if rows:
            conn.execute(insert(Citizen), rows)


def _register_one(i: int) -> float:
    from kieubao.platform import audit, db
    from kieubao.registry import actions
    from kieubao.registry.schemas import CitizenIn

    started = time.perf_counter()
    with db.session_scope() as session:
        actions.register_citizen(
            session,
            acting_user=audit.System(SYSTEM_LABEL),
            data=CitizenIn(
                full_name=f"Người mới {_names(i)}",
                date_of_birth="1991-02-03",
                passport_no=f"N{i:07d}",
                country="JP",
                city="Osaka",
            ),
        )
    return time.perf_counter() - started


def rotation(citizens: int) -> dict[str, Any]:
    from sqlalchemy import text

    from kieubao.platform import audit, db, keys
    from kieubao.platform.crypto import decrypt, encrypt

    with db.get_engine().connect() as conn:
        tokens = list(conn.scalars(text("SELECT passport_no FROM citizens")))
    started = time.perf_counter()
    for token in tokens:
        encrypt(decrypt(token))
    floor_s = time.perf_counter() - started

    idle = [_register_one(i) for i in range(30)]
    during: list[float] = []
    stop = threading.Event()

    def keep_registering() -> None:
        i = 1000
        while not stop.is_set():
            during.append(_register_one(i))
            i += 1

    writer = threading.Thread(target=keep_registering)
    writer.start()
    started = time.perf_counter()
    try:
        with db.session_scope() as session:
            done = keys.rotate(session, acting_user=audit.System(SYSTEM_LABEL), settle_s=0.2)
    finally:
        stop.set()
        writer.join()
    pass_s = time.perf_counter() - started
    assert set(done.census) == {done.version}, done.census
    return {
        "rows": done.rewritten,
        "pass_s": round(pass_s, 2),
        "rows_per_s": round(done.rewritten / pass_s),
        "crypto_floor_rows_per_s": round(len(tokens) / floor_s),
        "pass_vs_crypto_floor": round(pass_s / floor_s, 2),
        "registration_idle_median_ms": round(median(idle) * 1000, 1),
        "registration_during_median_ms": round(median(during) * 1000, 1),
        "registration_during_p95_ms": round(percentile(during, 0.95) * 1000, 1),
        "registrations_during": len(during),
        "registration_during_vs_idle": round(median(during) / median(idle), 2),
    }


def reads(count: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from kieubao.app import create_app
    from kieubao.platform import access, accounts, audit, db
    from kieubao.platform.models import Role
    from kieubao.protection import actions
    from kieubao.protection.models import Channel
    from kieubao.protection.schemas import CaseIn

    system = audit.System(SYSTEM_LABEL)
    with db.session_scope() as session:
        actions.load_case_types(session, acting_user=system)
        case = actions.open_case(
            session,
            acting_user=system,
            report=CaseIn.model_validate(
                {
                    "case_type": "arrest_detention",
                    "country": "JP",
                    "description": "Bị cảnh sát Osaka bắt giữ, gia đình không liên lạc được.",
                    "reporter": {"name": "Trần Thị Mai", "phone": "+84 912 345 678"},
                    "subject": {"full_name": "Lê Văn Hùng", "date_of_birth": "1998-03-02"},
                }
            ),
            channel=Channel.web,
        ).case
        officer = accounts.create_user(
            session,
            acting_user=system,
            email="bench.tokyo@mofa.gov.vn",
            role=Role.mission_officer,
            mission_code="JP-TYO-EMB",
        )
        token = accounts.create_api_token(session, acting_user=system, user=officer)
    app = create_app()
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    path = f"/api/v1/cases/{case.number}"

    def throughput(threads: int, each: int) -> float:
        """Reads per second with ``threads`` officers reading at once."""
        clients = [
            TestClient(app, headers={"Authorization": f"Bearer {token}"}) for _ in range(threads)
        ]

        def read_many(c: TestClient) -> None:
            for _ in range(each):
                assert c.get(path).status_code == 200

        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(read_many, clients))
        return threads * each / (time.perf_counter() - started)

    def timed(n: int) -> list[float]:
        found = []
        for _ in range(n):
            started = time.perf_counter()
            assert client.get(path).status_code == 200
            found.append(time.perf_counter() - started)
        return found

    real_log = access.log_read
    logged, bare = [], []
    together_logged, together_bare = [], []
    timed(20)  # warm
    # Alternating rounds: the machine's noise falls on both alike.
    for _ in range(4):
        logged += timed(count // 4)
        together_logged.append(throughput(8, count // 32))
        access.log_read = lambda *a, **k: None  # type: ignore[assignment]
        try:
            bare += timed(count // 4)
            together_bare.append(throughput(8, count // 32))
        finally:
            access.log_read = real_log
    return {
        "eight_officers_logged_reads_per_s": round(median(together_logged)),
        "eight_officers_unlogged_reads_per_s": round(median(together_bare)),
        "eight_officers_logged_vs_unlogged": round(
            median(together_logged) / median(together_bare), 2
        ),
        "reads": len(logged),
        "logged_median_ms": round(median(logged) * 1000, 2),
        "unlogged_median_ms": round(median(bare) * 1000, 2),
        "logged_p95_ms": round(percentile(logged, 0.95) * 1000, 2),
        "logged_vs_unlogged": round(median(logged) / median(bare), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=400)
    args = parser.parse_args()
    citizens = 5_000 if args.quick else args.citizens
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        configure(f"sqlite:///{var}/keys.db", var)
        load(citizens)
        rotated = rotation(citizens)
        print("rotation", rotated, flush=True)
        read = reads(80 if args.quick else args.reads)
        print("reads", read, flush=True)
    record("key_rotation", {"citizens": citizens, **rotated})
    record("sensitive_read_log", read)


if __name__ == "__main__":
    main()
