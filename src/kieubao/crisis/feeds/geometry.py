"""Simple shapes on a spherical Earth, for footprints and their drawing.

Coordinates inside shapes are GeoJSON-ordered ``(lon, lat)`` pairs.
"""

import math

from kieubao.crisis.feeds.errors import ItemRejected

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180

Ring = tuple[tuple[float, float], ...]
BBox = tuple[float, float, float, float]  # west, south, east, north


def circle_ring(lat: float, lon: float, radius_km: float, points: int = 64) -> Ring:
    """A closed ring approximating a circle on the sphere, for drawing.

    Longitudes are left unwrapped past ±180 so that a circle over the antimeridian draws
    as one shape on a continuous web map.
    """
    angular = min(radius_km / EARTH_RADIUS_KM, math.pi)
    phi1, lam1 = math.radians(lat), math.radians(lon)
    ring = []
    for step in range(points):
        bearing = 2 * math.pi * step / points
        phi2 = math.asin(
            math.sin(phi1) * math.cos(angular)
            + math.cos(phi1) * math.sin(angular) * math.cos(bearing)
        )
        lam2 = lam1 + math.atan2(
            math.sin(bearing) * math.sin(angular) * math.cos(phi1),
            math.cos(angular) - math.sin(phi1) * math.sin(phi2),
        )
        ring.append((round(math.degrees(lam2), 6), round(math.degrees(phi2), 6)))
    ring.append(ring[0])
    return tuple(ring)


def circle_bbox(lat: float, lon: float, radius_km: float) -> BBox:
    dlat = radius_km / KM_PER_DEGREE
    south, north = max(lat - dlat, -90.0), min(lat + dlat, 90.0)
    if south == -90.0 or north == 90.0:
        return (-180.0, south, 180.0, north)  # the circle holds a pole
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-9)
    if dlon >= 180:
        return (-180.0, south, 180.0, north)
    return (lon - dlon, south, lon + dlon, north)


def ring_bbox(ring: Ring) -> BBox:
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return (min(lons), min(lats), max(lons), max(lats))


def union_bbox(boxes: list[BBox]) -> BBox | None:
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def box_rings(west: float, east: float, south: float, north: float) -> tuple[Ring, ...]:
    """A longitude/latitude box as closed rings, split in two where it crosses ±180 so that
    every ring keeps its longitudes inside -180..180."""
    if east - west >= 360:
        return (_box(-180, 180, south, north),)
    if west < -180:
        return (_box(west + 360, 180, south, north), _box(-180, east, south, north))
    if east > 180:
        return (_box(west, 180, south, north), _box(-180, east - 360, south, north))
    return (_box(west, east, south, north),)


def _box(west: float, east: float, south: float, north: float) -> Ring:
    return ((west, south), (east, south), (east, north), (west, north), (west, south))


def on_one_world(rings: tuple[Ring, ...]) -> list[tuple[Ring, ...]]:
    """A polygon (outer ring, then holes) drawn past ±180 as pieces whose longitudes all lie
    inside -180..180: each copy of it shifted by -360, 0 and +360 is clipped to that strip.

    Clipping by a strip keeps inside what was inside, so a point is in some piece exactly
    when it, or the same point a turn of the Earth away, was in the drawn polygon.
    """
    if all(-180 <= lon <= 180 for ring in rings for lon, _ in ring):
        return [rings]
    pieces = []
    for shift in (-360.0, 0.0, 360.0):
        clipped = [_clip_to_world([(lon + shift, lat) for lon, lat in ring]) for ring in rings]
        if clipped[0]:
            pieces.append(tuple(ring for ring in clipped if ring))
    return pieces


def _clip_to_world(ring: list[tuple[float, float]]) -> Ring:
    """Sutherland–Hodgman against lon ≥ -180, then lon ≤ 180; () when nothing is left."""
    points = ring[:-1]
    for bound, side in ((-180.0, 1.0), (180.0, -1.0)):  # keep lon >= -180, then lon <= 180
        kept: list[tuple[float, float]] = []
        for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
            inside1, inside2 = side * (x1 - bound) >= 0, side * (x2 - bound) >= 0
            if inside1 != inside2:
                kept.append((bound, y1 + (bound - x1) * (y2 - y1) / (x2 - x1)))
            if inside2:
                kept.append((x2, y2))
        points = kept
    if len(points) < 3:
        return ()
    return (*points, points[0])


def closed_ring(points: list[tuple[float, float]], what: str) -> Ring:
    """Checks a ring of (lon, lat) points: four points at least, the last one the first.

    Longitudes may run past ±180, up to ±360: shapes drawn across the antimeridian
    without wrapping (GDACS draws them so) are kept as drawn.
    """
    if len(points) < 4:
        raise ItemRejected(f"{what} has {len(points)} points; at least four are needed")
    if points[0] != points[-1]:
        raise ItemRejected(f"{what} is not closed: its last point is not its first")
    for lon, lat in points:
        if not (-90 <= lat <= 90 and -360 <= lon <= 360):
            raise ItemRejected(
                f"{what} has a point out of range (latitude {lat:g}, longitude {lon:g})"
            )
    return tuple(points)
