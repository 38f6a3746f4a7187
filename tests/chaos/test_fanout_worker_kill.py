"""The proof the outbox promises: a worker killed in the middle of a 10,000-message fan-out
and started again delivers to each recipient exactly once, counted by the sink by
Message-ID. What the dead worker had sent but not yet recorded goes again under the same
Message-ID, which the sink (like any receiver that honours the key) takes once: nothing is
lost, and the repeats are no more than the batches the worker had in flight."""

import os
import signal
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.platform import audit, channels, db, migrate, outbox
from kieubao.platform.outbox import Message, OutboxMessage, Status
from kieubao.platform.settings import get_settings
from kieubao.platform.smtp_sink import Sink
from tests.faults import KIEUBAO, wait_for
from tests.figures import record

FANOUT = 10_000
WORKER_THREADS = 2  # `kieubao worker` runs two jobs at once


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([KIEUBAO, "worker"], env=env, stdout=out, stderr=out)


@pytest.mark.xdist_group("outbox-kill")
def test_a_worker_killed_mid_fanout_and_restarted_delivers_each_message_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/kieubao.db"
    engine = db.build_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(connection)
    monkeypatch.setattr(outbox, "enqueue", lambda *a, **k: None)  # the worker starts it
    with Session(engine) as session:
        outbox.queue(
            session,
            send_key="drill",
            kind="notice",
            context={"title": "Safety check", "text": "Are you safe?"},
            messages=[
                Message(f"drill:{i}", "email", f"p{i}@example.vn", "vi", {"name": f"P{i}"})
                for i in range(FANOUT)
            ],
        )
        audit.record(session, audit.System("tests"), "outbox.drill", "send", "drill")
        db.commit(session)

    def settled() -> int:
        with Session(engine) as session:
            return (
                session.scalar(
                    select(func.count()).where(
                        OutboxMessage.status.in_([Status.queued, Status.sending])
                    )
                )
                or 0
            )

    log = tmp_path / "worker.log"
    with Sink() as sink:
        env = {
            **os.environ,
            "KIEUBAO_VAR_DIR": str(tmp_path),
            "KIEUBAO_DATABASE_URL": url,
            "KIEUBAO_SMTP_HOST": "127.0.0.1",
            "KIEUBAO_SMTP_PORT": str(sink.port),
            "KIEUBAO_JOBS_IMMEDIATE": "false",
        }
        first = _worker(env, log)
        try:
            wait_for(lambda: sink.received >= FANOUT // 3, timeout=40)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        at_kill = sink.received
        assert at_kill < FANOUT, "the worker finished before it could be killed"

        second = _worker(env, log)
        try:
            wait_for(lambda: settled() == 0, timeout=40)
        finally:
            second.terminate()
            second.wait(timeout=10)

    received = sink.handler.message_ids
    assert sink.received == FANOUT, log.read_text()[-2000:]
    assert set(sink.recipients) == {f"p{i}@example.vn" for i in range(FANOUT)}
    assert max(sink.recipients.values()) == 1
    assert set(received) == {channels.message_id(f"drill:{i}") for i in range(FANOUT)}
    assert max(received.values()) == 1
    # A repeat is a message accepted after the dead worker's last record: one batch at most
    # per delivery job it ran.
    repeats = sum(sink.handler.repeats.values())
    print(f"killed at {at_kill} received; {repeats} sent again and folded by Message-ID")
    assert repeats <= get_settings().outbox_batch * WORKER_THREADS
    with Session(engine) as session:
        statuses = session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    assert statuses == [(Status.sent, FANOUT)]
    record(
        "fanout_kill",
        {
            "messages": FANOUT,
            "kills": 1,
            "sent_before_kill": at_kill,
            "delivered": sink.received,
            "delivered_twice": sum(n > 1 for n in sink.recipients.values()),
            "resent_and_folded_by_message_id": repeats,
        },
    )
    engine.dispose()
