"""The grid the exposure index files citizens by, and sets of cell ranges."""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Intervals = tuple[Ints, Ints]  # half-open [start, end) ranges (of cells, positions)


class Grid:
    """A fixed lat/lon grid of `per_degree` cells a degree; cells numbered row by row."""

    __slots__ = ("cols", "n_cells", "per_degree", "rows")

    def __init__(self, per_degree: int) -> None:
        if not 1 <= per_degree <= 64:
            raise ValueError("cells per degree must be between 1 and 64")
        self.per_degree = per_degree
        self.rows, self.cols = 180 * per_degree, 360 * per_degree
        self.n_cells = self.rows * self.cols

    def row_of(self, lat: Floats | float) -> Ints:
        row = np.floor((np.asarray(lat, dtype=np.float64) + 90.0) * self.per_degree)
        return np.clip(row, 0, self.rows - 1).astype(np.int64)

    def col_of(self, lon: Floats | float) -> Ints:
        col = np.floor((np.asarray(lon, dtype=np.float64) + 180.0) * self.per_degree)
        return np.clip(col, 0, self.cols - 1).astype(np.int64)

    def cell_of(self, lat: Floats, lon: Floats) -> Ints:
        return self.row_of(lat) * self.cols + self.col_of(lon)


def expand(starts: Ints, ends: Ints) -> Ints:
    """The integers of every half-open range [start, end), range after range."""
    lengths = ends - starts
    before = np.cumsum(lengths) - lengths
    offsets: Ints = np.repeat(starts - before, lengths)
    return np.arange(int(lengths.sum()), dtype=np.int64) + offsets


def union(parts: Sequence[Intervals]) -> Intervals:
    """Sorted, disjoint ranges covering every given range (touching ones joined)."""
    starts = np.concatenate([s for s, _ in parts] or [np.zeros(0, np.int64)])
    ends = np.concatenate([e for _, e in parts] or [np.zeros(0, np.int64)])
    keep = ends > starts
    order = np.argsort(starts[keep], kind="stable")
    starts, ends = starts[keep][order], ends[keep][order]
    if not len(starts):
        return starts, ends
    reach = np.maximum.accumulate(ends)
    new = np.concatenate([[True], starts[1:] > reach[:-1]])
    last = np.append(np.flatnonzero(new)[1:] - 1, len(starts) - 1)
    return starts[new], reach[last]


def contains(iv: Intervals, x: Ints) -> Bools:
    """Whether each x is in one of the sorted, disjoint ranges."""
    i = np.searchsorted(iv[0], x, "right") - 1
    if not len(iv[0]):
        return np.zeros(len(x), dtype=np.bool_)
    return (i >= 0) & (x < iv[1][np.maximum(i, 0)])


def minus(a: Intervals, b: Intervals) -> Intervals:
    """The cells of interval set a not in b (both sorted and disjoint)."""
    cuts = np.sort(np.concatenate([a[0], a[1], b[0], b[1]]))
    starts, ends = cuts[:-1], cuts[1:]  # repeated cuts give empty ranges, dropped by union
    keep = contains(a, starts) & ~contains(b, starts)
    return union([(starts[keep], ends[keep])])
