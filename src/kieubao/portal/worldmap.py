"""The advisories map as a small SVG drawn on the server from the world shapes the app
already serves (Natural Earth 1:110m, TopoJSON): no script, no tiles, cacheable as one image.

Equirectangular on a grid of a quarter degree, in relative moves: precise enough for a map
a phone shows a few hundred pixels wide, and far smaller than the shapes themselves.
"""

import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import iso3166
from markupsafe import escape

from kieubao.platform import countries
from kieubao.platform.web import STATIC_DIR

SHAPES = STATIC_DIR / "vendor" / "world" / "countries-110m.json"
ANTARCTICA = "010"
# Latitudes shown: Antarctica aside, the inhabited world.
NORTH, SOUTH = 84.0, -58.0
PER_DEGREE = 4
# Fills with text-level contrast against the white borders, one per advisory level.
FILLS = {0: "#d5dbe2", 1: "#2b8a3e", 2: "#e6b400", 3: "#e8590c", 4: "#c92a2a"}

Ring = list[tuple[float, float]]


def _arcs(topology: Mapping[str, Any]) -> list[Ring]:
    """Arcs are delta-encoded integers on a grid: summed, then scaled to degrees."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(indexes: list[int], arcs: list[Ring]) -> Ring:
    points: Ring = []
    for index in indexes:
        # A negative index ~i is arc i walked backwards.
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    lons = [lon for lon, _ in points]
    if min(lons) < -170 and max(lons) > 170:
        # Rings crossing 180° (Russia's far east, Fiji): drawn on the eastern side, not
        # across the whole map.
        points = [(lon + 360 if lon < 0 else lon, lat) for lon, lat in points]
    return points


def _path(rings: Iterator[Ring]) -> str:
    """Relative moves on the grid, a point dropped where it falls in the last one's cell."""
    parts = []
    for ring in rings:
        cells: list[tuple[int, int]] = []
        for lon, lat in ring:
            cell = (round((lon + 180) * PER_DEGREE), round((NORTH - lat) * PER_DEGREE))
            if not cells or cells[-1] != cell:
                cells.append(cell)
        if len(cells) < 3:
            continue
        (x, y), moves = cells[0], []
        for cx, cy in cells[1:]:
            moves.append(f"{cx - x} {cy - y}")
            x, y = cx, cy
        parts.append(f"M{cells[0][0]} {cells[0][1]}l" + " ".join(moves) + "z")
    return "".join(parts)


@cache
def shapes(path: Path = SHAPES) -> dict[str, str]:
    """SVG path data per alpha-2 country code."""
    topology = json.loads(path.read_text("utf-8"))
    arcs = _arcs(topology)
    found: dict[str, str] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id")
        country = iso3166.countries_by_numeric.get(numeric) if numeric else None
        if country is None or numeric == ANTARCTICA:
            continue  # Antarctica, and places without a code of their own (N. Cyprus...)
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = (_ring(ring, arcs) for polygon in polygons for ring in polygon)
        found[country.alpha2] = found.get(country.alpha2, "") + _path(rings)
    return found


def available() -> bool:
    return SHAPES.is_file()


def svg(levels: Mapping[str, int], title: str) -> str:
    """Every country, filled by the level of its advisory (grey without one)."""
    width, height = 360 * PER_DEGREE, round((NORTH - SOUTH) * PER_DEGREE)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="t"><title id="t">{escape(title)}</title>'
        f'<rect width="{width}" height="{height}" fill="#eef4f9"/>'
        '<g stroke="#fff" stroke-width="1" stroke-linejoin="round">'
    ]
    for code, data in sorted(shapes().items()):
        level = levels.get(code, 0)
        name = escape(countries.display_name(code))
        out.append(f'<path d="{data}" fill="{FILLS[level]}"><title>{name}</title></path>')
    out.append("</g></svg>")
    return "".join(out)
