"""Attempts counted per key in a sliding window, in this process's memory.

Enough for one server process; a second process keeps its own counts. What must hold across
processes (an account's lock after failed sign-ins) is kept in the database instead.
"""

import threading
import time
from collections import defaultdict, deque

from kieubao.platform.errors import Problem
from kieubao.platform.i18n import gettext as _


class TooMany(Problem):
    status = 429
    title = "Too many requests"


class Limiter:
    def __init__(self, attempts: int, seconds: float) -> None:
        self.attempts = attempts
        self.seconds = seconds
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, key: str, now: float | None = None) -> None:
        """Raise :class:`TooMany` when the key's window is full."""
        now = time.monotonic() if now is None else now
        with self._lock:
            seen = self._seen[key]
            while seen and seen[0] <= now - self.seconds:
                seen.popleft()
            if len(seen) >= self.attempts:
                raise TooMany(_("Too many attempts. Please try again later."))

    def record(self, key: str, now: float | None = None) -> None:
        with self._lock:
            self._seen[key].append(time.monotonic() if now is None else now)

    def hit(self, key: str, now: float | None = None) -> None:
        self.check(key, now)
        self.record(key, now)

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
