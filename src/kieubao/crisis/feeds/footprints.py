"""Footprints: the area a hazard report covers, drawn by its source or sized by a rule.

Earthquakes (USGS, GDACS EQ, and a CAP earthquake alert that draws no area) get a circle
around the epicentre whose radius grows with magnitude M:

    r_km = 10 ** (0.4 * M - 0.4), kept between 1 km and 1,000 km

that is about 40 km at M5, 100 km at M6, 250 km at M7 and 630 km at M8 (×2.5 per unit of
magnitude): roughly how far a shallow quake is felt widely, as light to moderate shaking
(MMI IV–V), on firm ground. The rule is generous on purpose: it decides who is sent a
safety check, and missing a person costs more than asking one too many. Depth is not
used. A PAGER (USGS) or GDACS alert of orange or red raises the radius one step, to that
of a quake half a unit of magnitude larger (×1.58).

GDACS events other than earthquakes use, in this order: the polygon the item draws
(georss:polygon); for tropical cyclones, floods, droughts and wildfires the item's
gdacs:bbox as a rectangle, split at ±180°, unless the event's own point lies outside it
by more than half its size (the box is then wrong: GDACS sent SARAI-19, at 178.8°W, with
a box of 35.6°W..9.6°W); else a circle around the event's point sized by the alert level: green
50 km, orange 100 km, red 200 km. In the GDACS feeds seen so far the bbox of droughts,
floods and earthquakes is a fixed 8° square around the point, not a drawn extent.

CAP alerts: the union of the <polygon> and <circle> shapes of every <info> block in the
language of the first <info> that has any (other languages repeat the same areas),
without duplicates. An alert whose areas have only geocodes has no footprint (None);
its geocodes stay in ``InfoBlock.areas``. A CAP alert that names no centre among its
parameters takes the middle of its footprint as its centre (``centre``).
"""

from kieubao.crisis.feeds.geometry import Ring, box_rings
from kieubao.crisis.feeds.reports import Circle, Footprint, InfoBlock, Polygon

QUAKE_MIN_KM = 1.0
QUAKE_MAX_KM = 1000.0
ALERT_STEP_MAGNITUDE = 0.5  # one step up for an orange or red alert
ALERT_CIRCLE_KM = {"green": 50.0, "orange": 100.0, "red": 200.0}
BOX_HAZARDS = frozenset({"tropical_cyclone", "flood", "drought", "wildfire"})


def quake_radius_km(magnitude: float, alert_level: str | None = None) -> float:
    """The earthquake rule; non-decreasing in magnitude."""
    if alert_level in {"orange", "red"}:
        magnitude += ALERT_STEP_MAGNITUDE
    radius = 10 ** (0.4 * min(magnitude, 10.0) - 0.4)
    return min(max(radius, QUAKE_MIN_KM), QUAKE_MAX_KM)


def quake(lat: float, lon: float, magnitude: float, alert_level: str | None, by: str) -> Footprint:
    """``by`` names who set the alert level: "PAGER" or "GDACS"."""
    radius = quake_radius_km(magnitude, alert_level)
    stepped = alert_level in {"orange", "red"}
    why = f"M{magnitude:.1f}"
    if stepped:
        why += f", {by} {alert_level}"
    rule = f"{why}: circle of {radius:.0f} km (magnitude rule"
    rule += ", one step up for the alert)" if stepped else ")"
    return Footprint(circles=(Circle(lat, lon, radius),), polygons=(), rule=rule)


def alert_circle(
    lat: float, lon: float, alert_level: str | None, what: str, aside: str = ""
) -> Footprint | None:
    radius = ALERT_CIRCLE_KM.get(alert_level or "")
    if radius is None:
        return None
    rule = f"GDACS {alert_level} {what}: circle of {radius:.0f} km (alert-level rule{aside})"
    return Footprint(circles=(Circle(lat, lon, radius),), polygons=(), rule=rule)


def gdacs_box(
    box: tuple[float, float, float, float], lat: float | None, lon: float | None, what: str
) -> Footprint | None:
    """The footprint of a gdacs:bbox (west, east, south, north), or None when the event's
    point lies far outside it."""
    west, east, south, north = box
    if lat is not None and lon is not None:
        half_lon, half_lat = (east - west) / 2, (north - south) / 2
        if (
            not (
                west - half_lon <= lon <= east + half_lon
                or west - half_lon <= lon + 360 <= east + half_lon
                or west - half_lon <= lon - 360 <= east + half_lon
            )
            or not south - half_lat <= lat <= north + half_lat
        ):
            return None
    rings = box_rings(west, east, south, north)
    return Footprint(
        circles=(),
        polygons=tuple(Polygon((ring,)) for ring in rings),
        rule=f"GDACS bounding box of the {what}",
    )


def drawn(rings: list[Ring], rule: str) -> Footprint:
    return Footprint(circles=(), polygons=tuple(Polygon((r,)) for r in rings), rule=rule)


def cap_areas(infos: tuple[InfoBlock, ...]) -> Footprint | None:
    language = next(
        (i.language for i in infos if any(a.polygons or a.circles for a in i.areas)), None
    )
    if language is None:
        return None
    polygons: dict[Polygon, None] = {}
    circles: dict[Circle, None] = {}
    for info in infos:
        if info.language != language:
            continue
        for area in info.areas:
            polygons.update(dict.fromkeys(area.polygons))
            circles.update(dict.fromkeys(area.circles))
    shapes = [_count(len(polygons), "polygon"), _count(len(circles), "circle")]
    return Footprint(
        circles=tuple(circles),
        polygons=tuple(polygons),
        rule=f"CAP areas ({language}): {', '.join(s for s in shapes if s)}",
    )


def _count(n: int, noun: str) -> str:
    return "" if n == 0 else f"{n} {noun}{'s' if n > 1 else ''}"


def centre(footprint: Footprint) -> tuple[float, float] | None:
    """The middle of the footprint's bounding box, (lat, lon); across the antimeridian,
    the middle of the box that spans it rather than of the box that spans the globe."""
    boxes = [p.bbox for p in footprint.polygons] + [c.bbox for c in footprint.circles]
    if not boxes:
        return None
    south = min(b[1] for b in boxes)
    north = max(b[3] for b in boxes)
    west, east = min(b[0] for b in boxes), max(b[2] for b in boxes)
    if east - west > 180:
        shifted = [
            (b[0] + 360 if b[0] < 0 else b[0], b[2] + 360 if b[2] < 0 else b[2]) for b in boxes
        ]
        west, east = min(w for w, _ in shifted), max(e for _, e in shifted)
    lon = (west + east) / 2
    return (south + north) / 2, (lon + 180) % 360 - 180
