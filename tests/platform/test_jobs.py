"""Jobs run on huey's SQLite store by default and on Redis when configured; they are
enqueued only once the transaction that asked for them has committed."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey
from huey.exceptions import TaskLockedException
from sqlalchemy.orm import Session

from kieubao.platform import audit, jobs
from kieubao.platform.db import commit, on_commit
from kieubao.platform.settings import get_settings
from tests.backends import REDIS_URL, redis_available

done: list[str] = []


@jobs.job()
def note(*, word: str) -> None:
    done.append(word)


@pytest.fixture(params=["sqlite", "redis"])
def queue(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[str]:
    """A real, non-immediate queue: jobs wait in the store until a worker takes them."""
    monkeypatch.setenv("KIEUBAO_JOBS_IMMEDIATE", "false")
    monkeypatch.setenv("KIEUBAO_VAR_DIR", str(tmp_path))
    if request.param == "redis":
        redis_available()
        monkeypatch.setenv("KIEUBAO_REDIS_URL", REDIS_URL)
    get_settings.cache_clear()
    jobs.reset()
    jobs.get_huey().flush()
    done.clear()
    yield request.param
    jobs.get_huey().flush()
    jobs.reset()
    get_settings.cache_clear()


def _run_pending() -> None:
    huey = jobs.get_huey()
    while (task := huey.dequeue()) is not None:
        huey.execute(task)


def test_the_backend_follows_the_settings(queue: str) -> None:
    expected = RedisHuey if queue == "redis" else SqliteHuey
    assert isinstance(jobs.get_huey(), expected)


def test_a_job_waits_for_the_commit(queue: str, session: Session) -> None:
    audit.record(session, audit.System("tests"), "thing.done", "thing", 1)
    on_commit(session, jobs.enqueue, note, word="committed")
    assert jobs.get_huey().pending_count() == 0
    commit(session)
    assert jobs.get_huey().pending_count() == 1
    _run_pending()
    assert done == ["committed"]


def test_an_urgent_job_is_taken_before_the_backlog_in_the_order_each_was_queued(
    queue: str,
) -> None:
    for word in ("first", "second", "third"):
        jobs.enqueue(note, word=word)
    jobs.enqueue_urgent(note, word="urgent")
    jobs.enqueue_urgent(note, word="urgent too")
    _run_pending()
    assert done == ["urgent", "urgent too", "first", "second", "third"]


def test_a_rolled_back_transaction_enqueues_nothing(queue: str, session: Session) -> None:
    on_commit(session, jobs.enqueue, note, word="never")
    session.rollback()
    commit(session)
    assert jobs.get_huey().pending_count() == 0
    assert done == []


def test_jobs_asked_for_while_redis_is_down_are_kept_and_sent_when_it_is_back(
    session: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from kieubao.platform.models import DeferredJob

    redis_available()
    monkeypatch.setenv("KIEUBAO_JOBS_IMMEDIATE", "false")
    monkeypatch.setenv("KIEUBAO_REDIS_URL", "redis://127.0.0.1:1/15")  # nothing listens there
    get_settings.cache_clear()
    jobs.reset()
    try:
        audit.record(session, audit.System("tests"), "thing.done", "thing", 2)
        on_commit(session, jobs.enqueue, note, word="kept")
        on_commit(session, jobs.enqueue_urgent, note, word="kept urgent")
        commit(session)  # the work is committed; its jobs must not be lost
        kept, urgent = session.scalars(select(DeferredJob).order_by(DeferredJob.id))
        assert kept.kwargs == {"word": "kept"} and "refused" in kept.reason.lower()
        assert (kept.urgent, urgent.urgent) == (False, True)
        assert jobs.resend_deferred() == 0  # still down: kept

        monkeypatch.setenv("KIEUBAO_REDIS_URL", REDIS_URL)  # Redis is back
        get_settings.cache_clear()
        jobs.reset()
        jobs.get_huey().flush()
        done.clear()
        assert jobs.resend_deferred() == 2
        assert session.scalars(select(DeferredJob)).all() == []
        _run_pending()
        assert done == ["kept urgent", "kept"]
    finally:
        jobs.get_huey().flush()
        jobs.reset()
        monkeypatch.undo()
        get_settings.cache_clear()
        jobs.reset()


def test_locks_a_killed_worker_held_are_freed_when_a_worker_starts(queue: str) -> None:
    held = jobs.exclusive("import-9")
    held.__enter__()  # taken, and never released: its worker was killed
    with pytest.raises(TaskLockedException), jobs.exclusive("import-9"):
        pass
    assert jobs.free_stale_locks() == {"import-9"}
    with jobs.exclusive("import-9"):
        pass
