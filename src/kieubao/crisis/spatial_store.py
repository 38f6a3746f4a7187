"""The arrays behind the exposure index (`spatial`): citizens sorted by grid cell and
group, the append-only overlay of changes, and the selection of a footprint's citizens."""

from collections.abc import Collection, Sequence
from typing import Any, Protocol

import numpy as np

from kieubao.crisis.spatial_grid import (
    Bools,
    Floats,
    Grid,
    Intervals,
    Ints,
    contains,
    expand,
    minus,
    union,
)

NO_CITY = "—"


class Cells(Protocol):
    """A footprint on the grid: cells wholly inside, cells touched, and the exact verdict
    for points in touched cells."""

    @property
    def inside(self) -> Intervals: ...
    @property
    def touched(self) -> Intervals: ...
    def covers(self, lat: Floats, lon: Floats, cell: Ints) -> Bools: ...


class Footprint(Protocol):
    def cells(self, grid: Grid) -> Cells: ...


class Groups:
    """Category names and, per group code, its country, city, stay status and consent."""

    __slots__ = ("cities", "city", "consent", "countries", "country", "stay", "stays")

    def __init__(self, book: "GroupBook") -> None:
        self.countries, self.cities, self.stays = (tuple(n) for n in book.names)
        table = np.array(book.table, dtype=np.int64).reshape(-1, 4)
        self.country, self.city, self.stay = table[:, 0], table[:, 1], table[:, 2]
        self.consent = table[:, 3].astype(np.bool_)

    def allowed(self, countries: Collection[str] | None) -> Bools:
        if countries is None:
            return np.ones(len(self.country), dtype=np.bool_)
        wanted = set(countries)
        codes = [i for i, name in enumerate(self.countries) if name in wanted]
        return np.isin(self.country, codes)


class GroupBook:
    """The writer's side of `Groups`: codes handed out as categories first appear."""

    def __init__(self) -> None:
        self.names: tuple[list[str], list[str], list[str]] = ([], [], [])
        self._codes: tuple[dict[str, int], ...] = ({}, {}, {})
        self._groups: dict[tuple[int, int, int, int], int] = {}
        self.table: list[int] = []
        self._snapshot: Groups | None = None

    def _code(self, kind: int, name: str) -> int:
        code = self._codes[kind].setdefault(name, len(self.names[kind]))
        if code == len(self.names[kind]):
            self.names[kind].append(name)
        return code

    def code(self, country: str, city: str | None, stay_status: str, consent: bool) -> int:
        key = (
            self._code(0, country),
            self._code(1, f"{country}/{city or NO_CITY}"),
            self._code(2, stay_status),
            int(bool(consent)),
        )
        group = self._groups.setdefault(key, len(self._groups))
        if group * 4 == len(self.table):
            self.table += key
            self._snapshot = None
        return group

    def snapshot(self) -> Groups:
        if self._snapshot is None:
            self._snapshot = Groups(self)
        return self._snapshot


class Sorted:
    """The citizens sorted by (cell, group), with per-cell offsets and group runs."""

    def __init__(
        self, grid: Grid, ids: Ints, lat: Floats, lon: Floats, group: Ints, id_order: Ints
    ) -> None:
        """`id_order`: the positions of the given arrays in ascending id order."""
        n_groups = int(group.max()) + 1 if len(group) else 1
        cell = grid.cell_of(lat, lon)
        key = cell * n_groups + group
        order = np.argsort(key, kind="stable")  # cheap on the nearly sorted merge input
        new_position = np.empty(len(order), dtype=np.int64)
        new_position[order] = np.arange(len(order))
        self.grid = grid
        self.ids, self.lat, self.lon = ids[order], lat[order], lon[order]
        self.group = group[order].astype(np.int32)
        cell, key = cell[order], key[order]
        self.by_id = new_position[id_order].astype(np.int32)
        self.ids_sorted = self.ids[self.by_id]
        twice = np.flatnonzero(self.ids_sorted[1:] == self.ids_sorted[:-1])
        if len(twice):
            raise ValueError(f"citizen {int(self.ids_sorted[twice[0]])} appears twice")
        # Only cells with citizens are listed, each with its first position and run.
        first = np.flatnonzero(np.concatenate([[True], cell[1:] != cell[:-1]]))[: len(cell)]
        self.cells = cell[first]
        self.cell_first = np.append(first, len(cell))
        run = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))[: len(key)]
        self.run_group = self.group[run]
        self.run_count = np.diff(np.append(run, len(key))).astype(np.int32)
        self.run_first = np.append(np.searchsorted(run, first), len(run))

    def listed(self, cells: Intervals) -> Intervals:
        """The listed cells within cell ranges, as ranges of indexes into `cells`."""
        return np.searchsorted(self.cells, cells[0]), np.searchsorted(self.cells, cells[1])

    def position_of(self, citizen_id: int) -> int | None:
        i = int(np.searchsorted(self.ids_sorted, citizen_id))
        if i < len(self.ids_sorted) and int(self.ids_sorted[i]) == citizen_id:
            return int(self.by_id[i])
        return None

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in vars(self).values() if isinstance(a, np.ndarray))


class Buffer:
    """An append-only array: a view of its prefix never changes, even when it grows."""

    def __init__(self, dtype: type[np.generic]) -> None:
        self.data = np.empty(256, dtype=dtype)
        self.size = 0

    def append(self, value: float) -> None:
        if self.size == len(self.data):
            grown = np.empty(2 * len(self.data), dtype=self.data.dtype)
            grown[: self.size] = self.data
            self.data = grown
        self.data[self.size] = value
        self.size += 1

    def written(self) -> Any:
        return self.data[: self.size]


class _Overlay:
    """A view's live changes: overlay citizens by id, and dead base positions, sorted."""

    def __init__(self, view: "View") -> None:
        alive = np.ones(len(view.ov_ids), dtype=np.bool_)
        alive[view.killed] = False
        order = np.argsort(view.ov_ids[alive], kind="stable")
        self.ids: Ints = view.ov_ids[alive][order]
        self.lat: Floats = view.ov_lat[alive][order]
        self.lon: Floats = view.ov_lon[alive][order]
        self.group: Ints = view.ov_group[alive][order]
        self.cell = view.base.grid.cell_of(self.lat, self.lon)
        self.dead: Ints = np.sort(view.tombs)


class View:
    __slots__ = (
        "_overlay",
        "base",
        "groups",
        "killed",
        "ov_group",
        "ov_ids",
        "ov_lat",
        "ov_lon",
        "tombs",
    )

    def __init__(self, base: Sorted, groups: Groups, buffers: Sequence[Buffer]) -> None:
        self.base, self.groups = base, groups
        self.ov_ids, self.ov_lat, self.ov_lon, self.ov_group, self.killed, self.tombs = (
            b.written() for b in buffers
        )
        self._overlay: _Overlay | None = None

    def overlay(self) -> _Overlay:
        if self._overlay is None:  # two readers may both compute it: same result
            self._overlay = _Overlay(self)
        return self._overlay

    def merged(self) -> Sorted:
        """New sorted arrays holding the live base citizens and the overlay."""
        base, ov = self.base, self.overlay()
        alive = np.ones(len(base.ids), dtype=np.bool_)
        alive[ov.dead] = False
        rank = np.cumsum(alive) - 1  # base position -> index among the kept
        kept = np.flatnonzero(alive)
        by_id = base.by_id[alive[base.by_id]]
        parts = np.concatenate([rank[by_id], len(kept) + np.arange(len(ov.ids))])
        ids = np.concatenate([base.ids[kept], ov.ids])
        id_order = parts[np.argsort(ids[parts], kind="stable")]  # two sorted runs: a merge
        return Sorted(
            base.grid,
            ids,
            np.concatenate([base.lat[kept], ov.lat]),
            np.concatenate([base.lon[kept], ov.lon]),
            np.concatenate([base.group[kept].astype(np.int64), ov.group]),
            id_order,
        )


def _in_sorted(sorted_values: Ints, x: Ints) -> Bools:
    i = np.minimum(np.searchsorted(sorted_values, x), max(len(sorted_values) - 1, 0))
    return sorted_values[i] == x if len(sorted_values) else np.zeros(len(x), dtype=np.bool_)


class Selection:
    """The citizens of one view inside a union of footprints, ready to count and page."""

    def __init__(
        self, view: View, shapes: Sequence[Footprint], countries: Collection[str] | None
    ) -> None:
        base, ov, grid = view.base, view.overlay(), view.base.grid
        self.base, self.ov, self.view = base, ov, view
        self.cells = [shape.cells(grid) for shape in shapes]
        self.touched = [union([c.touched]) for c in self.cells]  # sorted, for contains()
        inside = union([c.inside for c in self.cells])
        border = minus(union(self.touched), inside)
        start, end = base.listed(inside)
        self.inside_positions = (base.cell_first[start], base.cell_first[end])
        runs = expand(base.run_first[start], base.run_first[end])
        listed = expand(*base.listed(border))
        first, stop = base.cell_first[listed], base.cell_first[listed + 1]
        self.border_positions = (first, stop)
        candidates = expand(first, stop)
        in_cell = np.repeat(base.cells[listed], stop - first)
        hits = candidates[self._covers(base.lat[candidates], base.lon[candidates], in_cell)]
        # Tombstones matter only where they fall: inside cells, or among the hits.
        self.dead_inside = ov.dead[contains(self.inside_positions, ov.dead)]
        dead = ov.dead[contains(self.border_positions, ov.dead)]
        at = np.minimum(np.searchsorted(hits, dead), max(len(hits) - 1, 0))
        self.hits = np.delete(hits, at[hits[at] == dead]) if len(hits) else hits
        ov_in = contains(inside, ov.cell)
        check = np.flatnonzero(contains(border, ov.cell))
        ov_in[check] = self._covers(ov.lat[check], ov.lon[check], ov.cell[check])
        n = len(view.groups.country)
        totals = np.bincount(base.run_group[runs], weights=base.run_count[runs], minlength=n)
        totals += np.bincount(base.group[self.hits], minlength=n)
        totals -= np.bincount(base.group[self.dead_inside], minlength=n)
        overlay_totals = np.bincount(ov.group[ov_in], minlength=n)
        self.allowed = view.groups.allowed(countries)
        self.totals = (totals + overlay_totals) * self.allowed
        self.base_count = int((totals * self.allowed).sum())
        ov_ids = ov.ids[ov_in]
        self.ov_ids = ov_ids[self.allowed[ov.group[ov_in]]]

    def _covers(self, lat: Floats, lon: Floats, cell: Ints) -> Bools:
        """Inside any footprint, for points in cells that are inside none."""
        inside = np.zeros(len(lat), dtype=np.bool_)
        for c, touched in zip(self.cells, self.touched, strict=True):
            left = np.flatnonzero(~inside & contains(touched, cell))
            inside[left] = c.covers(lat[left], lon[left], cell[left])
        return inside

    def _keep(self, positions: Ints, in_inside: Bools) -> Bools:
        """Which base positions are live, inside and in the jurisdiction."""
        keep = in_inside & ~_in_sorted(self.dead_inside, positions)
        border = np.flatnonzero(contains(self.border_positions, positions))
        keep[border] = _in_sorted(self.hits, positions[border])
        keep &= self.allowed[self.base.group[positions]]
        return keep

    def page(self, after_id: int, limit: int) -> list[int]:
        if limit <= 0:
            return []
        base = self.base
        from_overlay = self.ov_ids[self.ov_ids > after_id][:limit]
        start = int(np.searchsorted(base.ids_sorted, after_id, "right"))
        inside_points = int((self.inside_positions[1] - self.inside_positions[0]).sum())
        walk = 4 * (limit + 1) * (len(base.ids) - start) / max(self.base_count, 1)
        if inside_points + len(self.hits) <= walk:  # few inside: gather them all
            inside = expand(*self.inside_positions)
            inside = inside[~_in_sorted(self.dead_inside, inside)]
            positions = np.concatenate([inside, self.hits])
            positions = positions[self.allowed[base.group[positions]]]
            ids = base.ids[positions]
            ids = ids[ids > after_id]
            if len(ids) > limit:
                ids = np.partition(ids, limit - 1)[:limit]
            from_base = np.sort(ids)
        else:  # many inside: walk the citizens in id order until the page is full
            found: list[Ints] = []
            chunk, n_found = max(256, min(1 << 16, int(walk))), 0
            while start < len(base.ids) and n_found < limit:
                positions = base.by_id[start : start + chunk].astype(np.int64)
                keep = self._keep(positions, contains(self.inside_positions, positions))
                found.append(base.ids_sorted[start : start + chunk][keep])
                n_found += len(found[-1])
                start, chunk = start + chunk, 2 * chunk
            from_base = np.concatenate(found or [np.zeros(0, np.int64)])[:limit]
        merged = np.sort(np.concatenate([from_base, from_overlay]))[:limit]
        return [int(i) for i in merged]
