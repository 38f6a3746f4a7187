"""A case routed from many threads at once while the mission directory is still cold: the
directory and the gazetteer beneath it are built once, and every thread gets the same answer."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kieubao.platform import gazetteer, missions_data
from kieubao.platform.missions_data import MissionDirectory, mission_for

THREADS = 16


@pytest.fixture
def cold() -> Iterator[None]:
    for built in (missions_data.seed_directory, missions_data.load_mission_seed, gazetteer._index):
        built.cache_clear()
    yield
    for built in (missions_data.seed_directory, missions_data.load_mission_seed, gazetteer._index):
        built.cache_clear()


@pytest.mark.usefixtures("cold")
def test_a_cold_directory_is_built_once_under_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[int] = []
    reads: list[Path] = []
    build, cities = MissionDirectory.build.__func__, gazetteer._cities_file  # type: ignore[attr-defined]

    def slow_build(cls: type[MissionDirectory], rows: object) -> MissionDirectory:
        builds.append(1)
        time.sleep(0.05)  # holds the door open for every other thread to walk in
        return build(cls, rows)

    def counted_cities() -> Path:
        reads.append(cities())
        return reads[-1]

    monkeypatch.setattr(MissionDirectory, "build", classmethod(slow_build))
    monkeypatch.setattr(gazetteer, "_cities_file", counted_cities)
    start = threading.Barrier(THREADS)
    answers: list[str | None] = []
    failures: list[BaseException] = []

    def route(city: str) -> None:
        start.wait()
        try:
            answers.append(mission_for("JP", city))
        except BaseException as exc:  # a thread's failure must fail the test
            failures.append(exc)

    threads = [
        threading.Thread(target=route, args=(("Osaka", "Kobe")[i % 2],)) for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not failures
    assert answers == ["JP-OSA-CG"] * THREADS
    assert len(builds) == 1
    assert len(reads) == 1
