"""GDACS RSS feeds (rss.xml, rss_24h.xml, rss_7d.xml): every event type."""

import re

from kieubao.crisis.feeds import footprints, places
from kieubao.crisis.feeds.errors import UNFORESEEN, ItemRejected, unforeseen
from kieubao.crisis.feeds.geometry import Ring, closed_ring
from kieubao.crisis.feeds.hazards import GDACS_TYPES
from kieubao.crisis.feeds.reports import Footprint, HazardReport, InfoBlock, Rejection
from kieubao.crisis.feeds.values import from_rfc822, latitude, longitude, number, shown
from kieubao.crisis.feeds.xml import Element, XmlDocument, digest

GDACS = "http://www.gdacs.org"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
GEORSS = "http://www.georss.org/georss"

ALERT_LEVELS = frozenset({"green", "orange", "red"})
NAMES = {
    "EQ": "earthquake",
    "TC": "tropical cyclone",
    "FL": "flood",
    "VO": "volcano",
    "DR": "drought",
    "WF": "wildfire",
    "TS": "tsunami",
}
_MAGNITUDE = re.compile(r"magnitude\s*(\d+(?:\.\d+)?)", re.IGNORECASE)
# Kept as the info block's parameters: what GDACS says about size and people affected.
_PARAMETERS = ("eventname", "severity", "population", "vulnerability", "alertscore", "iscurrent")


def parse_gdacs(document: XmlDocument) -> tuple[list[HazardReport], list[Rejection]]:
    reports: list[HazardReport] = []
    rejections: list[Rejection] = []
    for index, item in enumerate(document.root.iter("item"), start=1):
        label = _label(item, index)
        try:
            if not document.is_whole(item):
                raise ItemRejected("the item is cut off where the document breaks off")
            reports.append(_report(item))
        except ItemRejected as exc:
            rejections.append(Rejection(label, exc.reason))
        except UNFORESEEN as exc:
            rejections.append(Rejection(label, unforeseen(exc)))
    return reports, rejections


def _g(item: Element, name: str, namespace: str = GDACS) -> str | None:
    value = item.findtext(f"{{{namespace}}}{name}")
    return value.strip() or None if value else None


def _plain(item: Element, name: str) -> str | None:
    value = item.findtext(name)
    return value.strip() or None if value else None


def _label(item: Element, index: int) -> str:
    event_type, event_id = _g(item, "eventtype"), _g(item, "eventid")
    return f"{event_type}{event_id}"[:100] if event_type and event_id else f"item {index}"


def _report(item: Element) -> HazardReport:
    event_type = (_g(item, "eventtype") or "").upper()
    event_id = _g(item, "eventid")
    if not event_type or not event_id:
        raise ItemRejected("the item has no gdacs:eventtype or gdacs:eventid")
    version = _g(item, "episodeid") or _g(item, "version")
    if not version:
        raise ItemRejected("the item has no gdacs:episodeid")
    hazard_type = GDACS_TYPES.get(event_type, "other")
    what = NAMES.get(event_type, event_type.lower())
    published, started = _plain(item, "pubDate"), _g(item, "fromdate")
    updated_at = from_rfc822(published, "the pubDate") if published else None
    occurred_at = from_rfc822(started, "gdacs:fromdate") if started else updated_at
    if occurred_at is None:
        raise ItemRejected("the item has neither a pubDate nor a gdacs:fromdate")
    updated_at = updated_at or occurred_at
    lat, lon = _point(item)
    level = (_g(item, "alertlevel") or "").lower()
    alert_level = level if level in ALERT_LEVELS else None
    magnitude = _magnitude(item) if event_type == "EQ" else None
    title = _plain(item, "title") or f"{what.capitalize()} {_g(item, 'eventname') or event_id}"
    description = _plain(item, "description")
    url = _plain(item, "link")
    iso3 = _g(item, "iso3")
    names = _g(item, "country")
    countries = places.unique(
        [places.from_alpha3(iso3) if iso3 else None, *(places.from_names(names) if names else ())]
    )
    info = InfoBlock(
        language="en",
        event=what,
        headline=title,
        description=description,
        instruction=None,
        severity=None,
        urgency=None,
        certainty=None,
        web=url,
        parameters=tuple(
            (name, value) for name in _PARAMETERS if (value := _g(item, name)) is not None
        ),
    )
    return HazardReport(
        source="gdacs",
        external_id=f"{event_type}{event_id}",
        version=version,
        hazard_type=hazard_type,
        title=title,
        occurred_at=occurred_at,
        updated_at=updated_at,
        lat=lat,
        lon=lon,
        magnitude=magnitude,
        alert_level=alert_level,
        severity=None,
        countries=countries,
        footprint=_footprint(item, hazard_type, what, lat, lon, magnitude, alert_level),
        url=url if url and url.startswith(("http://", "https://")) else None,
        message_type="alert",
        references=(),
        infos=(info,),
        raw_digest=digest(item),
    )


def _point(item: Element) -> tuple[float | None, float | None]:
    point = item.find(f"{{{GEO}}}Point")
    if point is not None:
        lat_text, lon_text = _g(point, "lat", GEO), _g(point, "long", GEO)
        if lat_text is None or lon_text is None:
            raise ItemRejected("geo:Point lacks geo:lat or geo:long")
        return latitude(lat_text, "geo:lat"), longitude(lon_text, "geo:long")
    text = _g(item, "point", GEORSS)
    if text is None:
        return None, None
    parts = text.split()
    if len(parts) != 2:
        raise ItemRejected(f"georss:point {shown(text)} is not 'latitude longitude'")
    return latitude(parts[0], "georss:point latitude"), longitude(
        parts[1], "georss:point longitude"
    )


def _magnitude(item: Element) -> float | None:
    severity = item.find(f"{{{GDACS}}}severity")
    if severity is not None and severity.get("unit", "").strip().upper() == "M":
        return number(severity.get("value", ""), "the magnitude (gdacs:severity value)")
    match = _MAGNITUDE.search(_plain(item, "title") or "")
    return float(match.group(1)) if match else None


def _footprint(
    item: Element,
    hazard_type: str,
    what: str,
    lat: float | None,
    lon: float | None,
    magnitude: float | None,
    alert_level: str | None,
) -> Footprint | None:
    polygon = _g(item, "polygon", GEORSS)
    if polygon:
        return footprints.drawn([_ring(polygon)], f"GDACS polygon of the {what}")
    if hazard_type == "earthquake" and magnitude is not None and lat is not None:
        assert lon is not None
        return footprints.quake(lat, lon, magnitude, alert_level, by="GDACS")
    box = _bbox(item)
    aside = ""
    if box is not None and hazard_type in footprints.BOX_HAZARDS:
        drawn = footprints.gdacs_box(box, lat, lon, what)
        if drawn is not None:
            return drawn
        aside = "; its bounding box was left out, being far from its point"
    if lat is None or lon is None:
        return None
    return footprints.alert_circle(lat, lon, alert_level, what, aside)


def _bbox(item: Element) -> tuple[float, float, float, float] | None:
    """gdacs:bbox, "lonmin lonmax latmin latmax" (longitudes may run past ±180)."""
    text = _g(item, "bbox")
    if text is None:
        return None
    parts = text.split()
    if len(parts) != 4:
        raise ItemRejected(f"gdacs:bbox {shown(text)} is not four numbers")
    west, east = (number(p, "a gdacs:bbox longitude") for p in parts[:2])
    south, north = (latitude(p, "a gdacs:bbox latitude") for p in parts[2:])
    if not (-540 <= west <= east <= 540 and south <= north):
        raise ItemRejected(f"gdacs:bbox {shown(text)} is not lonmin lonmax latmin latmax")
    return west, east, south, north


def _ring(text: str) -> Ring:
    """georss:polygon: "lat lon lat lon ...", closed."""
    numbers = text.split()
    if len(numbers) % 2:
        raise ItemRejected("georss:polygon is not a list of 'latitude longitude' pairs")
    points = [
        (number(numbers[i + 1], "a polygon longitude"), number(numbers[i], "a polygon latitude"))
        for i in range(0, len(numbers), 2)
    ]
    return closed_ring(points, "georss:polygon")
