"""Erasure requests waiting in the registry's old list join the privacy queue on upgrade,
with the deadline the law gave them from the day they were made."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from kieubao.platform import db, migrate


def test_pending_erasure_requests_move_into_the_privacy_queue(tmp_path: Path) -> None:
    engine = db.build_engine(f"sqlite:///{tmp_path}/old.db")
    with engine.begin() as connection:
        migrate.upgrade(connection, "d26b54bda179")
        connection.execute(
            text(
                "INSERT INTO citizens (id, public_id, full_name, name_folded, sex,"
                " nationality_status, phones, country, stay_status, status, source,"
                " created_at, updated_at) VALUES (7, 'p-7', 'Hồ Văn Nam', 'ho van nam',"
                " 'male', 'vietnamese', '[]', 'JP', 'worker', 'active', 'self',"
                " '2026-11-20 08:00:00', '2026-11-20 08:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO erasure_requests (citizen_id, reason, status, requested_at) VALUES"
                " (7, 'moved home', 'pending', '2026-11-20 09:00:00'),"
                " (7, 'earlier', 'refused', '2026-11-01 09:00:00')"
            )
        )
        migrate.upgrade(connection, "head")
        rows = connection.execute(
            text("SELECT citizen_id, country, kind, status, details, due_at FROM privacy_requests")
        ).all()
    engine.dispose()
    assert len(rows) == 1
    citizen_id, country, kind, status, details, due_at = rows[0]
    assert (citizen_id, country, kind, status, details) == (
        7,
        "JP",
        "erasure",
        "verified",
        "moved home",
    )
    received = datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert datetime.fromisoformat(str(due_at)).replace(tzinfo=UTC) == received + timedelta(hours=72)
