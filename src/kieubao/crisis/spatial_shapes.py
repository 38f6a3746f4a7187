"""A hazard's footprint — a great-circle circle or a GeoJSON polygon — and who is inside it.

The rules, exact and the same everywhere (the exposure index, its tests, the benchmark):

- Circle: inside when the haversine distance on a sphere of radius `EARTH_RADIUS_KM`,
  computed in float64, is at most the radius.
- Polygon: lon/lat are planar coordinates (a ring crossing the antimeridian unsplit goes
  the long way round, as RFC 7946 asks senders to split such rings). A point is inside
  when it is on any ring's edge (the edge counts as inside, as PostGIS `ST_Covers`: a
  citizen on the footprint's line is exposed) or when a horizontal ray from it crosses
  that polygon's rings an odd number of times (holes are rings, so even-odd; a
  MultiPolygon is the union of its polygons). Orientation signs are exact: a float
  filter with Shewchuk's error bound, rationals where the bound cannot decide.

Each footprint also sorts the cells of a `Grid` into wholly inside and touched
(conservatively: a cell is called inside only with a margin to spare), and answers for
points in touched cells. A polygon does that along rows: a run of cells no edge touches
has one verdict, so a point in a touched run needs only the verdict of the free run to
its right and the edges passing through its own run.
"""

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from itertools import pairwise
from numbers import Real
from typing import Any

import numpy as np

from kieubao.crisis.spatial_grid import (
    Bools,
    Floats,
    Grid,
    Intervals,
    Ints,
    expand,
    minus,
    union,
)

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
MAX_RADIUS_KM = 20015.0
MAX_POSITIONS = 200_000
# Margins that make a cell's "inside" or "untouched" verdict safe against rounding: the
# haversine of nearly antipodal points errs by up to ~1e-8 rad, polygon edges by ~1e-10°.
_RADIUS_MARGIN_RAD = 1e-6
_EDGE_MARGIN_DEG = 1e-6
# Within this of the radius the vectorised distance is recomputed with `haversine_km`.
_TIE_KM = 1e-6
_CCW_ERRBOUND = (3.0 + 16.0 * 2.0**-53) * 2.0**-53  # Shewchuk's orient2d, first filter
_UNDERFLOW = 1e-280
_FULL = 4.0  # a half-width above pi: the whole parallel


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number")
    return number


def check_point(lat: object, lon: object) -> tuple[float, float]:
    """(lat, lon) as floats, or ValueError saying which is out of range."""
    la, lo = _number(lat, "lat"), _number(lon, "lon")
    if not -90.0 <= la <= 90.0:
        raise ValueError(f"lat must be between -90 and 90 (got {la})")
    if not -180.0 <= lo <= 180.0:
        raise ValueError(f"lon must be between -180 and 180 (got {lo})")
    return la, lo


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km; the reference for `Circle.covers` near its radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    s1 = math.sin((p2 - p1) / 2)
    s2 = math.sin(math.radians(lon2 - lon1) / 2)
    a = s1 * s1 + math.cos(p1) * math.cos(p2) * s2 * s2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class Circle:
    __slots__ = ("lat", "lon", "radius_km")

    def __init__(self, lat: object, lon: object, radius_km: object) -> None:
        self.lat, self.lon = check_point(lat, lon)
        self.radius_km = _number(radius_km, "radius_km")
        if not 0.0 < self.radius_km <= MAX_RADIUS_KM:
            raise ValueError(
                f"radius_km must be more than 0 and at most {MAX_RADIUS_KM:g} "
                f"(got {self.radius_km})"
            )

    def covers(self, lat: Floats, lon: Floats) -> Bools:
        p1 = math.radians(self.lat)
        p2 = np.radians(lat)
        s1 = np.sin((p2 - p1) / 2)
        s2 = np.sin(np.radians(lon - self.lon) / 2)
        a = s1 * s1 + math.cos(p1) * np.cos(p2) * s2 * s2
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
        inside: Bools = km <= self.radius_km
        for i in np.flatnonzero(np.abs(km - self.radius_km) <= _TIE_KM):
            d = haversine_km(self.lat, self.lon, float(lat[i]), float(lon[i]))
            inside[i] = d <= self.radius_km
        return inside

    def cells(self, grid: Grid) -> "CircleCells":
        """Cells wholly inside and cells touched, row by row from the cap's half-widths."""
        theta = self.radius_km / EARTH_RADIUS_KM
        reach = math.degrees(theta + _RADIUS_MARGIN_RAD) + 1.0 / grid.per_degree
        rows = np.arange(
            int(grid.row_of(max(-90.0, self.lat - reach))),
            int(grid.row_of(min(90.0, self.lat + reach))) + 1,
            dtype=np.int64,
        )
        south = np.radians(rows / grid.per_degree - 90.0)
        north = np.radians((rows + 1) / grid.per_degree - 90.0)
        phi = math.radians(self.lat)
        # A cap wider than a hemisphere is the complement of the small cap around the
        # antipode; a parallel's arc outside that one is centred on our longitude too.
        touch, inner = theta + _RADIUS_MARGIN_RAD, theta - _RADIUS_MARGIN_RAD
        if touch <= math.pi / 2:
            touch_half = _widest(south, north, phi, touch)
        else:
            touch_half = math.pi - _narrowest(south, north, -phi, math.pi - touch)
        if inner <= 0:
            inner_half = np.full(len(rows), -1.0)
        elif inner <= math.pi / 2:
            inner_half = _narrowest(south, north, phi, inner)
        else:
            inner_half = math.pi - _widest(south, north, -phi, math.pi - inner)
        return CircleCells(
            self,
            _row_spans(grid, rows, self.lon, inner_half, touched=False),
            _row_spans(grid, rows, self.lon, touch_half, touched=True),
        )


class CircleCells:
    __slots__ = ("circle", "inside", "touched")

    def __init__(self, circle: Circle, inside: Intervals, touched: Intervals) -> None:
        self.circle, self.inside, self.touched = circle, inside, touched

    def covers(self, lat: Floats, lon: Floats, cell: Ints) -> Bools:
        return self.circle.covers(lat, lon)


def _half_width(lat: Floats, phi: float, radius: float) -> Floats:
    """Longitude half-width of the cap (centre latitude phi) along each parallel:
    -1 where the parallel misses it, `_FULL` where it lies wholly inside."""
    hav_r = math.sin(radius / 2) ** 2
    rest = hav_r - np.sin((lat - phi) / 2) ** 2
    scale = np.cos(lat) * math.cos(phi)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = rest / scale
    width = 2 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    width = np.where(h >= 1.0, _FULL, width)  # at a pole scale is ~6e-17: h is huge
    return np.where(rest < 0, -1.0, width)


def _narrowest(south: Floats, north: Floats, phi: float, radius: float) -> Floats:
    # Along a meridian a cap no wider than a hemisphere is one arc, so over a band its
    # half-width is least at one of the band's edges.
    return np.minimum(_half_width(south, phi, radius), _half_width(north, phi, radius))


def _widest(south: Floats, north: Floats, phi: float, radius: float) -> Floats:
    widest = np.maximum(_half_width(south, phi, radius), _half_width(north, phi, radius))
    if abs(math.sin(phi)) < math.cos(radius):  # the cap holds no pole: widest at phi_max
        phi_max = math.asin(math.sin(phi) / math.cos(radius))
        w_max = math.asin(min(1.0, math.sin(radius) / math.cos(phi)))
        in_band = (south <= phi_max) & (phi_max <= north)
        widest = np.where(in_band, np.maximum(widest, w_max), widest)
    return widest


def _row_spans(grid: Grid, rows: Ints, lon: float, half: Floats, *, touched: bool) -> Intervals:
    """Cells of each row within (touched: meeting) lon ± half, wrapping at ±180°."""
    k, cols = grid.per_degree, grid.cols
    half_deg = np.degrees(np.minimum(half, math.pi))
    west, east = (lon - half_deg + 180.0) * k, (lon + half_deg + 180.0) * k
    if touched:
        lo, hi = np.floor(west).astype(np.int64), np.floor(east).astype(np.int64) + 1
    else:
        lo, hi = np.ceil(west).astype(np.int64), np.floor(east).astype(np.int64)
    full = (half >= math.pi) | (hi - lo >= cols)
    lo, hi = np.where(full, 0, lo), np.where(full, cols, hi)
    hi = np.where(half < 0, lo, hi)
    first = lo % cols
    last = first + (hi - lo)
    base = rows * cols
    starts = np.concatenate([base + first, base])
    ends = np.concatenate([base + np.minimum(last, cols), base + np.maximum(last - cols, 0)])
    keep = ends > starts
    return starts[keep], ends[keep]


def _exact_orient(ax: float, ay: float, bx: float, by: float, px: float, py: float) -> int:
    det = (Fraction(ax) - Fraction(px)) * (Fraction(by) - Fraction(py)) - (
        Fraction(ay) - Fraction(py)
    ) * (Fraction(bx) - Fraction(px))
    return (det > 0) - (det < 0)


def _orient_signs(ax: Floats, ay: Floats, bx: Floats, by: Floats, px: Floats, py: Floats) -> Ints:
    """Exact sign of orient2d(a, b, p): +1 when p is left of a→b, 0 on its line."""
    x_a, y_b, y_a, x_b = ax - px, by - py, ay - py, bx - px
    left, right = x_a * y_b, y_a * x_b
    det = left - right
    signs = np.sign(det).astype(np.int64)
    # A difference of floats is 0 only when they are equal: then that product is exactly 0.
    zeros = ((x_a == 0) | (y_b == 0)) & ((y_a == 0) | (x_b == 0))
    bound = np.maximum(_CCW_ERRBOUND * (np.abs(left) + np.abs(right)), _UNDERFLOW)
    for i in np.flatnonzero((np.abs(det) <= bound) & ~zeros):
        signs[i] = _exact_orient(*(float(v[i]) for v in (ax, ay, bx, by, px, py)))
    return signs


def _ring(ring: object, where: str) -> list[tuple[float, float]]:
    if not isinstance(ring, Sequence) or isinstance(ring, str):
        raise ValueError(f"{where} must be a list of [lon, lat] positions")
    if len(ring) < 4:
        raise ValueError(f"{where} has {len(ring)} positions; a ring needs at least 4")
    points = []
    for position in ring:
        if not isinstance(position, Sequence) or isinstance(position, str) or len(position) < 2:
            raise ValueError(f"{where} has a position that is not [lon, lat]")
        lat, lon = check_point(position[1], position[0])
        points.append((lon, lat))
    if points[0] != points[-1]:
        raise ValueError(f"{where} is not closed: its first and last positions differ")
    return points


def polygons(geometry: Mapping[str, Any]) -> list["Polygon"]:
    """The polygons of a GeoJSON Polygon or MultiPolygon ([lon, lat]), or ValueError."""
    if not isinstance(geometry, Mapping):
        raise ValueError("a polygon must be a GeoJSON object")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        raise ValueError('a polygon must be a GeoJSON "Polygon" or "MultiPolygon"')
    if not isinstance(coordinates, Sequence) or isinstance(coordinates, str) or not coordinates:
        raise ValueError(f"a {kind} needs coordinates")
    parts = [coordinates] if kind == "Polygon" else list(coordinates)
    found, positions = [], 0
    for p, rings in enumerate(parts, 1):
        if not isinstance(rings, Sequence) or isinstance(rings, str) or not rings:
            raise ValueError(f"polygon {p} must be a non-empty list of rings")
        edges: list[tuple[float, float, float, float]] = []
        for r, ring in enumerate(rings, 1):
            points = _ring(ring, f"ring {r} of polygon {p}")
            positions += len(points)
            if positions > MAX_POSITIONS:
                raise ValueError(f"a footprint may have at most {MAX_POSITIONS} positions")
            edges += [(*a, *b) for a, b in pairwise(points)]
        found.append(Polygon(np.array(edges, dtype=np.float64)))
    return found


class Polygon:
    """One polygon (outer ring and holes) as its edges (ax, ay)→(bx, by), in degrees."""

    __slots__ = ("ax", "ay", "bx", "by", "xhi", "xlo", "yhi", "ylo")

    def __init__(self, edges: Floats) -> None:
        self.ax, self.ay, self.bx, self.by = edges[:, 0], edges[:, 1], edges[:, 2], edges[:, 3]
        self.xlo, self.xhi = np.minimum(self.ax, self.bx), np.maximum(self.ax, self.bx)
        self.ylo, self.yhi = np.minimum(self.ay, self.by), np.maximum(self.ay, self.by)

    def crossings(self, lat: Floats, lon: Floats, point: Ints, edge: Ints) -> tuple[Bools, Ints]:
        """For each point: on one of the given edges? How many of them cross the ray
        eastward from it? (`point`, `edge`: the pairs to look at.)"""
        ax, ay, bx, by = self.ax[edge], self.ay[edge], self.bx[edge], self.by[edge]
        x, y = lon[point], lat[point]
        signs = _orient_signs(ax, ay, bx, by, x, y)
        straddles = (ay > y) != (by > y)
        in_box = (y >= self.ylo[edge]) & (y <= self.yhi[edge])
        in_box &= (x >= self.xlo[edge]) & (x <= self.xhi[edge])
        crossed = straddles & (signs == np.where(by > ay, 1, -1))
        on_edge = np.bincount(point, in_box & (signs == 0), len(lat)) > 0
        return on_edge, np.bincount(point, crossed, len(lat)).astype(np.int64)

    def covers(self, lat: Floats, lon: Floats, grid: Grid) -> Bools:
        """Exact ray casting; an edge meets only the points in the grid rows it spans."""
        rows = grid.row_of(lat)
        order = np.argsort(rows, kind="stable")
        first = np.searchsorted(rows[order], grid.row_of(self.ylo), "left")
        stop = np.searchsorted(rows[order], grid.row_of(self.yhi), "right")
        edge = np.repeat(np.arange(len(first)), stop - first)
        on_edge, crossings = self.crossings(lat, lon, order[expand(first, stop)], edge)
        inside: Bools = on_edge | (crossings % 2 == 1)
        return inside

    def cells(self, grid: Grid) -> "PolygonCells":
        """Cells an edge passes through (with a margin) are touched; a free run of cells
        along a row has one verdict, that of its first cell's centre."""
        k, m = grid.per_degree, _EDGE_MARGIN_DEG
        row0, col0 = int(grid.row_of(self.ylo.min() - m)), int(grid.col_of(self.xlo.min() - m))
        n_rows = int(grid.row_of(self.yhi.max() + m)) - row0 + 1
        n_cols = int(grid.col_of(self.xhi.max() + m)) - col0 + 1
        first, stop = grid.row_of(self.ylo - m), grid.row_of(self.yhi + m) + 1
        edge = np.repeat(np.arange(len(first)), stop - first)
        row = expand(first, stop) - row0  # each edge with every row its latitudes reach
        south = np.maximum((row0 + row) / k - 90.0 - m, self.ylo[edge])
        north = np.minimum((row0 + row + 1) / k - 90.0 + m, self.yhi[edge])
        ax, ay = self.ax[edge], self.ay[edge]
        dx, dy = self.bx[edge] - ax, self.by[edge] - ay
        level = np.abs(dy) <= 1e-4 * np.abs(dx)  # nearly level: take its whole x extent
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(level, 0.0, dx / dy)
        x_south, x_north = ax + (south - ay) * slope, ax + (north - ay) * slope
        west = np.where(level, self.xlo[edge], np.minimum(x_south, x_north)) - m
        east = np.where(level, self.xhi[edge], np.maximum(x_south, x_north)) + m
        a = np.clip(grid.col_of(west) - col0, 0, n_cols - 1)
        b = np.clip(grid.col_of(east) - col0, 0, n_cols - 1)
        width = n_cols + 1  # keys: local row * width + local column; rows never join
        touched = union([(row * width + a, row * width + b + 1)])
        row_keys = np.arange(n_rows, dtype=np.int64) * width
        free = minus((row_keys, row_keys + n_cols), touched)
        fr, f0 = np.divmod(free[0], width)
        free_inside = self.covers((row0 + fr + 0.5) / k - 90.0, (col0 + f0 + 0.5) / k - 180.0, grid)
        ends_free = touched[1] % width < n_cols  # a free run follows (the key it starts at)
        right = np.minimum(np.searchsorted(free[0], touched[1]), len(fr) - 1)
        right_inside = ends_free & (free_inside[right] if len(fr) else False)

        def cell_ranges(keys: Intervals) -> Intervals:
            r, c = np.divmod(keys[0], width)
            at = (row0 + r) * grid.cols + col0 + c
            return at, at + (keys[1] - keys[0])

        return PolygonCells(
            self,
            cell_ranges((free[0][free_inside], free[1][free_inside])),
            cell_ranges(touched),
            (row0, col0, width, grid.cols),
            touched[0],
            right_inside,
            np.searchsorted(touched[0], row * width + a, "right") - 1,
            edge,
        )


class PolygonCells:
    """A polygon on the grid: free cells inside, touched cells, and per touched run the
    verdict east of it and the edges through it."""

    __slots__ = (
        "edge_start",
        "edges",
        "frame",
        "inside",
        "polygon",
        "right_inside",
        "run_key",
        "touched",
    )

    def __init__(
        self,
        polygon: Polygon,
        inside: Intervals,
        touched: Intervals,
        frame: tuple[int, int, int, int],
        run_key: Ints,
        right_inside: Bools,
        edge_run: Ints,
        edge: Ints,
    ) -> None:
        self.polygon, self.inside, self.touched, self.frame = polygon, inside, touched, frame
        self.run_key, self.right_inside = run_key, right_inside
        order = np.argsort(edge_run, kind="stable")
        self.edges = edge[order]
        self.edge_start = np.searchsorted(edge_run[order], np.arange(len(run_key) + 1))

    def covers(self, lat: Floats, lon: Floats, cell: Ints) -> Bools:
        """For points in touched cells: the free run east of theirs, then the crossings
        of the edges through their run (a crossing farther east is in that verdict)."""
        row0, col0, width, cols = self.frame
        key = (cell // cols - row0) * width + cell % cols - col0
        run = np.searchsorted(self.run_key, key, "right") - 1
        first, stop = self.edge_start[run], self.edge_start[run + 1]
        point = np.repeat(np.arange(len(lat)), stop - first)
        edge = self.edges[expand(first, stop)]
        on_edge, crossings = self.polygon.crossings(lat, lon, point, edge)
        inside: Bools = on_edge | ((crossings % 2 == 1) != self.right_inside[run])
        return inside


def polygon_covers(geometry: Mapping[str, Any], lat: float, lon: float) -> bool:
    """Whether a GeoJSON Polygon/MultiPolygon covers one point (edges included)."""
    la, lo = check_point(lat, lon)
    point_lat, point_lon, grid = np.array([la]), np.array([lo]), Grid(8)
    return any(bool(p.covers(point_lat, point_lon, grid)[0]) for p in polygons(geometry))
