"""PostgreSQL restarted for real under steady load: while it is away requests fail cleanly
(503 with Retry-After, JSON problem details for programs, the error page for people, never a
500), the same app serves again once it is back, unrestarted, and every write it
acknowledged before, during or after is there, with the audit chain intact."""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kieubao.platform import accounts, audit
from kieubao.platform.models import Role
from kieubao.registry.models import Citizen
from tests.faults import PrivatePostgres, serving, wait_for
from tests.figures import record
from tests.personas import SYSTEM

WRITERS, READERS = 3, 2
# Load before the restart, and after it the time every thread must be served again within.
WARM_UP_ANSWERS = 30
RECOVERY_S = 20.0


@dataclass
class Load:
    """Threads calling the app as programs and people do, each answer noted."""

    client: TestClient
    statuses: list[int] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    attempted: set[str] = field(default_factory=set)
    refusals: list[tuple[str, Any]] = field(default_factory=list)
    served_since: dict[str, float] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, name: str, answer: Any, kind: str) -> None:
        with self.lock:
            self.statuses.append(answer.status_code)
            if answer.status_code < 400:
                self.served_since.setdefault(name, time.monotonic())
            else:
                self.served_since.pop(name, None)
                self.refusals.append((kind, answer))

    def writer(self, name: str) -> None:
        i = 0
        while not self.stop.is_set():
            ref = f"{name}-{i}"
            i += 1
            with self.lock:
                self.attempted.add(ref)
            body = {
                "full_name": "Nguyễn Văn An",
                "date_of_birth": f"19{60 + i % 40}-0{1 + i % 9}-1{i % 9}",
                "country": "JP",
                "external_ref": ref,
            }
            answer = self.client.post("/api/v1/citizens", json=body)
            if answer.status_code == 201:
                with self.lock:
                    self.acknowledged.add(ref)
            self.note(name, answer, "json")

    def reader(self, name: str) -> None:
        page = name.endswith("1")  # one reads as a person does, the other as a program
        while not self.stop.is_set():
            if page:
                answer = self.client.get(
                    "/advisories", headers={"Accept": "text/html", "Cookie": "lang=en"}
                )
            else:
                answer = self.client.get("/api/v1/citizens?limit=5")
            self.note(name, answer, "html" if page else "json")

    def everyone_served_for(self, seconds: float) -> bool:
        now = time.monotonic()
        with self.lock:
            since = dict(self.served_since)
        return len(since) == WRITERS + READERS and all(now - t >= seconds for t in since.values())


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


def _client(engine: Engine) -> TestClient:
    from kieubao.app import create_app

    with Session(engine) as session:
        user = accounts.create_user(
            session, acting_user=SYSTEM, email="hq@mofa.gov.vn", role=Role.hq_officer
        )
        token = accounts.create_api_token(session, acting_user=SYSTEM, user=user)
    client = TestClient(create_app(), raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


@pytest.mark.xdist_group("postgres-restart")
@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_postgres_restarted_under_load_answers_503_and_the_app_recovers_by_itself(
    private_postgres: PrivatePostgres, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = serving(private_postgres.url, monkeypatch)
    load = Load(_client(engine))
    threads = [
        threading.Thread(target=load.writer, args=(f"writer{i}",), daemon=True)
        for i in range(WRITERS)
    ] + [
        threading.Thread(target=load.reader, args=(f"reader{i}",), daemon=True)
        for i in range(READERS)
    ]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: len(load.statuses) >= WARM_UP_ANSWERS, 60, "steady load")
        assert set(load.statuses) <= {200, 201}, "served before the restart"
        before = len(load.statuses)
        started = time.monotonic()
        private_postgres.pg_ctl("restart", mode)
        restarted_in = time.monotonic() - started
        wait_for(lambda: load.everyone_served_for(1.0), RECOVERY_S, "every thread served again")
        recovered_in = time.monotonic() - started
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=30)

    during = load.statuses[before:]
    assert set(load.statuses) <= {200, 201, 503}, sorted(set(load.statuses))
    assert 503 in during, "the restart went unseen: no request met it"
    for kind, answer in load.refusals:
        assert answer.headers["Retry-After"]
        if kind == "json":
            problem = answer.json()
            assert (problem["status"], problem["title"]) == (503, "Service unavailable")
        else:
            assert answer.headers["content-type"].startswith("text/html")
            assert "The database is unavailable for a moment" in answer.text

    with Session(engine) as session:
        stored = set(session.scalars(select(Citizen.external_ref)))
        assert load.acknowledged <= stored, "an acknowledged write was lost"
        assert stored <= load.attempted
        assert audit.verify(session).ok
    lost = len(load.acknowledged - stored)
    record(
        f"postgres_restart_{mode}",
        {
            "requests": len(load.statuses),
            "answered_503": during.count(503),
            "other_errors": sum(s not in (200, 201, 503) for s in load.statuses),
            "writes_acknowledged": len(load.acknowledged),
            "writes_lost": lost,
            "restart_s": round(restarted_in, 2),
            "served_again_within_s": round(recovered_in, 2),
        },
    )
    engine.dispose()
