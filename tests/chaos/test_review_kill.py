"""A worker killed in the middle of generating a periodic review (sơ kết) and started again
finishes it: one review, generated once, with all its figures.

To kill it at a known point, the test holds a lock on the community events table, which
only the last part reads: the worker commits its progress on the parts before and then
waits for the lock. It is killed there, mid-generation, with its progress on disk (a lock
on a table the periodic jobs read too would stop them instead)."""

import os
import signal
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kieubao.coordination.actions.reviews import request_review
from kieubao.coordination.models import JobState, Review
from kieubao.coordination.schemas import ReviewIn
from kieubao.platform import accounts, audit, jobs
from kieubao.platform.models import Role
from tests.faults import KIEUBAO, postgres_database, serving, wait_for, waiting_on_a_lock
from tests.figures import record
from tests.personas import SYSTEM


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([KIEUBAO, "worker"], env=env, stdout=out, stderr=out)


@pytest.mark.xdist_group("review-kill")
def test_a_worker_killed_mid_review_and_restarted_generates_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with postgres_database("kieubao_review_kill") as url:
        engine = serving(url, monkeypatch)
        # Asked for while no worker runs: the one that starts picks it up.
        monkeypatch.setattr(jobs, "enqueue", lambda *a, **k: None)
        with Session(engine) as session:
            hq = accounts.create_user(
                session, acting_user=SYSTEM, email="hq@mofa.gov.vn", role=Role.hq_officer
            )
            review_id = request_review(
                session,
                acting_user=hq,
                data=ReviewIn(
                    kind="six_month", period_start=date(2026, 1, 1), period_end=date(2026, 6, 30)
                ),
            ).id

        def review() -> Review:
            with Session(engine) as session:
                found = session.get(Review, review_id)
                assert found is not None
                return found

        env = {
            **os.environ,
            "KIEUBAO_VAR_DIR": str(tmp_path),
            "KIEUBAO_DATABASE_URL": url,
            "KIEUBAO_JOBS_IMMEDIATE": "false",
        }
        log = tmp_path / "worker.log"
        with engine.connect() as blocker:
            holding = blocker.begin()
            blocker.execute(text("LOCK TABLE community_events IN ACCESS EXCLUSIVE MODE"))
            first = _worker(env, log)
            try:
                wait_for(
                    lambda: review().progress > 0 and waiting_on_a_lock(engine) > 0,
                    120,
                    "the worker to reach the events",
                )
                at_kill = review()
                assert at_kill.state is JobState.running and 0 < at_kill.progress < 100
            finally:
                first.send_signal(signal.SIGKILL)
                first.wait()
            holding.rollback()

        second = _worker(env, log)
        try:
            wait_for(lambda: review().state is JobState.done, 120, "the review to be done")
        finally:
            second.terminate()
            second.wait(timeout=30)

        done = review()
        with Session(engine) as session:
            reviews = session.scalar(select(func.count()).select_from(Review))
            generated = session.scalar(
                select(func.count()).where(audit.AuditEntry.action == "review.generated")
            )
            assert audit.verify(session).ok
        assert (reviews, generated) == (1, 1), log.read_text()[-2000:]
        assert done.progress == 100 and done.error is None
        parts = {"tasks", "indicators", "cases", "registrations", "crises", "community", "events"}
        assert parts <= set(done.figures)
        record(
            "review_kill",
            {"kills": 1, "killed_at_progress": at_kill.progress, "reviews": reviews},
        )
        engine.dispose()
