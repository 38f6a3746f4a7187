"""Group commit: the writes of many requests in one transaction, each answered once it is on disk.

A request hands its write (a function of a session) to the process's writer thread and waits.
The thread takes every write waiting at that moment, runs them in one transaction, commits
once, then answers them all; should one of them fail, the batch is run again with each write
in a SAVEPOINT of its own, so that one alone is undone and its request gets the error. A
commit costs one flush to disk however many writes it holds, so under load the batch grows by
itself and the disk is no longer the limit; alone, a write waits for no one.
"""

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from anyio import to_thread
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kieubao.platform.db import READ_ONLY, commit, commit_then, new_session, sessions_share_engine

T = TypeVar("T")
log = logging.getLogger(__name__)

# Writes per transaction at most: a bound on how long the first of a batch waits.
MAX_BATCH = 500


@dataclass
class _Write:
    work: Callable[[Session], Any]
    done: "Future[Any] | asyncio.Future[Any]"
    # The event loop of a handler awaiting ``done`` there (an asyncio future), else None.
    loop: asyncio.AbstractEventLoop | None = None


class GroupWriter:
    def __init__(self, sessions: Callable[[], Session], max_batch: int = MAX_BATCH) -> None:
        self.sessions = sessions
        self.max_batch = max_batch
        self._waiting: queue.SimpleQueue[_Write] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        # Its thread starts with the first work it is given.
        self._following = ThreadPoolExecutor(1, thread_name_prefix="after-group-commit")

    def submit(self, work: Callable[[Session], T]) -> "Future[T]":
        """Queue ``work``; the future resolves to its result once its transaction committed."""
        done: Future[T] = Future()
        self._queue(_Write(work, done))
        return done

    def submit_awaitable(self, work: Callable[[Session], T]) -> "asyncio.Future[T]":
        """:meth:`submit` from the event loop, for a future awaited there. The batch's answers
        to one loop are handed to it at once: one wake-up of the loop a commit, not one a
        request."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()
        self._queue(_Write(work, done, loop))
        return done

    def _queue(self, write: _Write) -> None:
        self._waiting.put(write)
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="group-writer", daemon=True)
                self._thread.start()

    def run(self, work: Callable[[Session], T]) -> T:
        return self.submit(work).result()

    def _run(self) -> None:
        while True:
            batch = [self._waiting.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._waiting.get_nowait())
                except queue.Empty:
                    break
            self.write_batch(batch)

    def write_batch(self, batch: list[_Write]) -> None:
        try:
            with self.sessions() as session:
                results = _together(session, batch) or _apart(session, batch)
                after = commit_then(session)
        except BaseException as exc:
            # Nothing of the batch is on disk: no request of it is told otherwise.
            _answer([(write, None, exc) for write in batch])
            if not isinstance(exc, Exception):
                raise
            return
        _answer(results)
        # What follows a commit (jobs to queue) need not delay the answers, nor the next
        # batch: it is after the commit either way, and the batch is on disk. One thread
        # runs it, in the order of the commits.
        self._following.submit(_follow, after)

    def caught_up(self, timeout: float | None = None) -> None:
        """Return once the work after every commit so far has run."""
        self._following.submit(lambda: None).result(timeout)


def _follow(after: Callable[[], None]) -> None:
    try:
        after()
    except Exception:
        log.exception("work after a group commit failed")


_Outcome = list[tuple[_Write, Any, BaseException | None]]


def _answer(outcome: _Outcome) -> None:
    """Resolve each write's future: in this thread for a thread's, in one call on its loop
    for the writes awaited on an event loop."""
    loops: dict[asyncio.AbstractEventLoop, _Outcome] = {}
    for answer in outcome:
        if answer[0].loop is None:
            _resolve(answer)
        else:
            loops.setdefault(answer[0].loop, []).append(answer)
    for loop, answers in loops.items():
        try:
            loop.call_soon_threadsafe(_resolve_all, answers)
        except RuntimeError:
            log.warning("%d writes committed for an event loop that has closed", len(answers))


def _resolve_all(answers: _Outcome) -> None:
    for answer in answers:
        _resolve(answer)


def _resolve(answer: tuple[_Write, Any, BaseException | None]) -> None:
    write, result, error = answer
    if write.done.cancelled():  # the request went away; what it asked for is written
        return
    if error is None:
        write.done.set_result(result)
    else:
        write.done.set_exception(error)


def _together(session: Session, batch: list[_Write]) -> _Outcome | None:
    """The batch's writes one after the other, with no savepoint each (two more statements a
    write, each a round trip to a database server): nearly every batch goes through whole.
    Writes that come one after the other and know how to be written with others of their kind
    (a ``together(session, works)`` beside their call: the reports of a surge) are handed
    over as one. None, with nothing of it left, if one of a batch of several failed."""
    results: _Outcome = []
    for run in _runs(batch):
        try:
            together = getattr(run[0].work, "together", None)
            if together is not None and len(run) > 1:
                values = together(session, [write.work for write in run])
                results += [(write, value, None) for write, value in zip(run, values, strict=True)]
            else:
                results.append((run[0], run[0].work(session), None))
        except Exception as exc:
            session.rollback()
            return [(run[0], None, exc)] if len(batch) == 1 else None
    return results


def _runs(batch: list[_Write]) -> list[list[_Write]]:
    """The batch cut where the kind of write changes; a write of no kind is a run alone."""
    runs: list[list[_Write]] = []
    for write in batch:
        together = getattr(write.work, "together", None)
        if (
            runs
            and together is not None
            and getattr(runs[-1][0].work, "together", None) == together
        ):
            runs[-1].append(write)
        else:
            runs.append([write])
    return runs


def _apart(session: Session, batch: list[_Write]) -> _Outcome:
    """Each write in a savepoint of its own: one that fails is undone alone and told why.
    The writes are functions of the session, so running them again after
    :func:`_together` gave up is running them for the first time."""
    results: _Outcome = []
    for write in batch:
        try:
            with session.begin_nested():
                results.append((write, write.work(session), None))
        except Exception as exc:
            results.append((write, None, exc))
    return results


_writer = GroupWriter(new_session)


def _grouped(session: Session) -> bool:
    return isinstance(session.get_bind(), Engine) and not (
        session.new or session.dirty or session.deleted or session.in_nested_transaction()
    )


def reading(session: Session) -> None:
    """Let the caller read, before its :func:`write`, without holding the database's write
    lock: on SQLite a transaction that may write takes it at BEGIN, and the group writer, who
    needs it, would wait for every request still preparing its write."""
    if _grouped(session):
        commit(session)
        session.connection(execution_options={READ_ONLY: True})


def write(session: Session, work: Callable[[Session], T]) -> T:
    """Run ``work`` and commit it; return its result once it is on disk.

    A session of the process's engine with nothing of its own to write hands the work to the
    group writer (after ending its read transaction, so it holds no lock the writer needs).
    Otherwise, for a caller in the middle of its own changes or a session bound to one
    connection (the tests' rolled-back transaction), the work joins the caller's transaction.
    """
    if not _grouped(session):
        result = work(session)
        commit(session)
        return result
    commit(session)
    return _writer.run(work)


async def write_awaited(work: Callable[[Session], T]) -> T:
    """:func:`write` for a handler on the event loop that holds no session: it awaits the
    group writer's commit without taking a thread of the pool for the wait, so a surge of
    requests waits on one thread (the writer's), not on one each."""
    if sessions_share_engine():
        return await _writer.submit_awaitable(work)
    with new_session() as session:
        return await to_thread.run_sync(write, session, work)
