"""Who is inside a hazard's area: the registry's located citizens, held in memory.

Each process builds its own index from the registry on first use and keeps it current by
reading, before every count, the citizens the audit chain says were written since the last
read (the chain is appended in commit order, so nothing is missed and nothing is read
twice). The database stays the truth: an index that finds the chain shorter than it
remembers (a restore, a rolled-back test) rebuilds itself.
"""

import threading
import time
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy.orm import Session

from kieubao.crisis.spatial import Exposure, ExposureIndex, Resident
from kieubao.registry import queries as registry

__all__ = ["Exposure", "current", "ids_in_area", "of_area", "reset"]

# Changes are looked for at most this often: an answer is never staler than this.
SYNC_INTERVAL_S = 0.2
_CHUNK = 2_000


def _resident(row: registry.Located) -> Resident:
    return Resident(
        citizen_id=row.citizen_id,
        lat=row.latitude,
        lon=row.longitude,
        country=row.country,
        city=row.city,
        stay_status=row.stay_status,
        crisis_consent=row.crisis_consent,
    )


class LiveIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: ExposureIndex | None = None
        self._seq = 0
        self._synced = 0.0

    def current(self, session: Session) -> ExposureIndex:
        with self._lock:
            if self._index is None:
                self._build(session)
            elif time.monotonic() - self._synced >= SYNC_INTERVAL_S:
                self._sync(session)
            assert self._index is not None
            return self._index

    def _build(self, session: Session) -> None:
        # The chain's end is read first: what is written while we load is read again later.
        self._seq = registry.last_audit_seq(session)
        self._index = ExposureIndex.build(_resident(row) for row in registry.located(session))
        self._synced = time.monotonic()

    def _sync(self, session: Session) -> None:
        assert self._index is not None
        last, changed = registry.changed_citizens(session, self._seq)
        if last < self._seq:
            self._build(session)
            return
        ordered = sorted(changed)
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            present = {row.citizen_id: row for row in registry.located(session, chunk)}
            for citizen_id in chunk:
                if (row := present.get(citizen_id)) is not None:
                    self._index.upsert(_resident(row))
                else:
                    self._index.remove(citizen_id)
        self._seq = last
        self._synced = time.monotonic()

    def reset(self) -> None:
        with self._lock:
            self._index = None
            self._seq = 0


_live = LiveIndex()


def current(session: Session) -> ExposureIndex:
    return _live.current(session)


def reset() -> None:
    _live.reset()


def _shapes(area: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    return list(area.get("circles") or []), list(area.get("polygons") or [])


def of_area(
    session: Session, area: Mapping[str, Any], countries: Collection[str] | None = None
) -> Exposure:
    """Counts inside an area of circles ({lat, lon, radius_km}) and GeoJSON polygons."""
    circles, polygons = _shapes(area)
    return current(session).area(
        circles=[(c["lat"], c["lon"], c["radius_km"]) for c in circles],
        polygons=polygons,
        countries=countries,
    )


def ids_in_area(
    session: Session,
    area: Mapping[str, Any],
    *,
    countries: Collection[str] | None = None,
    after_id: int = 0,
    limit: int = 50,
) -> list[int]:
    circles, polygons = _shapes(area)
    return current(session).ids_in_area(
        circles=[(c["lat"], c["lon"], c["radius_km"]) for c in circles],
        polygons=polygons,
        countries=countries,
        after_id=after_id,
        limit=limit,
    )


def warm(session: Session) -> None:
    """Build the index now rather than at the first count (a server or worker starting)."""
    current(session)
