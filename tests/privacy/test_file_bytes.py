"""On the embedded SQLite database the bytes of the file count too: freed pages may keep old
row images until overwritten (SQLite's secure_delete setting decides), so the proof is made
on the file after a checkpoint and a VACUUM."""

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from kieubao.platform import audit, db, migrate, missions
from kieubao.privacy import actions
from kieubao.registry import actions as registry
from tests.personas import SYSTEM, citizen_in

NEEDLES = ("Đinh Thị Xuân".encode(), b"xuan.dinh@example.jp", b"+81 70 4444 2211")


def test_after_vacuum_the_database_file_holds_nothing_of_the_erased_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "erasure.db"
    engine = db.build_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        migrate.upgrade(connection)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    monkeypatch.setattr(db, "_session_factory", lambda: factory)
    with factory() as session:
        missions.load_seed(session, acting_user=SYSTEM)
        xuan = registry.register_citizen(
            session,
            acting_user=SYSTEM,
            data=citizen_in(
                full_name="Đinh Thị Xuân", email="xuan.dinh@example.jp", phones=["+81 70 4444 2211"]
            ),
        )
        actions.erase_everywhere(session, acting_user=SYSTEM, citizen=xuan)
        session.commit()
        assert audit.verify(session).ok
    engine.dispose()
    # The platform's connections are gone; a plain one runs what SQLAlchemy would wrap in a
    # transaction (VACUUM cannot run inside one).
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.execute("VACUUM")
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("erasure.db")]
    left = [(p.name, n) for p in files for n in NEEDLES if n in p.read_bytes()]
    assert left == []
