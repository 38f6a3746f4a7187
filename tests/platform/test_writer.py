"""Group commit: writes of many requests share one transaction, each answered once on disk."""

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from kieubao.platform import db
from kieubao.platform.security import check_pin, hash_password, hash_pin
from kieubao.platform.writer import GroupWriter


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Engine]:
    engine = db.build_engine(f"sqlite:///{tmp_path}/scratch.db")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE)"))
    yield engine
    engine.dispose()


def _commits(engine: Engine) -> list[int]:
    seen: list[int] = []
    event.listen(engine, "commit", lambda _conn: seen.append(1))
    return seen


def _insert(body: str) -> Callable[[Session], int]:
    def work(session: Session) -> int:
        row = text("INSERT INTO notes (body) VALUES (:b) RETURNING id")
        return int(session.execute(row, {"b": body}).scalar_one())

    return work


def _stored(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(text("SELECT body FROM notes")))


def test_writes_waiting_together_are_committed_in_one_transaction(scratch: Engine) -> None:
    writer = GroupWriter(sessionmaker(scratch, expire_on_commit=False))
    commits = _commits(scratch)
    hold = threading.Event()

    def first(session: Session) -> int:
        hold.wait(10)
        return _insert("first")(session)

    futures: list[Future[int]] = [writer.submit(first)]
    futures += [writer.submit(_insert(f"n{i}")) for i in range(50)]
    hold.set()
    ids = [f.result(10) for f in futures]

    assert len(set(ids)) == 51
    assert _stored(scratch) == {"first"} | {f"n{i}" for i in range(50)}
    # The first alone (it was being written), then the fifty that queued behind it.
    assert len(commits) == 2


def test_a_failing_write_is_undone_alone_and_its_caller_is_told(scratch: Engine) -> None:
    writer = GroupWriter(sessionmaker(scratch, expire_on_commit=False))
    hold = threading.Event()
    ran: list[str] = []

    def blocked(session: Session) -> int:
        hold.wait(10)
        return _insert("a")(session)

    def half_then_fail(session: Session) -> int:
        _insert("half")(session)
        db.on_commit(session, ran.append, "failed one")
        return _insert("a")(session)  # the same body again: unique constraint

    def fine(session: Session) -> int:
        db.on_commit(session, ran.append, "fine one")
        return _insert("b")(session)

    futures = [writer.submit(blocked), writer.submit(half_then_fail), writer.submit(fine)]
    hold.set()
    assert futures[0].result(10) and futures[2].result(10)
    with pytest.raises(Exception, match="UNIQUE"):
        futures[1].result(10)
    assert _stored(scratch) == {"a", "b"}
    # What the failed write asked to run after commit never runs.
    writer.caught_up(10)
    assert ran == ["fine one"]


def test_when_the_commit_fails_no_write_of_the_batch_is_acknowledged(scratch: Engine) -> None:
    def broken() -> Session:
        session = sessionmaker(scratch)()
        event.listen(session, "before_commit", lambda _s: (_ for _ in ()).throw(OSError("disk")))
        return session

    writer = GroupWriter(broken)
    future = writer.submit(_insert("lost"))
    with pytest.raises(OSError, match="disk"):
        future.result(10)
    assert _stored(scratch) == set()


def test_work_after_the_commit_runs_once_the_batch_is_answered_and_cannot_undo_it(
    scratch: Engine,
) -> None:
    writer = GroupWriter(sessionmaker(scratch, expire_on_commit=False))
    answered: list[bool] = []
    ran = threading.Event()

    def queue_a_job(session: Session) -> int:
        note = _insert("escalated")(session)
        db.on_commit(session, lambda: answered.append(future.done()) or ran.set())
        return note

    def broken_job(session: Session) -> int:
        db.on_commit(session, lambda: 1 / 0)  # the job queue fails after the commit
        return _insert("second")(session)

    future = writer.submit(queue_a_job)
    assert ran.wait(10) and future.result(10) > 0
    assert answered == [True]
    assert writer.submit(broken_job).result(10) > 0
    assert _stored(scratch) == {"escalated", "second"}


def test_slow_work_after_a_commit_holds_up_no_later_write(scratch: Engine) -> None:
    writer = GroupWriter(sessionmaker(scratch, expire_on_commit=False))
    release, order = threading.Event(), []

    def slow_follow_up(session: Session) -> int:
        db.on_commit(session, lambda: release.wait(10) and order.append("first's job"))
        return _insert("first")(session)

    def quick_follow_up(session: Session) -> int:
        db.on_commit(session, lambda: order.append("second's job"))
        return _insert("second")(session)

    assert writer.submit(slow_follow_up).result(10) > 0
    # The job queue is slow to answer: the next write is on disk and answered meanwhile.
    assert writer.submit(quick_follow_up).result(5) > 0
    assert _stored(scratch) == {"first", "second"} and order == []
    release.set()
    writer.caught_up(10)
    assert order == ["first's job", "second's job"]  # in the order of the commits


def test_a_batch_that_goes_through_whole_takes_no_savepoint_and_gathers_its_work(
    scratch: Engine,
) -> None:
    writer = GroupWriter(sessionmaker(scratch, expire_on_commit=False))
    statements: list[str] = []
    event.listen(scratch, "before_cursor_execute", lambda *a: statements.append(a[2]))
    started, hold = threading.Event(), threading.Event()
    gathered: list[list[str]] = []

    def blocked(session: Session) -> int:
        started.set()
        hold.wait(10)
        return _insert("first")(session)

    def noted(body: str) -> Callable[[Session], int]:
        def work(session: Session) -> int:
            db.on_commit_together(session, gathered.append, body)
            return _insert(body)(session)

        return work

    futures = [writer.submit(blocked)]
    started.wait(10)
    futures += [writer.submit(noted(f"n{i}")) for i in range(20)]
    hold.set()
    assert all(f.result(10) for f in futures)
    assert not [s for s in statements if "SAVEPOINT" in s.upper()]
    # Twenty writes asked for the same work after commit: it ran once, with the twenty.
    writer.caught_up(10)
    assert gathered == [[f"n{i}" for i in range(20)]]


def test_writes_awaited_on_an_event_loop_are_answered_in_one_wake_up_a_commit(
    scratch: Engine,
) -> None:
    writer = GroupWriter(sessionmaker(scratch, expire_on_commit=False))
    started, hold = threading.Event(), threading.Event()

    def blocked(session: Session) -> int:
        started.set()
        hold.wait(10)
        return _insert("first")(session)

    async def surge() -> tuple[list[int], int]:
        loop = asyncio.get_running_loop()
        wake_ups: list[object] = []
        original = loop.call_soon_threadsafe

        def counted(*args: Any, **kwargs: Any) -> Any:
            wake_ups.append(args[0])
            return original(*args, **kwargs)

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
        first = writer.submit_awaitable(blocked)
        await asyncio.to_thread(started.wait, 10)
        wake_ups.clear()
        rest = [writer.submit_awaitable(_insert(f"n{i}")) for i in range(20)]
        hold.set()
        ids = await asyncio.gather(first, *rest)
        return list(ids), len(wake_ups)

    # A loop of its own, in a thread of its own: a browser test may have left this one's.
    outcome: list[tuple[list[int], int]] = []
    runner = threading.Thread(target=lambda: outcome.append(asyncio.run(surge())))
    runner.start()
    runner.join(30)
    ids, wake_ups = outcome[0]
    assert len(set(ids)) == 21
    # The first batch (the blocked write), then the twenty: two wake-ups, not twenty-one.
    assert wake_ups == 2


def test_a_write_that_fails_takes_its_work_after_commit_with_it(scratch: Engine) -> None:
    writer = GroupWriter(sessionmaker(scratch, expire_on_commit=False))
    ran: list[str] = []

    def failing(session: Session) -> int:
        db.on_commit(session, lambda: ran.append("failing"))
        raise ValueError("bad report")

    def fine(session: Session) -> int:
        db.on_commit(session, lambda: ran.append("fine"))
        return _insert("fine")(session)

    futures = [writer.submit(failing), writer.submit(fine)]
    with pytest.raises(ValueError):
        futures[0].result(10)
    assert futures[1].result(10) > 0
    writer.caught_up(10)
    assert ran == ["fine"]


def test_many_threads_writing_at_once_lose_nothing(scratch: Engine) -> None:
    writer = GroupWriter(sessionmaker(scratch, expire_on_commit=False))
    commits = _commits(scratch)
    results: list[int] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        for i in range(20):
            row = writer.run(_insert(f"{k}-{i}"))
            with lock:
                results.append(row)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == len(set(results)) == 320
    assert len(_stored(scratch)) == 320
    assert len(commits) < 320


def test_a_pin_is_kept_as_a_keyed_digest_and_older_argon2_pins_still_open() -> None:
    stored = hash_pin("042917")
    assert "042917" not in stored
    assert check_pin(stored, "042917")
    assert not check_pin(stored, "042918")
    assert hash_pin("042917") != stored  # salted
    assert check_pin(hash_password("123456"), "123456")
    assert not check_pin(hash_password("123456"), "654321")
