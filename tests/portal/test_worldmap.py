"""The advisories map drawn from the world shapes: every country once, nothing across the map."""

import re

from hypothesis import given
from hypothesis import strategies as st

from kieubao.portal import worldmap

lons = st.floats(min_value=-180, max_value=180, allow_nan=False)
lats = st.floats(min_value=worldmap.SOUTH, max_value=worldmap.NORTH, allow_nan=False)


def absolute(path: str) -> list[list[tuple[int, int]]]:
    """The points of each ring of a path written as one move then relative lines."""
    rings = []
    for start_x, start_y, moves in re.findall(r"M(-?\d+) (-?\d+)l([^z]*)z", path):
        x, y = int(start_x), int(start_y)
        points = [(x, y)]
        for dx, dy in re.findall(r"(-?\d+) (-?\d+)", moves):
            x, y = x + int(dx), y + int(dy)
            points.append((x, y))
        rings.append(points)
    return rings


@given(st.lists(st.tuples(lons, lats), min_size=3, max_size=60))
def test_relative_moves_add_up_to_the_points_on_the_grid(ring: list[tuple[float, float]]) -> None:
    cells = []
    for lon, lat in ring:
        cell = (
            round((lon + 180) * worldmap.PER_DEGREE),
            round((worldmap.NORTH - lat) * worldmap.PER_DEGREE),
        )
        if not cells or cells[-1] != cell:
            cells.append(cell)
    drawn = absolute(worldmap._path(iter([ring])))
    assert drawn == ([cells] if len(cells) >= 3 else [])


def test_arcs_are_summed_and_scaled_and_walked_backwards_when_negative() -> None:
    topology = {
        "transform": {"scale": [0.5, 0.25], "translate": [-10, 20]},
        "arcs": [[[0, 0], [4, 0], [0, 4]], [[4, 4], [-4, 0], [0, -4]]],
    }
    arcs = worldmap._arcs(topology)
    assert arcs[0] == [(-10.0, 20.0), (-8.0, 20.0), (-8.0, 21.0)]
    ring = worldmap._ring([0, ~0], arcs)
    assert ring == [(-10.0, 20.0), (-8.0, 20.0), (-8.0, 21.0), (-8.0, 20.0), (-10.0, 20.0)]


def test_the_world_has_its_countries_and_russia_is_not_drawn_across_it() -> None:
    shapes = worldmap.shapes()
    assert {"VN", "JP", "DE", "US", "FJ", "RU"} <= set(shapes) and "AQ" not in shapes
    for code in ("RU", "FJ", "US"):
        for ring in absolute(shapes[code]):
            xs = [x for x, _ in ring]
            assert max(xs) - min(xs) < 180 * worldmap.PER_DEGREE, code


def test_the_map_names_each_country_and_fills_it_by_level() -> None:
    svg = worldmap.svg({"UA": 4, "JP": 2}, "Advisories <map>")
    assert svg.startswith("<svg") and '<title id="t">Advisories &lt;map&gt;</title>' in svg
    assert svg.count("<path ") == len(worldmap.shapes())
    assert f'fill="{worldmap.FILLS[2]}"><title>' in svg
