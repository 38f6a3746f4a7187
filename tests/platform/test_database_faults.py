"""When the database's disk fills up or its server goes away, requests fail cleanly (507 or
503 with Retry-After, nothing half-written) and the app recovers by itself, unrestarted."""

import errno
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kieubao.platform import accounts, audit, db
from kieubao.platform.models import Role
from kieubao.registry.models import Citizen
from tests.backends import POSTGRES_URL, postgres_available
from tests.faults import Proxy, serving
from tests.personas import SYSTEM


def _client(engine: Any) -> TestClient:
    from kieubao.app import create_app

    with Session(engine) as session:
        user = accounts.create_user(
            session, acting_user=SYSTEM, email="hq@mofa.gov.vn", role=Role.hq_officer
        )
        token = accounts.create_api_token(session, acting_user=SYSTEM, user=user)
    client = TestClient(create_app(), raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Khánh", "Long", "Minh", "Nam")


def _register(client: TestClient, i: int) -> Any:
    name = f"Nguyễn {GIVEN[i // 10 % 10]} {GIVEN[i % 10]}"
    body = {"full_name": name, "date_of_birth": "1990-05-17", "country": "JP"}
    return client.post("/api/v1/citizens", json=body)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        pytest.skip(f"a small disk cannot be mounted here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    full = []
    with filler.open("wb", buffering=0) as f:
        for size in (1 << 20, 4096, 1):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError as exc:
                full.append(exc.errno)
    assert full == [errno.ENOSPC] * 3
    return filler


def test_a_full_disk_answers_507_loses_nothing_and_recovers(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = small_disk / "kieubao.db"
    engine = serving(f"sqlite:///{path}", monkeypatch)
    client = _client(engine)
    acknowledged = [_register(client, i).json()["id"] for i in range(3)]
    filler = _fill(small_disk)

    statuses = []
    for i in range(3, 300):
        answer = _register(client, i)
        statuses.append(answer.status_code)
        if answer.status_code == 201:
            acknowledged.append(answer.json()["id"])
        elif answer.status_code == 507:
            problem = answer.json()
            assert problem["status"] == 507 and "storage is full" in problem["detail"]
            assert answer.headers["Retry-After"]
            break
    assert statuses[-1] == 507 and set(statuses) <= {201, 507}

    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Session(engine) as session:
        stored = set(session.scalars(select(Citizen.id)))
        assert set(acknowledged) <= stored and audit.verify(session).ok

    os.unlink(filler)
    assert _register(client, 1000).status_code == 201  # the same app, unrestarted
    engine.dispose()


@pytest.fixture
def postgres_behind_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Proxy, Any]]:
    postgres_available()
    name = f"kieubao_faults_{os.getpid()}"
    admin = db.build_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    real = make_url(POSTGRES_URL)
    proxy = Proxy((real.host or "127.0.0.1", real.port or 5432))
    proxy.start()
    url = real.set(database=name, host="127.0.0.1", port=proxy.port)
    engine = serving(url.render_as_string(hide_password=False), monkeypatch)
    yield proxy, engine
    proxy.stop()
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgres_going_away_answers_503_and_the_app_recovers_when_it_is_back(
    postgres_behind_proxy: tuple[Proxy, Any],
) -> None:
    proxy, engine = postgres_behind_proxy
    client = _client(engine)
    assert _register(client, 1).status_code == 201

    proxy.stop()  # what a restart does to the app: its connections cut, new ones refused
    for answer in (_register(client, 2), client.get("/api/v1/citizens")):
        assert answer.status_code == 503, answer.text
        assert answer.json()["title"] == "Service unavailable"
        assert answer.headers["Retry-After"]

    proxy.start()
    assert _register(client, 3).status_code == 201
    with Session(engine) as session:
        names = set(session.scalars(select(Citizen.full_name)))
        assert names == {"Nguyễn An Bình", "Nguyễn An Dũng"}
        assert session.scalar(select(func.count()).select_from(Citizen)) == 2


def test_rows_written_in_bulk_fail_as_any_statement_does(session: Session) -> None:
    """The writer's bulk rows go past SQLAlchemy to the driver (COPY, executemany): their
    faults come back as SQLAlchemy's, which the app answers 503 or 507 for."""
    connection = session.connection()
    with pytest.raises(DBAPIError) as raised:
        db.insert_rows(connection, "no_such_table", ("id",), [(1,)])
    assert "no_such_table" in str(raised.value.orig)
    session.rollback()
