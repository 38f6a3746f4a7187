"""The exposure index answers exactly what a plain look at every citizen answers.

The brute force here is written apart from the index: textbook haversine in plain Python,
and ray casting in exact rationals with points on an edge counted inside.
"""

import math
import random
import threading
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kieubao.crisis.spatial import Exposure, ExposureIndex, Resident
from kieubao.crisis.spatial_shapes import haversine_km, polygon_covers

R_KM = 6371.0088
COUNTRIES = ["JP", "FJ", "NZ", "AQ", "US"]
CITIES = [None, "Osaka", "Suva", "Base"]
STAYS = ["resident", "worker", "student", "crew"]
# Where people cluster: Tokyo, both sides of the antimeridian at Fiji, both poles, the
# point (0, 0), the corner (90, 180).
PLACES = [(35.68, 139.69), (-18.1, 179.95), (-17.9, -179.9), (89.95, 20.0), (-89.9, -60.0)]
PLACES += [(0.0, 0.0), (90.0, 180.0)]

Point = tuple[float, float]  # (lat, lon)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    h = (
        math.sin((math.radians(lat2) - math.radians(lat1)) / 2) ** 2
        + math.cos(math.radians(lat1))
        * math.cos(math.radians(lat2))
        * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * R_KM * math.asin(min(1.0, math.sqrt(h)))


Vertex = tuple[Fraction, Fraction]
Ring = list[Vertex]


def on_edge(x: Fraction, y: Fraction, a: Vertex, b: Vertex) -> bool:
    (ax, ay), (bx, by) = a, b
    cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax)
    return cross == 0 and min(ax, bx) <= x <= max(ax, bx) and min(ay, by) <= y <= max(ay, by)


def polygon_holds(rings: list[Ring], lat: float, lon: float) -> bool:
    x, y = Fraction(lon), Fraction(lat)
    crossings = 0
    for ring in rings:
        for a, b in pairwise(ring):
            if not min(a[1], b[1]) <= y <= max(a[1], b[1]):
                continue
            if on_edge(x, y, a, b):
                return True
            if (a[1] > y) != (b[1] > y):
                crossings += x < a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
    return crossings % 2 == 1


def predicate(shape: dict[str, Any]) -> Callable[[Resident], bool]:
    if "radius_km" in shape:
        lat, lon, radius = shape["lat"], shape["lon"], shape["radius_km"]
        return lambda r: distance_km(lat, lon, r.lat, r.lon) <= radius
    parts = shape["coordinates"] if shape["type"] == "MultiPolygon" else [shape["coordinates"]]
    exact = [[[(Fraction(x), Fraction(y)) for x, y in ring] for ring in rings] for rings in parts]
    return lambda r: any(polygon_holds(rings, r.lat, r.lon) for rings in exact)


def brute(
    residents: dict[int, Resident], shapes: list[dict[str, Any]], countries: set[str] | None
) -> list[Resident]:
    tests = [predicate(s) for s in shapes]
    inside = [r for r in residents.values() if any(test(r) for test in tests)]
    inside = [r for r in inside if countries is None or r.country in countries]
    return sorted(inside, key=lambda r: r.citizen_id)


def ask(
    index: ExposureIndex, shapes: list[dict[str, Any]], countries: set[str] | None, page: int
) -> Exposure:
    circles = [(s["lat"], s["lon"], s["radius_km"]) for s in shapes if "radius_km" in s]
    polygons = [s for s in shapes if "radius_km" not in s]
    return index.area(circles=circles, polygons=polygons, countries=countries, first_page=page)


def assert_same(
    index: ExposureIndex,
    residents: dict[int, Resident],
    shapes: list[dict[str, Any]],
    countries: set[str] | None = None,
) -> None:
    truth = brute(residents, shapes, countries)
    found = ask(index, shapes, countries, page=7)
    assert found.count == len(truth)
    assert found.by_country == dict(Counter(r.country for r in truth))
    assert found.by_city == dict(Counter(f"{r.country}/{r.city or '—'}" for r in truth))
    assert found.by_stay_status == dict(Counter(r.stay_status for r in truth))
    assert found.consenting == sum(r.crisis_consent for r in truth)
    ids = [r.citizen_id for r in truth]
    assert list(found.first_ids) == ids[:7]
    circles = [(s["lat"], s["lon"], s["radius_km"]) for s in shapes if "radius_km" in s]
    polygons = [s for s in shapes if "radius_km" not in s]
    after, paged = 0, []
    for limit in (5, 5, 5, len(ids) + 1):  # keyset pages, then all that is left
        page = index.ids_in_area(
            circles=circles, polygons=polygons, countries=countries, after_id=after, limit=limit
        )
        paged += page
        after = page[-1] if page else after
    assert paged == ids


def scatter(rng: random.Random, n: int, extra: list[Point]) -> list[Point]:
    points = list(extra)
    for _ in range(n):
        if rng.random() < 0.3:  # anywhere on earth, evenly by area
            points.append((math.degrees(math.asin(rng.uniform(-1, 1))), rng.uniform(-180, 180)))
            continue
        lat, lon = rng.choice(PLACES)
        spread = rng.choice([0.01, 0.3, 3.0])
        lat = min(90.0, max(-90.0, lat + rng.gauss(0, spread)))
        points.append((lat, (lon + rng.gauss(0, spread) + 180.0) % 360.0 - 180.0))
    return points


def residents_at(rng: random.Random, points: list[Point], first_id: int) -> dict[int, Resident]:
    found = {}
    for i, (lat, lon) in enumerate(points, first_id):
        country = rng.choice(COUNTRIES)
        city, stay = rng.choice(CITIES), rng.choice(STAYS)
        found[i] = Resident(i, lat, lon, country, city, stay, rng.random() < 0.6)
    return found


def star(rng: random.Random, lat: float, lon: float, size: float, n: int) -> list[list[float]]:
    ring = []
    for i in range(n):
        angle = 2 * math.pi * (i + rng.uniform(-0.3, 0.3)) / n
        reach = size * rng.uniform(0.4, 1.0)
        x = min(180.0, max(-180.0, lon + reach * math.cos(angle)))
        ring.append([x, min(90.0, max(-90.0, lat + reach * math.sin(angle)))])
    return [*ring, ring[0]]


def box(lat: float, lon: float, size: float) -> list[list[float]]:
    w, s = max(-180.0, lon - size), max(-90.0, lat - size)
    e, n = min(180.0, lon + size), min(90.0, lat + size)
    return [[w, s], [e, s], [e, n], [w, n], [w, s]]


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[int, Resident], list[dict[str, Any]], int, int]:
    """Residents, shapes (with points exactly on polygon edges), cells a degree, a seed."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    shapes: list[dict[str, Any]] = []
    on_lines: list[Point] = []
    for _ in range(draw(st.integers(1, 2))):
        lat, lon = draw(st.sampled_from(PLACES))
        lat += draw(st.floats(-2, 2))
        lon = min(180.0, max(-180.0, lon + draw(st.floats(-2, 2))))
        lat = min(90.0, max(-90.0, lat))
        kind = draw(st.sampled_from(["circle", "polygon", "box", "multi"]))
        if kind == "circle":
            radius = draw(
                st.one_of(
                    st.floats(0.001, 5),
                    st.floats(5, 3000),
                    st.floats(3000, 20015),
                    st.sampled_from([10007.5, 20015.0]),
                )
            )
            shapes.append({"lat": lat, "lon": lon, "radius_km": radius})
            continue
        size = draw(st.sampled_from([0.05, 1.0, 8.0, 40.0]))
        outer = (
            box(lat, lon, size) if kind == "box" else star(rng, lat, lon, size, rng.randint(3, 12))
        )
        rings = [outer]
        if draw(st.booleans()):
            rings.append(
                box(lat, lon, size / 5) if kind == "box" else star(rng, lat, lon, size / 5, 5)
            )
        for ring in rings:  # citizens at the corners and on the level and upright edges
            on_lines += [(y, x) for x, y in ring[:-1]]
            on_lines += [(y, (x + x2) / 2) for (x, y), (x2, y2) in pairwise(ring) if y == y2]
            on_lines += [((y + y2) / 2, x) for (x, y), (x2, y2) in pairwise(ring) if x == x2]
        if kind == "multi":
            second = star(rng, lat + size / 3, lon, size, 6)  # overlapping the first
            shapes.append({"type": "MultiPolygon", "coordinates": [rings, [second]]})
        else:
            shapes.append({"type": "Polygon", "coordinates": rings})
    points = scatter(rng, draw(st.integers(0, 250)), on_lines)
    return (
        residents_at(rng, points, 1),
        shapes,
        draw(st.sampled_from([1, 4, 32])),
        rng.randrange(2**32),
    )


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(cases())
def test_counts_and_pages_equal_brute_force(case: tuple[Any, ...]) -> None:
    residents, shapes, per_degree, seed = case
    index = ExposureIndex.build(residents.values(), cells_per_degree=per_degree)
    assert len(index) == len(residents)
    assert_same(index, residents, shapes)
    countries = set(random.Random(seed).sample(COUNTRIES, 2))
    assert_same(index, residents, shapes, countries)


@settings(FAST, max_examples=40)
@given(cases(), st.integers(1, 40))
def test_still_equal_after_moves_arrivals_and_erasures(case: tuple[Any, ...], limit: int) -> None:
    residents, shapes, per_degree, seed = case
    rng = random.Random(seed)
    index = ExposureIndex.build(
        residents.values(), cells_per_degree=per_degree, overlay_limit=limit
    )
    arrivals = residents_at(rng, scatter(rng, 60, []), 10_000)
    for _ in range(rng.randint(1, 80)):
        roll = rng.random()
        if roll < 0.3 and residents:  # erased, merged or no longer located
            gone = rng.choice(list(residents))
            index.remove(gone)
            del residents[gone]
        elif roll < 0.4:
            index.remove(rng.randint(50_000, 60_000))  # never known: nothing happens
        else:  # moved (same id, new place) or newly registered
            who = rng.choice([*residents, *arrivals])
            place = rng.choice([*arrivals.values(), *residents.values()])
            moved = Resident(
                who,
                place.lat,
                place.lon,
                place.country,
                place.city,
                place.stay_status,
                place.crisis_consent,
            )
            index.upsert(moved)
            residents[who] = moved
        if rng.random() < 0.2:
            assert_same(index, residents, shapes)
    assert len(index) == len(residents)
    assert_same(index, residents, shapes)
    index.compact()
    assert_same(index, residents, shapes)


def test_an_empty_index_finds_no_one() -> None:
    index = ExposureIndex.build([])
    assert len(index) == 0
    found = index.circle(35.68, 139.69, 20015)
    assert found == Exposure(0, {}, {}, {}, 0, ())
    assert index.polygon({"type": "Polygon", "coordinates": [box(0, 0, 50)]}).count == 0
    assert index.ids_in_circle(0, 0, 100) == []
    assert index.area().count == 0  # no shape at all
    index.upsert(Resident(7, 0.0, 0.0, "GH", None, "worker", True))
    assert index.circle(0.0, 0.0, 0.001).first_ids == (7,)


def test_a_tiny_radius_finds_the_citizen_at_its_centre_only() -> None:
    alice = Resident(1, 35.681236, 139.767125, "JP", "Tokyo", "student", True)
    bob = Resident(2, 35.681236, 139.767135, "JP", "Tokyo", "worker", False)  # 90 cm east
    index = ExposureIndex.build([alice, bob])
    assert index.circle(alice.lat, alice.lon, 1e-6).first_ids == (1,)
    assert index.circle(alice.lat, alice.lon, 0.001).first_ids == (1, 2)


def test_half_the_earth_and_the_whole_of_it() -> None:
    rng = random.Random(3)
    residents = residents_at(rng, scatter(rng, 2000, [(90.0, 0.0), (-90.0, 0.0)]), 1)
    index = ExposureIndex.build(residents.values())
    for lat, lon in [(0.0, 0.0), (48.86, 2.35), (-18.1, 179.95), (90.0, 0.0)]:
        assert_same(index, residents, [{"lat": lat, "lon": lon, "radius_km": 10007.5}])
    assert index.circle(10.0, 10.0, 20015).count == len(residents) - sum(
        distance_km(10.0, 10.0, r.lat, r.lon) > 20015 for r in residents.values()
    )


def test_a_circle_around_fiji_reaches_across_the_antimeridian() -> None:
    suva = Resident(1, -18.14, 178.44, "FJ", "Suva", "resident", True)
    taveuni = Resident(2, -16.9, -179.9, "FJ", None, "worker", True)  # 150 km, other side
    index = ExposureIndex.build([suva, taveuni])
    assert index.circle(-17.5, 179.5, 200).first_ids == (1, 2)
    assert index.circle(-16.9, 179.99, 15).first_ids == (2,)  # 11.7 km east


def test_polygons_read_lon_lat_as_a_plane() -> None:
    east_of_line = {"type": "Polygon", "coordinates": [box(-18, 175, 5)]}  # 170..180
    index = ExposureIndex.build(
        [
            Resident(1, -18.14, 178.44, "FJ", "Suva", "resident", True),
            Resident(2, -16.9, -179.9, "FJ", None, "worker", True),
            Resident(3, -18.0, 180.0, "FJ", None, "crew", False),  # on the edge: inside
        ]
    )
    assert index.polygon(east_of_line).first_ids == (1, 3)


def test_polygons_in_empty_places_and_within_one_cell() -> None:
    alice = Resident(1, 35.0001, 139.0001, "JP", "Tokyo", "student", True)
    index = ExposureIndex.build([alice])
    pacific = {"type": "Polygon", "coordinates": [box(-40, -140, 3)]}
    assert index.polygon(pacific).count == 0
    tiny = [[139.00005, 35.00005], [139.0002, 35.00005], [139.0001, 35.0002], [139.00005, 35.00005]]
    assert index.polygon({"type": "Polygon", "coordinates": [tiny]}).first_ids == (1,)
    beside = [[139.0002, 35.0002], [139.0003, 35.0002], [139.0003, 35.0003], [139.0002, 35.0002]]
    assert index.polygon({"type": "Polygon", "coordinates": [beside]}).count == 0


def test_citizens_on_a_slanted_edge_are_inside_exactly_when_on_it() -> None:
    """Points as near a slanted edge as floats get: only exact arithmetic can tell."""
    triangle = {"type": "Polygon", "coordinates": [[[0, 0], [3, 3], [3, 0], [0, 0]]]}
    thin = {"type": "Polygon", "coordinates": [[[0.1, 0.1], [0.7, 0.7], [0.7, 0.1], [0.1, 0.1]]]}
    points = [(k / 10, k / 10) for k in range(12)] + [(1.0, 1.0), (2.0, 2.0), (1.5, 1.5)]
    points += [(y, math.nextafter(y, -1.0)) for y, _ in points]  # a hair west of the line
    residents = residents_at(random.Random(4), points, 1)
    index = ExposureIndex.build(residents.values())
    assert_same(index, residents, [triangle])
    assert_same(index, residents, [thin])
    assert index.polygon(triangle).count == 15


def test_a_multipolygon_counts_each_citizen_once() -> None:
    rng = random.Random(8)
    residents = residents_at(rng, scatter(rng, 500, []), 1)
    index = ExposureIndex.build(residents.values())
    overlapping = {
        "type": "MultiPolygon",
        "coordinates": [[box(35, 139, 3), box(35, 139, 1)], [box(36, 140, 3)], [box(0, 0, 2)]],
    }
    assert_same(index, residents, [overlapping])


def test_a_mission_officer_sees_their_jurisdiction_only() -> None:
    index = ExposureIndex.build(
        [
            Resident(1, 35.0, 139.0, "JP", "Tokyo", "student", True),
            Resident(2, 35.1, 139.1, "KR", None, "worker", False),
        ]
    )
    assert index.circle(35.0, 139.0, 50, countries=["JP"]).first_ids == (1,)
    assert index.circle(35.0, 139.0, 50, countries=[]).count == 0
    assert index.ids_in_circle(35.0, 139.0, 50, countries={"KR"}) == [2]


def test_the_public_predicates_agree_with_the_textbook() -> None:
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * R_KM)
    square = {"type": "Polygon", "coordinates": [box(0, 0, 1)]}
    assert polygon_covers(square, 1.0, 0.5)  # on the edge
    assert polygon_covers(square, 0.0, 0.0)
    assert not polygon_covers(square, 1.0000001, 0.5)


def ring(*positions: list[Any]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [list(positions)]}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda i: i.circle(0, 0, 0), "radius_km"),
        (lambda i: i.circle(0, 0, -5), "radius_km"),
        (lambda i: i.circle(0, 0, 20016), "radius_km"),
        (lambda i: i.circle(0, 0, float("nan")), "radius_km"),
        (lambda i: i.circle(91, 0, 10), "lat"),
        (lambda i: i.circle(0, -180.5, 10), "lon"),
        (lambda i: i.circle(True, 0, 10), "lat"),
        (lambda i: i.polygon({"type": "Point", "coordinates": [0, 0]}), "Polygon"),
        (lambda i: i.polygon({"type": "Polygon", "coordinates": []}), "coordinates"),
        (lambda i: i.polygon(ring([0, 0], [1, 0], [0, 0])), "at least 4"),
        (lambda i: i.polygon(ring([0, 0], [1, 0], [1, 1], [0, 1])), "not closed"),
        (lambda i: i.polygon(ring([0, 0], [200, 0], [1, 1], [0, 0])), "lon"),
        (lambda i: i.polygon(ring([0, 0], ["a", 0], [1, 1], [0, 0])), "number"),
        (lambda i: i.ids_in_circle(0, 0, 10, limit=-1), "limit"),
        (lambda i: i.area(circles=[(0, 0)]), "circle"),
        (lambda i: i.upsert(Resident(9, 95.0, 0.0, "JP", None, "worker", True)), "lat"),
    ],
)
def test_bad_input_is_refused_with_a_reason(call: Any, message: str) -> None:
    index = ExposureIndex.build([Resident(1, 0.0, 0.0, "GH", None, "worker", True)])
    with pytest.raises(ValueError, match=message):
        call(index)


def test_the_same_citizen_twice_is_refused() -> None:
    twice = [Resident(5, 0.0, 0.0, "GH", None, "worker", True)] * 2
    with pytest.raises(ValueError, match="citizen 5 appears twice"):
        ExposureIndex.build(twice)


def test_readers_never_see_a_move_half_done() -> None:
    """Citizens move between Osaka and Tokyo while officers count both cities: a move is
    one change, so the count of the two together never wavers."""
    osaka, tokyo = (34.69, 135.50), (35.68, 139.69)
    people = [Resident(i, *osaka, "JP", "Osaka", "worker", True) for i in range(1, 2001)]
    index = ExposureIndex.build(people, overlay_limit=500)
    both = [(*osaka, 30.0), (*tokyo, 30.0)]
    seen: list[int] = []
    done = threading.Event()

    def count() -> None:
        while not done.is_set():
            seen.append(index.area(circles=both, first_page=0).count)

    readers = [threading.Thread(target=count) for _ in range(2)]
    for reader in readers:
        reader.start()
    for i in range(1, 2001):
        index.upsert(Resident(i, *(tokyo if i % 2 else osaka), "JP", "Tokyo", "worker", True))
        index.upsert(Resident(i, *tokyo, "JP", "Tokyo", "student", False))
    done.set()
    for reader in readers:
        reader.join()
    assert seen and set(seen) == {2000}
    assert index.circle(*tokyo, 30.0).count == 2000
