"""Published advisories as Atom 1.0 feeds and, for changes to level 3 or 4, CAP 1.2 alerts.

Built with ElementTree so every text is escaped by the serialiser, never by hand. Tags are
written unqualified under an ``xmlns`` on the root: the documents read with a default namespace,
without registering a prefix for the whole process.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from kieubao.outreach.models import AdvisoryVersion
from kieubao.outreach.sanitize import plain_text
from kieubao.platform import countries
from kieubao.platform.db import utcnow
from kieubao.platform.settings import get_settings

ATOM = "http://www.w3.org/2005/Atom"
CAP = "urn:oasis:names:tc:emergency:cap:1.2"

LEVEL_NAMES = {
    1: "Exercise normal precautions",
    2: "Exercise increased caution",
    3: "Reconsider travel",
    4: "Do not travel",
}
LEVEL_NAMES_VI = {
    1: "Thực hiện các biện pháp phòng ngừa thông thường",
    2: "Tăng cường thận trọng",
    3: "Cân nhắc lại việc đi lại",
    4: "Không đi đến",
}
CAP_SEVERITY = {3: "Severe", 4: "Extreme"}


def _url(path: str) -> str:
    return get_settings().base_url.rstrip("/") + path


def _time(value: datetime) -> str:
    """RFC 3339 with a numeric zone, as both Atom and CAP 1.2 accept (CAP refuses "Z")."""
    return value.replace(microsecond=0).isoformat()


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def title_of(version: AdvisoryVersion) -> str:
    advisory = version.advisory
    # Feeds and CAP's English block speak English whatever the reader's page language.
    country = countries.get(advisory.country)
    place = country.name_en if country else advisory.country
    if advisory.region:
        place = f"{place} ({advisory.region})"
    change = ""
    if version.previous_level is not None and version.previous_level != version.level:
        verb = "raised" if version.level > version.previous_level else "lowered"
        change = f", {verb} from {version.previous_level}"
    return f"{place}: level {version.level}{change} - {LEVEL_NAMES[version.level]}"


def page_path(version: AdvisoryVersion) -> str:
    return f"/advisories/{version.advisory.country}"


def atom(versions: Iterable[AdvisoryVersion], *, feed_path: str, title: str) -> bytes:
    versions = list(versions)
    feed = ET.Element("feed", {"xmlns": ATOM, "{http://www.w3.org/XML/1998/namespace}lang": "en"})
    _sub(feed, "id", _url(feed_path))
    _sub(feed, "title", title)
    updated = max((v.published_at for v in versions if v.published_at), default=utcnow())
    _sub(feed, "updated", _time(updated))
    _sub(feed, "link", rel="self", href=_url(feed_path))
    _sub(feed, "link", rel="alternate", href=_url("/advisories"))
    author = _sub(feed, "author")
    _sub(author, "name", "Consular Department, Ministry of Foreign Affairs of Viet Nam")
    for version in versions:
        assert version.published_at is not None  # the queries return published ones only
        entry = _sub(feed, "entry")
        _sub(entry, "id", _url(f"/advisories/versions/{version.id}"))
        _sub(entry, "title", title_of(version))
        _sub(entry, "updated", _time(version.published_at))
        _sub(entry, "published", _time(version.published_at))
        _sub(entry, "link", rel="alternate", href=_url(page_path(version)))
        if version.cap_identifier:
            _sub(
                entry,
                "link",
                rel="related",
                type="application/cap+xml",
                href=_url(f"/cap/{version.cap_identifier}.xml"),
            )
        _sub(entry, "category", term=f"level-{version.level}")
        for reason in version.reasons:
            _sub(entry, "category", term=reason)
        _sub(entry, "summary", plain_text(version.advice_en)[:500])
        _sub(entry, "content", version.advice_en, type="html")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def cap_index(versions: Iterable[AdvisoryVersion]) -> bytes:
    """The CAP alerts as an Atom feed, each entry linking its alert (as NWS and others do)."""
    return atom(versions, feed_path="/feeds/cap.atom", title="Travel advisory CAP alerts")


def cap_alert(version: AdvisoryVersion, contacts: list[Any], hotline: str) -> bytes:
    assert version.cap_identifier is not None and version.published_at is not None
    advisory = version.advisory
    settings = get_settings()
    alert = ET.Element("alert", {"xmlns": CAP})
    _sub(alert, "identifier", version.cap_identifier)
    _sub(alert, "sender", settings.mail_from)
    _sub(alert, "sent", _time(version.published_at))
    _sub(alert, "status", "Actual")
    _sub(alert, "msgType", "Alert")
    _sub(alert, "scope", "Public")
    country = countries.get(advisory.country)
    for language, names, advice, name in (
        ("vi-VN", LEVEL_NAMES_VI, version.advice_vi, country.name_vi if country else ""),
        ("en-US", LEVEL_NAMES, version.advice_en, country.name_en if country else ""),
    ):
        info = _sub(alert, "info")
        _sub(info, "language", language)
        _sub(info, "category", "Safety")
        _sub(info, "event", names[version.level])
        _sub(info, "urgency", "Expected")
        _sub(info, "severity", CAP_SEVERITY[version.level])
        _sub(info, "certainty", "Likely")
        _sub(info, "effective", _time(version.published_at))
        _sub(info, "senderName", "Cục Lãnh sự - Bộ Ngoại giao Việt Nam")
        _sub(info, "headline", f"{name}: {version.level} - {names[version.level]}")
        _sub(info, "description", plain_text(advice))
        _sub(info, "web", _url(page_path(version)))
        phones = [hotline] + [c.hotline for c in contacts if c.hotline]
        _sub(info, "contact", ", ".join(phones))
        parameter = _sub(info, "parameter")
        _sub(parameter, "valueName", "advisoryLevel")
        _sub(parameter, "value", str(version.level))
        area = _sub(info, "area")
        _sub(area, "areaDesc", f"{name} {advisory.region}".strip())
        for ring in _outer_rings(version.region_geometry):
            _sub(area, "polygon", ring)
        geocode = _sub(area, "geocode")
        _sub(geocode, "valueName", "ISO 3166-1 alpha-2")
        _sub(geocode, "value", advisory.country)
    body: bytes = ET.tostring(alert, encoding="utf-8", xml_declaration=True)
    return body


def _outer_rings(geometry: dict[str, Any] | None) -> list[str]:
    """CAP polygons: "lat,lon" pairs, closed, at least four; GeoJSON rings are lon,lat."""
    if not geometry:
        return []
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    rings = []
    for polygon in polygons:
        ring = [(float(p[1]), float(p[0])) for p in polygon[0]]
        if ring and ring[0] != ring[-1]:
            ring.append(ring[0])
        if len(ring) >= 4:
            rings.append(" ".join(f"{lat:g},{lon:g}" for lat, lon in ring))
    return rings
