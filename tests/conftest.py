"""Fixtures shared by the suite: databases on SQLite and PostgreSQL, personas, clients.

Each database test runs inside a transaction rolled back at the end (SAVEPOINTs for the
commits actions make), on both backends. Everything in the process that opens a session,
the web app and inline jobs included, is bound to that same transaction.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from kieubao.platform import db, jobs
from kieubao.platform.settings import get_settings
from tests.backends import POSTGRES_URL, postgres_available


@pytest.fixture(scope="session", autouse=True)
def _settings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    var = tmp_path_factory.mktemp("var")
    os.environ.update(
        KIEUBAO_VAR_DIR=str(var),
        KIEUBAO_JOBS_IMMEDIATE="true",
        KIEUBAO_DATABASE_URL=f"sqlite:///{var}/kieubao.db",
        KIEUBAO_BASE_URL="http://testserver",
    )
    os.environ.pop("KIEUBAO_REDIS_URL", None)
    get_settings.cache_clear()
    jobs.reset()
    return var


@pytest.fixture(autouse=True)
def _empty_mailbox(_settings: Path) -> None:
    """Each test reads only the mail it caused."""
    for message in (_settings / "mail").glob("*.eml"):
        message.unlink()


def _migrated(engine: Engine) -> Engine:
    from kieubao.platform import audit, migrate, missions

    with engine.begin() as connection:
        migrate.upgrade(connection)
    with Session(engine) as session:
        missions.load_seed(session, acting_user=audit.System("tests"))
    return engine


@pytest.fixture(scope="session")
def sqlite_engine(_settings: Path) -> Iterator[Engine]:
    engine = _migrated(db.build_engine(f"sqlite:///{_settings}/tests.db"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine(worker_id: str) -> Iterator[Engine]:
    postgres_available()
    # One database per test process, so parallel workers (and checkouts) never share rows.
    name = f"kieubao_test_{worker_id}_{os.getpid()}"
    admin = db.build_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = _migrated(db.build_engine(make_url(POSTGRES_URL).set(database=name)))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Engine:
    return request.getfixturevalue(f"{request.param}_engine")  # type: ignore[no-any-return]


@pytest.fixture
def connection(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    factory = sessionmaker(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    monkeypatch.setattr(db, "_session_factory", lambda: factory)
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with db.new_session() as s:
        yield s


pytest_plugins = ["tests.personas"]
