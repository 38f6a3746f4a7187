"""Values built on first use, once, however many threads ask at the same moment.

``functools.cache`` keeps one value, but every thread that asks before the first build has
ended builds its own: on a cold start the app's threads would each read the whole gazetteer.
"""

import gc
import threading
from collections.abc import Callable
from functools import update_wrapper
from typing import Generic, TypeVar

T = TypeVar("T")

# Set by a serving process (``kieubao.app.served``): what it builds once lives as long as it
# does, so it is moved out of the collector's way; a full collection walking the gazetteer
# would stop every request for a third of a second.
freeze_when_built = False


class Once(Generic[T]):
    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._value: T | None = None
        self._built = False
        update_wrapper(self, build)

    def __call__(self) -> T:
        # Read without the lock once built: the flag is set only after the value.
        if not self._built:
            with self._lock:
                if not self._built:
                    self._value = self._build()
                    self._built = True
                    if freeze_when_built:
                        gc.freeze()
        return self._value  # type: ignore[return-value]

    def cache_clear(self) -> None:
        """Forget the value (tests that change the data underneath)."""
        with self._lock:
            self._built, self._value = False, None


def once(build: Callable[[], T]) -> Once[T]:
    return Once(build)
