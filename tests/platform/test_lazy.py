"""Values built once: one build however many threads ask, kept out of the collector's way
in a serving process."""

import gc
import threading
import time
from collections.abc import Iterator

import pytest

from kieubao.platform import lazy


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_threads_asking_at_once_share_one_build() -> None:
    builds: list[int] = []

    def build() -> list[int]:
        time.sleep(0.05)
        builds.append(1)
        return [1, 2, 3]

    value = lazy.once(build)
    seen: list[list[int]] = []
    threads = [threading.Thread(target=lambda: seen.append(value())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == [1] and all(v is seen[0] for v in seen)


def test_a_serving_process_moves_what_it_builds_once_out_of_the_collector(
    unfrozen: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lazy, "freeze_when_built", True)
    before = gc.get_freeze_count()
    directory = lazy.once(lambda: [[i] for i in range(10_000)])
    directory()
    # A full collection no longer walks the ten thousand lists.
    assert gc.get_freeze_count() >= before + 10_000
