"""Shapes drawn across the antimeridian become pieces the exposure index can hold."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from kieubao.crisis.feeds.geometry import Ring, on_one_world


def _inside(ring: Ring, lon: float, lat: float) -> bool:
    """Even-odd rule, by brute force over every edge."""
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_a_shape_inside_the_world_is_kept_as_drawn() -> None:
    ring = ((10.0, 10.0), (20.0, 10.0), (20.0, 20.0), (10.0, 10.0))
    assert on_one_world((ring,)) == [(ring,)]


def test_a_gdacs_polygon_just_past_minus_180_is_split_in_two() -> None:
    ring = ((-180.005, -20.0), (-170.0, -20.0), (-170.0, -10.0), (-180.005, -10.0))
    pieces = on_one_world((ring + ring[:1],))
    assert len(pieces) == 2
    assert all(-180 <= lon <= 180 for piece in pieces for r in piece for lon, _ in r)
    assert any(_inside(piece[0], 179.999, -15.0) for piece in pieces)
    assert not any(_inside(piece[0], 179.99, -15.0) for piece in pieces)


coordinate = st.floats(-300, 300, allow_nan=False).map(lambda v: round(v, 3))
latitude = st.floats(-80, 80, allow_nan=False).map(lambda v: round(v, 3))


@given(
    st.lists(st.tuples(coordinate, latitude), min_size=3, max_size=8),
    st.floats(-179.9, 179.9, allow_nan=False),
    st.floats(-79.9, 79.9, allow_nan=False),
)
def test_a_point_is_in_a_piece_exactly_when_it_was_in_the_drawing(
    points: list[tuple[float, float]], lon: float, lat: float
) -> None:
    ring: Ring = (*points, points[0])
    pieces = on_one_world((ring,))
    expected = any(_inside(ring, lon + turn, lat) for turn in (-360, 0, 360))
    assert any(_inside(piece[0], lon, lat) for piece in pieces) == expected
