"""The exposure index: how many located citizens are inside a footprint, exactly, in ms.

Layout. Citizens sit in numpy arrays sorted by grid cell (a fixed lat/lon grid, 1/32° by
default) and, within a cell, by group: one group per (country/city, stay status, crisis
consent). Each cell's runs of one group are counted when the arrays are sorted, so a cell
wholly inside the footprint adds its runs without touching its points; only points in
cells the footprint's edge passes through are tested (vectorised, `spatial_shapes`). A row
of cells is contiguous in the arrays, so a footprint is a few ranges per row.

Changes. upsert/remove leave the sorted arrays alone: a citizen's old position is marked
dead (a tombstone) and their new place goes to an overlay of append-only arrays. When
overlay and tombstones outgrow `overlay_limit` they are merged into new sorted arrays, on
the writer's thread (1.5–3 s at 6 million; readers meanwhile use the old view).

Threads. Writers take a lock; readers take none. Every change publishes a new immutable
view (the sorted arrays and the prefixes of the append-only buffers written so far); a
query reads the current view once, so it sees every change made before it began and none
made while it runs.
"""

import threading
from array import array
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kieubao.crisis import spatial_shapes
from kieubao.crisis.spatial_grid import Grid
from kieubao.crisis.spatial_shapes import Circle, check_point
from kieubao.crisis.spatial_store import (
    NO_CITY,
    Buffer,
    Footprint,
    GroupBook,
    Groups,
    Selection,
    Sorted,
    View,
)

__all__ = ["NO_CITY", "Exposure", "ExposureIndex", "Resident"]

PAGE = 50


@dataclass(frozen=True, slots=True)
class Resident:
    """One located citizen as the index holds them."""

    citizen_id: int
    lat: float
    lon: float
    country: str
    city: str | None
    stay_status: str
    crisis_consent: bool


@dataclass(frozen=True, slots=True)
class Exposure:
    """Who is inside: counts (largest first) and the first page of citizen ids."""

    count: int
    by_country: dict[str, int]
    by_city: dict[str, int]  # "JP/Osaka"; citizens without a city under "JP/—"
    by_stay_status: dict[str, int]
    consenting: int  # with crisis_consent
    first_ids: tuple[int, ...] = ()  # the smallest ids inside, ascending


def _named(names: tuple[str, ...], counts: npt.NDArray[Any]) -> dict[str, int]:
    found = [(round(counts[i]), names[i]) for i in np.flatnonzero(counts)]
    return {name: n for n, name in sorted(found, key=lambda f: (-f[0], f[1]))}


def _exposure(groups: Groups, selection: Selection, first_page: int) -> Exposure:
    g, totals = groups, selection.totals
    return Exposure(
        count=round(totals.sum()),
        by_country=_named(g.countries, np.bincount(g.country, totals, len(g.countries))),
        by_city=_named(g.cities, np.bincount(g.city, totals, len(g.cities))),
        by_stay_status=_named(g.stays, np.bincount(g.stay, totals, len(g.stays))),
        consenting=round(totals[g.consent].sum()),
        first_ids=tuple(selection.page(0, first_page)),
    )


def _shapes(
    circles: Iterable[Sequence[float]], polygons: Iterable[Mapping[str, Any]]
) -> list[Footprint]:
    shapes: list[Footprint] = []
    for circle in circles:
        if isinstance(circle, str | bytes) or len(circle) != 3:
            raise ValueError("a circle is (lat, lon, radius_km)")
        shapes.append(Circle(*circle))
    for geometry in polygons:
        shapes += spatial_shapes.polygons(geometry)
    return shapes


def _check_page(after_id: int, limit: int) -> None:
    if limit < 0:
        raise ValueError(f"limit must not be negative (got {limit})")
    if isinstance(after_id, bool) or not isinstance(after_id, int):
        raise ValueError("after_id must be an integer")


class ExposureIndex:
    """Located citizens by place; see the module's docstring for how it is laid out."""

    def __init__(self, base: Sorted, book: GroupBook, *, overlay_limit: int = 16_384) -> None:
        self._lock = threading.Lock()
        self._book = book
        self._overlay_limit = overlay_limit
        self._start(base)

    @classmethod
    def build(
        cls,
        residents: Iterable[Resident],
        *,
        cells_per_degree: int = 32,
        overlay_limit: int = 16_384,
    ) -> "ExposureIndex":
        book = GroupBook()
        ids, lat, lon, group = array("q"), array("d"), array("d"), array("q")
        for r in residents:
            ids.append(r.citizen_id)
            lat.append(r.lat)
            lon.append(r.lon)
            group.append(book.code(r.country, r.city, r.stay_status, r.crisis_consent))
        la, lo = np.array(lat, dtype=np.float64), np.array(lon, dtype=np.float64)
        bad = np.flatnonzero(~((np.abs(la) <= 90) & (np.abs(lo) <= 180)))
        if len(bad):
            i = int(bad[0])
            raise ValueError(f"citizen {ids[i]} is at lat {la[i]}, lon {lo[i]}: out of range")
        id_array = np.array(ids, dtype=np.int64)
        base = Sorted(
            Grid(cells_per_degree),
            id_array,
            la,
            lo,
            np.array(group, dtype=np.int64),
            np.argsort(id_array, kind="stable"),
        )
        return cls(base, book, overlay_limit=overlay_limit)

    def _start(self, base: Sorted) -> None:
        self._base = base
        self._buffers = [Buffer(t) for t in (np.int64, np.float64, np.float64, np.int64)]
        self._buffers += [Buffer(np.int64), Buffer(np.int64)]  # killed slots, dead positions
        self._slot: dict[int, int] = {}  # citizen id -> overlay slot
        self._dead: set[int] = set()  # citizen ids whose base position is dead
        self._publish()

    def _publish(self) -> None:
        self._view = View(self._base, self._book.snapshot(), self._buffers)

    def _retire(self, citizen_id: int) -> None:
        """Forget where the citizen was: kill their overlay slot or their base position."""
        slot = self._slot.pop(citizen_id, None)
        if slot is not None:
            self._buffers[4].append(slot)
        elif citizen_id not in self._dead:
            position = self._base.position_of(citizen_id)
            if position is not None:
                self._buffers[5].append(position)
                self._dead.add(citizen_id)

    def _holds(self, citizen_id: int, lat: float, lon: float, group: int) -> bool:
        slot = self._slot.get(citizen_id)
        if slot is not None:
            _, la, lo, g = (b.data[slot] for b in self._buffers[:4])
            return bool(la == lat and lo == lon and g == group)
        position = None if citizen_id in self._dead else self._base.position_of(citizen_id)
        if position is None:
            return False
        b = self._base
        return bool(
            b.lat[position] == lat and b.lon[position] == lon and b.group[position] == group
        )

    def upsert(self, resident: Resident) -> None:
        """A citizen registered, moved or changed; visible to the next query."""
        lat, lon = check_point(resident.lat, resident.lon)
        r = resident
        with self._lock:
            group = self._book.code(r.country, r.city, r.stay_status, r.crisis_consent)
            if self._holds(r.citizen_id, lat, lon, group):
                return
            self._retire(r.citizen_id)
            self._slot[r.citizen_id] = self._buffers[0].size
            for buffer, value in zip(self._buffers, (r.citizen_id, lat, lon, group), strict=False):
                buffer.append(value)
            self._changed()

    def remove(self, citizen_id: int) -> None:
        """A citizen erased, merged into another or no longer located; unknown ids are fine."""
        with self._lock:
            killed, dead = self._buffers[4].size, self._buffers[5].size
            self._retire(citizen_id)
            if (killed, dead) != (self._buffers[4].size, self._buffers[5].size):
                self._changed()

    def _changed(self) -> None:
        self._publish()
        if self._buffers[0].size + self._buffers[5].size > self._overlay_limit:
            self._start(self._view.merged())

    def compact(self) -> None:
        """Merge the overlay and tombstones into new sorted arrays now."""
        with self._lock:
            self._start(self._view.merged())

    def __len__(self) -> int:
        v = self._view
        return len(v.base.ids) - len(v.tombs) + len(v.ov_ids) - len(v.killed)

    @property
    def memory_bytes(self) -> int:
        v = self._view
        overlay = sum(b.data.nbytes for b in self._buffers)
        return v.base.nbytes + overlay + v.groups.country.nbytes * 4

    def _select(
        self, shapes: Sequence[Footprint], countries: Collection[str] | None
    ) -> tuple[View, Selection]:
        view = self._view
        return view, Selection(view, shapes, countries)

    def area(
        self,
        *,
        circles: Iterable[Sequence[float]] = (),
        polygons: Iterable[Mapping[str, Any]] = (),
        countries: Collection[str] | None = None,
        first_page: int = PAGE,
    ) -> Exposure:
        """Who is inside any of the circles ((lat, lon, radius_km)) or GeoJSON polygons."""
        _check_page(0, first_page)
        view, selection = self._select(_shapes(circles, polygons), countries)
        return _exposure(view.groups, selection, first_page)

    def ids_in_area(
        self,
        *,
        circles: Iterable[Sequence[float]] = (),
        polygons: Iterable[Mapping[str, Any]] = (),
        countries: Collection[str] | None = None,
        after_id: int = 0,
        limit: int = PAGE,
    ) -> list[int]:
        """The next page of citizen ids inside, ascending, after `after_id` (keyset)."""
        _check_page(after_id, limit)
        _, selection = self._select(_shapes(circles, polygons), countries)
        return selection.page(after_id, limit)

    def circle(
        self,
        lat: float,
        lon: float,
        radius_km: float,
        *,
        countries: Collection[str] | None = None,
        first_page: int = PAGE,
    ) -> Exposure:
        return self.area(
            circles=[(lat, lon, radius_km)], countries=countries, first_page=first_page
        )

    def polygon(
        self,
        geojson: Mapping[str, Any],
        *,
        countries: Collection[str] | None = None,
        first_page: int = PAGE,
    ) -> Exposure:
        return self.area(polygons=[geojson], countries=countries, first_page=first_page)

    def ids_in_circle(
        self,
        lat: float,
        lon: float,
        radius_km: float,
        *,
        countries: Collection[str] | None = None,
        after_id: int = 0,
        limit: int = PAGE,
    ) -> list[int]:
        return self.ids_in_area(
            circles=[(lat, lon, radius_km)], countries=countries, after_id=after_id, limit=limit
        )

    def ids_in_polygon(
        self,
        geojson: Mapping[str, Any],
        *,
        countries: Collection[str] | None = None,
        after_id: int = 0,
        limit: int = PAGE,
    ) -> list[int]:
        return self.ids_in_area(
            polygons=[geojson], countries=countries, after_id=after_id, limit=limit
        )
