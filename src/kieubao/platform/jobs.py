"""Background jobs on huey: SQLite by default, Redis when ``KIEUBAO_REDIS_URL`` is set.

Domains declare jobs with :func:`job`; the huey instance is built on first use, so importing
a jobs module connects to nothing. Enqueue after commit with ``on_commit(session, enqueue,
...)``; every job must be safe to run twice.
"""

import logging
from collections.abc import Callable
from functools import cache
from typing import Any, ParamSpec, TypeVar

from huey import Huey, PriorityRedisHuey, SqliteHuey, crontab
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from kieubao.platform.settings import get_settings

log = logging.getLogger(__name__)
# What a queue that cannot be reached raises (Redis stopped, restarting, or cut off).
QUEUE_DOWN = (RedisConnectionError, RedisTimeoutError)
P = ParamSpec("P")
R = TypeVar("R")

_registry: dict[str, tuple[Callable[..., Any], int, Any]] = {}
# The priority of an urgent job (enqueue_urgent): a worker takes it before every other.
URGENT = 10
_startup: list[Callable[[], None]] = []


def job(retries: int = 3, schedule: Any = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register a function as a job (run on a huey ``crontab`` when ``schedule`` is given);
    it stays callable directly."""

    def register(fn: Callable[P, R]) -> Callable[P, R]:
        _registry[f"{fn.__module__}.{fn.__qualname__}"] = (fn, retries, schedule)
        return fn

    return register


def on_worker_start(fn: Callable[[], None]) -> Callable[[], None]:
    """Run when a worker starts: the place to pick up work a killed worker left half done."""
    _startup.append(fn)
    return fn


@cache
def get_huey() -> Huey:
    settings = get_settings()
    immediate = settings.jobs_immediate
    huey: Huey
    if settings.redis_url:
        # A Redis out of reach is known in two seconds, not after the system's TCP timeout.
        joiner = "&" if "?" in settings.redis_url else "?"
        url = f"{settings.redis_url}{joiner}socket_connect_timeout=2"
        # The queue ordered by priority (Redis 5 and later), as SQLite's is.
        huey = PriorityRedisHuey("kieubao", url=url, immediate=immediate)
    else:
        path = settings.var_path("jobs.db")
        huey = SqliteHuey("kieubao", filename=str(path), immediate=immediate)
    for name in _registry:
        _bind(huey, name)
    for fn in _startup:
        huey.on_startup()(fn)
    return huey


def exclusive(name: str) -> Any:
    """A lock across workers, so the same unit of work never runs twice at once."""
    return get_huey().lock_task(name)


def free_stale_locks() -> set[str]:
    """Free the locks a killed worker held, as a consumer starts (the same rule as huey's
    ``flush_locks``: one consumer at a time). huey frees only the locks declared when the
    consumer starts; units of work lock by their own names (``import-7``, ``feed-3``), so
    every lock in the store is freed, or the work a killed worker held would wait forever."""
    huey = get_huey()
    prefix = f"{huey.name}.lock."
    held = [key[len(prefix) :] for key in huey.storage.result_items() if key.startswith(prefix)]
    return set(huey.flush_locks(*held)) if held else set()


_tasks: dict[str, Any] = {}


def _bind(huey: Huey, name: str) -> Any:
    fn, retries, schedule = _registry[name]
    if schedule is not None:
        _tasks[name] = huey.periodic_task(schedule, retries=retries, name=name)(fn)
    else:
        _tasks[name] = huey.task(retries=retries, retry_delay=5, name=name)(fn)
    return _tasks[name]


def enqueue(fn: Callable[..., Any], /, **kwargs: Any) -> None:
    """Queue a job; when the queue is out of reach, keep it in the database to be sent on
    once it is back: the work that asked for it is committed already and must not be lost."""
    _queue(fn, kwargs, None)


def enqueue_urgent(fn: Callable[..., Any], /, **kwargs: Any) -> None:
    """:func:`enqueue` ahead of every job waiting: a life at risk escalated, and its mails,
    before the settling a surge has queued. Kept while the queue was out of reach, it is
    sent on as urgent once the queue is back."""
    _queue(fn, kwargs, URGENT)


def _queue(fn: Callable[..., Any], kwargs: dict[str, Any], priority: int | None) -> None:
    name = f"{fn.__module__}.{fn.__qualname__}"
    try:
        _send(name, kwargs, priority)
    except QUEUE_DOWN as exc:
        _defer(name, kwargs, priority, exc)


def _send(name: str, kwargs: dict[str, Any], priority: int | None = None) -> None:
    huey = get_huey()
    # A jobs module imported after the instance was built registers its jobs here.
    task = _tasks.get(name) or _bind(huey, name)
    task(**kwargs, priority=priority)


def _defer(name: str, kwargs: dict[str, Any], priority: int | None, exc: Exception) -> None:
    from kieubao.platform.db import new_session, utcnow
    from kieubao.platform.models import DeferredJob

    with new_session() as session:
        session.add(
            DeferredJob(
                name=name,
                kwargs=kwargs,
                deferred_at=utcnow(),
                reason=str(exc)[:300],
                urgent=priority is not None,
            )
        )
        session.commit()
    log.warning("job queue out of reach (%s): %s kept to send later", exc, name)


def resend_deferred(batch: int = 500) -> int:
    """Send on the jobs kept while the queue was out of reach, oldest first; stops at the
    first that still cannot go. Returns how many went."""
    from sqlalchemy import select

    from kieubao.platform.db import new_session
    from kieubao.platform.models import DeferredJob

    sent = 0
    with new_session() as session:
        for kept in session.scalars(select(DeferredJob).order_by(DeferredJob.id).limit(batch)):
            try:
                _send(kept.name, kept.kwargs, URGENT if kept.urgent else None)
            except QUEUE_DOWN:
                break
            # Sent, then forgotten: a crash between the two sends it twice, which every job
            # bears; the other order could lose it.
            session.delete(kept)
            session.commit()
            sent += 1
    return sent


def reset() -> None:
    """Forget the built instance (tests switch backends)."""
    get_huey.cache_clear()
    _tasks.clear()


@job(schedule=crontab(minute="*"))
def resend_deferred_jobs() -> None:
    """Every minute, and as a worker starts: the jobs kept while the queue was out of reach."""
    resend_deferred()


on_worker_start(resend_deferred_jobs)
