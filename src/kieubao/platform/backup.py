"""Backups: a consistent copy of the database taken while it serves, and its restore.

SQLite is copied page by page through its online backup API (readers and writers go on; the
copy is one moment of the database) into a single self-contained file. PostgreSQL is dumped
by ``pg_dump`` in its custom format, one snapshot, and restored by ``pg_restore`` in one
transaction. Encrypted fields travel as they are stored: the copy is as safe as the database,
and useless without the key, which is kept apart from it.

A copy is proved before it is called good, and before it is restored: SQLite's integrity
check and the audit chain, walked on the copy itself.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.errors import Problem

# Pages copied per step: small enough that writers are never held up for long.
_PAGES_PER_STEP = 1024


class BackupFailed(Problem):
    status = 500
    title = "Backup or restore failed"


@dataclass(frozen=True)
class Copy:
    path: Path
    size: int
    sha256: str
    audit_entries: int


def backup(url: str, target: Path) -> Copy:
    """Copy the database at ``url`` to ``target`` and prove the copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite(url):
        _sqlite_copy(_sqlite_path(url), target, self_contained=True)
        entries = _verified(f"sqlite:///{target}")
    else:
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
                _libpq(url),
            ]
        )
        # The dump is a snapshot of one moment; its chain is proved where it lands.
        entries = _verified(url)
    return Copy(target, target.stat().st_size, _digest(target), entries)


def restore(url: str, source: Path) -> Copy:
    """Replace the database at ``url`` with the copy at ``source``; the service should be
    stopped while this runs. A copy that fails its proof is refused before anything changes."""
    if not source.is_file():
        raise BackupFailed(f"no backup at {source}")
    if _is_sqlite(url):
        _verified(f"sqlite:///{source}")  # refuse a damaged copy before touching the database
        _sqlite_copy(source, _sqlite_path(url), self_contained=False)
    else:
        _run(["pg_restore", "--list", str(source)])  # a file pg_restore cannot read is refused
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={_libpq(url)}",
                str(source),
            ]
        )
    return Copy(source, source.stat().st_size, _digest(source), _verified(url))


def _sqlite_copy(source: Path, target: Path, *, self_contained: bool) -> None:
    if not source.is_file():
        raise BackupFailed(f"no database at {source}")
    # Written beside the target and renamed into place: a failed copy leaves no half file.
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    reader = sqlite3.connect(source)
    writer = sqlite3.connect(partial if self_contained else target)
    try:
        reader.backup(writer, pages=_PAGES_PER_STEP)
        if self_contained:
            writer.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
        verdict = writer.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupFailed(f"the copy failed SQLite's integrity check: {verdict}")
    except sqlite3.Error as exc:
        raise BackupFailed(f"the copy could not be made: {exc}") from exc
    finally:
        writer.close()
        reader.close()
    if self_contained:
        os.replace(partial, target)


def _verified(url: str) -> int:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            verdict = audit.verify(session)
    except SQLAlchemyError as exc:
        raise BackupFailed(
            f"the copy cannot be read as a kieubao database: {getattr(exc, 'orig', exc)}"
        ) from exc
    finally:
        engine.dispose()
    if not verdict.ok:
        raise BackupFailed(f"the audit chain of the copy is broken: {verdict.problem}")
    return verdict.checked


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupFailed(f"{command[0]} is not installed (PostgreSQL client tools)")
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupFailed(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupFailed("an in-memory database has nothing to back up")
    return Path(database)


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as PostgreSQL's own tools read it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            sha.update(block)
    return sha.hexdigest()
