"""Background jobs on huey: SQLite by default, Redis when ``KIEUBAO_REDIS_URL`` is set.

Domains declare jobs with :func:`job`; the huey instance is built on first use, so importing
a jobs module connects to nothing. Enqueue after commit with ``on_commit(session, enqueue,
...)``; every job must be safe to run twice.
"""

from collections.abc import Callable
from functools import cache
from typing import Any, ParamSpec, TypeVar

from huey import Huey, RedisHuey, SqliteHuey

from kieubao.platform.settings import get_settings

P = ParamSpec("P")
R = TypeVar("R")

_registry: dict[str, tuple[Callable[..., Any], int, Any]] = {}
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
        huey = RedisHuey("kieubao", url=settings.redis_url, immediate=immediate)
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


_tasks: dict[str, Any] = {}


def _bind(huey: Huey, name: str) -> Any:
    fn, retries, schedule = _registry[name]
    if schedule is not None:
        _tasks[name] = huey.periodic_task(schedule, retries=retries, name=name)(fn)
    else:
        _tasks[name] = huey.task(retries=retries, retry_delay=5, name=name)(fn)
    return _tasks[name]


def enqueue(fn: Callable[..., Any], /, **kwargs: Any) -> None:
    huey = get_huey()
    name = f"{fn.__module__}.{fn.__qualname__}"
    # A jobs module imported after the instance was built registers its jobs here.
    task = _tasks.get(name) or _bind(huey, name)
    task(**kwargs)


def reset() -> None:
    """Forget the built instance (tests switch backends)."""
    get_huey.cache_clear()
    _tasks.clear()
