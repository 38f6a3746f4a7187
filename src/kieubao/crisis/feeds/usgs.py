"""USGS earthquake GeoJSON summary feeds: a FeatureCollection, or a single Feature."""

import hashlib
import json
from typing import Any, TypeGuard

from kieubao.crisis.feeds import footprints, places
from kieubao.crisis.feeds.errors import UNFORESEEN, FeedError, ItemRejected, unforeseen
from kieubao.crisis.feeds.hazards import USGS_TYPES
from kieubao.crisis.feeds.reports import HazardReport, InfoBlock, Rejection
from kieubao.crisis.feeds.values import clean, from_epoch_ms, latitude, longitude, number, shown

ALERT_LEVELS = frozenset({"green", "yellow", "orange", "red"})


def is_usgs(data: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(data, dict) and data.get("type") in {"FeatureCollection", "Feature"}


def parse_usgs(data: object) -> tuple[list[HazardReport], list[Rejection]]:
    if not is_usgs(data):
        raise FeedError("the JSON document is not a GeoJSON Feature or FeatureCollection")
    features: list[object]
    if data["type"] == "Feature":
        features = [data]
    elif isinstance(data.get("features"), list):
        features = data["features"]
    else:
        raise FeedError("the FeatureCollection has no list of features")
    reports: list[HazardReport] = []
    rejections: list[Rejection] = []
    for index, feature in enumerate(features, start=1):
        label = _label(feature, index)
        try:
            reports.append(_report(feature))
        except ItemRejected as exc:
            rejections.append(Rejection(label, exc.reason))
        except UNFORESEEN as exc:
            rejections.append(Rejection(label, unforeseen(exc)))
    return reports, rejections


def _label(feature: object, index: int) -> str:
    if isinstance(feature, dict) and isinstance(feature.get("id"), str) and feature["id"]:
        return str(feature["id"])[:100]
    return f"item {index}"


def _text(properties: dict[str, Any], key: str) -> str | None:
    value = properties.get(key)
    return clean(value).strip() or None if isinstance(value, str) else None


def _report(feature: object) -> HazardReport:
    if not isinstance(feature, dict):
        raise ItemRejected("the feature is not a JSON object")
    event_id = feature.get("id")
    if not isinstance(event_id, str) or not clean(event_id).strip():
        raise ItemRejected("the feature has no id")
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        raise ItemRejected("the feature has no properties")
    lon, lat, depth = _point(feature.get("geometry"))
    raw_mag = properties.get("mag")
    magnitude = None if raw_mag is None else number(raw_mag, "the magnitude (mag)")
    if "time" not in properties:
        raise ItemRejected("the feature has no time")
    occurred_at = from_epoch_ms(properties["time"], "the time")
    raw_updated = properties.get("updated")
    updated_at = occurred_at if raw_updated is None else from_epoch_ms(raw_updated, "updated")
    alert = _text(properties, "alert")
    alert_level = alert.lower() if alert and alert.lower() in ALERT_LEVELS else None
    event_type = _text(properties, "type") or "earthquake"
    hazard_type = USGS_TYPES.get(event_type.lower(), "other")
    place = _text(properties, "place")
    title = _text(properties, "title") or f"M {shown(raw_mag)} - {place or 'unknown place'}"
    url = _text(properties, "url")
    footprint = None
    if hazard_type == "earthquake" and magnitude is not None:
        footprint = footprints.quake(lat, lon, magnitude, alert_level, by="PAGER")
    parameters = [("depth_km", f"{depth:g}")] if depth is not None else []
    for key in ("magType", "status", "tsunami", "sig", "mmi"):
        value = properties.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            parameters.append((key, str(value)))
    info = InfoBlock(
        language="en",
        event=event_type,
        headline=title,
        description=place,
        instruction=None,
        severity=None,
        urgency=None,
        certainty=None,
        categories=("Geo",),
        web=url,
        parameters=tuple(parameters),
    )
    canonical = json.dumps(feature, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return HazardReport(
        source="usgs",
        external_id=clean(event_id).strip(),
        version=str(raw_updated if raw_updated is not None else properties["time"]),
        hazard_type=hazard_type,
        title=title,
        occurred_at=occurred_at,
        updated_at=updated_at,
        lat=lat,
        lon=lon,
        magnitude=magnitude,
        alert_level=alert_level,
        severity=None,
        countries=places.unique([places.from_place(place, lon) if place else None]),
        footprint=footprint,
        url=url if url and url.startswith(("http://", "https://")) else None,
        message_type="alert",
        references=(),
        infos=(info,),
        raw_digest=hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest(),
    )


def _point(geometry: object) -> tuple[float, float, float | None]:
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        raise ItemRejected("the feature's geometry is not a Point")
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        raise ItemRejected("the Point has no [longitude, latitude] coordinates")
    lon = longitude(coordinates[0])
    lat = latitude(coordinates[1])
    depth = None
    if len(coordinates) > 2 and coordinates[2] is not None:
        depth = number(coordinates[2], "the depth")
    return lon, lat, depth
