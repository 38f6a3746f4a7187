"""Tools for fault tests: a database of its own that the whole process serves from, a TCP
proxy that can take a server away and bring it back, as a restart does to its clients, and
a PostgreSQL server of the test's own to restart for real."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from kieubao.platform import audit, db, migrate, missions
from kieubao.platform.smtp_sink import free_port
from kieubao.protection.actions import load_case_types
from tests.backends import POSTGRES_URL, postgres_available, unavailable

KIEUBAO = str(Path(sys.executable).with_name("kieubao"))


def wait_for(condition: Callable[[], object], timeout: float, what: str = "it") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A database of its own on the shared PostgreSQL server, dropped afterwards: for work
    done by other processes (a worker, a command) that the test then inspects."""
    postgres_available()
    name = f"{prefix}_{os.getpid()}"
    admin = db.build_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def waiting_on_a_lock(engine: Engine) -> int:
    """How many sessions of the engine's database wait for a lock another holds."""
    with engine.connect() as connection:
        return int(
            connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            or 0
        )


def serving(url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """A migrated database at ``url``, committed for real, that every session in the process
    uses (the web app and inline jobs included)."""
    engine = db.build_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(connection)
    monkeypatch.setattr(db, "_session_factory", lambda: sessionmaker(bind=engine))
    with Session(engine) as session:
        missions.load_seed(session, acting_user=audit.System("fault tests"))
    return engine


def intake_database(var: Path) -> tuple[Engine, dict[str, str]]:
    """A migrated SQLite database in ``var`` with the missions and case types, for a
    `kieubao serve` of its own (:func:`serve_kieubao`): its engine, and the server's
    environment (jobs queued, public intake unlimited)."""
    url = f"sqlite:///{var}/kieubao.db"
    engine = db.build_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(connection)
    with Session(engine, expire_on_commit=False) as session:
        missions.load_seed(session, acting_user=audit.System("fault tests"))
        load_case_types(session, acting_user=audit.System("fault tests"))
    env = {
        **os.environ,
        "KIEUBAO_VAR_DIR": str(var),
        "KIEUBAO_DATABASE_URL": url,
        "KIEUBAO_JOBS_IMMEDIATE": "false",
        "KIEUBAO_INTAKE_PER_HOUR": "1000000",
    }
    env.pop("KIEUBAO_REDIS_URL", None)
    return engine, env


class Proxy:
    """Forwards 127.0.0.1:<port> to ``target``; ``stop`` cuts every connection and refuses
    new ones, ``start`` takes them again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._links: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        with self._lock:
            if self._listener is not None:
                # Shut down first: that wakes the thread blocked in accept, which close alone
                # would leave listening.
                with suppress(OSError):
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
            for link in self._links:
                with suppress(OSError):
                    link.shutdown(socket.SHUT_RDWR)
                link.close()
            self._links.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._links += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


def serve_kieubao(env: dict[str, str], port: int, log: Path) -> "subprocess.Popen[bytes]":
    """`kieubao serve` in a process of its own (to be killed), once it answers /healthz."""
    with log.open("ab") as out:
        server = subprocess.Popen(
            [KIEUBAO, "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    # Starting takes seconds of CPU (imports): many more on a machine busy with other work.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise AssertionError(f"server did not start: {log.read_text()[-2000:]}")


class PrivatePostgres:
    """A PostgreSQL server of its own, made from the machine's binaries in a temporary
    directory on a free port, so that restarting it disturbs no other test. The server
    refuses to run as root: as root, it runs as the ``postgres`` account."""

    def __init__(self) -> None:
        found = sorted(
            Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
            key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        )
        pg_ctl = found[-1] if found else shutil.which("pg_ctl")
        if pg_ctl is None:
            unavailable("PostgreSQL's server programs", FileNotFoundError("pg_ctl"))
        self.bin = Path(str(pg_ctl)).parent
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.root = Path(tempfile.mkdtemp(prefix="kieubao-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/kieubao"

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_owner, str(self.bin / program), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"{program} failed: {done.stderr or done.stdout}\n{self._tail()}")

    def _tail(self) -> str:
        return self.log.read_text()[-2000:] if self.log.exists() else ""

    def start(self) -> None:
        if self.as_owner:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        self.pg_ctl("start")
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE kieubao")

    def pg_ctl(self, action: str, mode: str = "fast") -> None:
        """``start``, ``stop`` or ``restart``, waiting until it is done; ``mode`` as pg_ctl's
        ``-m``: fast rolls back what is running, immediate stops without a checkpoint, as a
        crash does (the restart then recovers from the write-ahead log)."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-m", mode,
            "-o", options, "-w", "-t", "60",
        )  # fmt: skip

    def destroy(self) -> None:
        with suppress(RuntimeError, subprocess.TimeoutExpired):
            self.pg_ctl("stop", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)
