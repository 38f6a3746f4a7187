"""Backup and restore: an online copy that proves itself, restored to identical data and an
audit chain that still verifies; damaged copies refused before anything changes."""

import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from kieubao.domains import modules
from kieubao.platform import accounts, audit, db
from kieubao.platform.backup import BackupFailed, backup, restore
from kieubao.platform.db import Base
from kieubao.platform.models import Role
from kieubao.platform.settings import get_settings
from kieubao.registry import actions as registry
from kieubao.registry.models import Citizen
from kieubao.registry.schemas import CitizenIn
from tests.backends import POSTGRES_URL, postgres_available
from tests.faults import serving

ACTOR = audit.System("backup tests")


def _fill(engine: Engine, n: int, prefix: str) -> None:
    with db.new_session() as session:
        for i in range(n):
            accounts.create_user(
                session, acting_user=ACTOR, email=f"{prefix}{i}@mofa.gov.vn", role=Role.hq_officer
            )
        registry.register_citizen(
            session,
            acting_user=ACTOR,
            data=CitizenIn(
                full_name=f"Nguyễn Thị {prefix.title()}",
                date_of_birth="1990-05-06",
                passport_no="C1234567",
                country="JP",
                city="Osaka",
            ),
        )


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as stored (encrypted fields as their ciphertext)."""
    modules("models")
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(table.select().order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def _passports(engine: Engine) -> list[str | None]:
    with Session(engine) as session:
        return list(session.scalars(select(Citizen.passport_no).order_by(Citizen.id)))


@pytest.fixture
def live_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Engine]]:
    url = f"sqlite:///{tmp_path}/live.db"
    engine = serving(url, monkeypatch)
    yield url, engine
    engine.dispose()


def test_a_sqlite_copy_taken_while_writing_restores_identical_data(
    live_sqlite: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = live_sqlite
    _fill(engine, 5, "before")
    stop = threading.Event()

    def keep_writing() -> None:
        i = 0
        while not stop.is_set():
            _fill(engine, 1, f"during{i}x")
            i += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        copy = backup(url, tmp_path / "copy.db")
    finally:
        stop.set()
        writer.join()
    # The copy is one moment of the database: its chain verifies on its own.
    assert copy.audit_entries > 5 and len(copy.sha256) == 64
    assert not Path(f"{copy.path}-wal").exists()
    at_backup = _rows(db.build_engine(f"sqlite:///{copy.path}"))

    _fill(engine, 3, "after")
    restored = restore(url, copy.path)
    assert restored.audit_entries == copy.audit_entries
    assert _rows(engine) == at_backup
    assert "C1234567" in _passports(engine)
    with Session(engine) as session:
        assert audit.verify(session).ok


def test_a_damaged_or_tampered_copy_is_refused_and_changes_nothing(
    live_sqlite: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = live_sqlite
    _fill(engine, 2, "kept")
    copy = backup(url, tmp_path / "copy.db")
    before = _rows(engine)

    tampered = tmp_path / "tampered.db"
    tampered.write_bytes(copy.path.read_bytes())
    with sqlite3.connect(tampered) as raw:
        raw.execute("UPDATE audit_entries SET target_id = 'someone else' WHERE seq = 2")
    with pytest.raises(BackupFailed, match="audit chain"):
        restore(url, tampered)

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database" * 100)
    with pytest.raises(BackupFailed):
        restore(url, garbage)
    with pytest.raises(BackupFailed, match="no backup"):
        restore(url, tmp_path / "missing.db")
    assert _rows(engine) == before


def test_the_commands_back_up_and_restore(
    live_sqlite: tuple[str, Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kieubao.cli import build

    url, engine = live_sqlite
    _fill(engine, 2, "cli")
    monkeypatch.setenv("KIEUBAO_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        target = tmp_path / "cli.db"
        made = CliRunner().invoke(build(), ["backup", "--to", str(target)])
        assert made.exit_code == 0, made.output
        assert "audit chain intact in the copy" in made.output and target.is_file()
        refused = CliRunner().invoke(build(), ["restore", str(target)])
        assert refused.exit_code == 1 and "--yes" in refused.output
        done = CliRunner().invoke(build(), ["restore", str(target), "--yes"])
        assert done.exit_code == 0, done.output
        assert "audit chain intact" in done.output
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.fixture
def live_postgres(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Engine]]:
    postgres_available()
    name = f"kieubao_backup_{os.getpid()}"
    admin = db.build_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = serving(url, monkeypatch)
    yield url, engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_postgres_dump_restores_identical_data_and_a_verifying_chain(
    live_postgres: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = live_postgres
    _fill(engine, 4, "pg")
    copy = backup(url, tmp_path / "copy.dump")
    at_backup = _rows(engine)
    _fill(engine, 2, "later")
    engine.dispose()  # the service is stopped for a restore
    restored = restore(url, copy.path)
    assert restored.audit_entries == copy.audit_entries
    assert _rows(engine) == at_backup
    assert "C1234567" in _passports(engine)
    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(b"PGDMP but not really")
    with pytest.raises(BackupFailed, match="pg_restore"):
        restore(url, garbage)
