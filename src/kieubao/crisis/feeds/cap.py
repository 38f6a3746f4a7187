"""CAP 1.2 alerts: every <info> and <area>, and the references that link an Update or a
Cancel to the alerts it replaces. An alert that does not follow the schema is rejected
with the validator's first line: what it says cannot be trusted to mean what it seems.
"""

import re
from datetime import datetime

from kieubao.crisis.feeds import footprints, hazards, places
from kieubao.crisis.feeds.capschema import CAP11, CAP12, schema_problem
from kieubao.crisis.feeds.errors import ItemRejected
from kieubao.crisis.feeds.geometry import Ring, closed_ring
from kieubao.crisis.feeds.reports import Area, Circle, HazardReport, InfoBlock, Polygon
from kieubao.crisis.feeds.values import from_iso, latitude, longitude, number, shown
from kieubao.crisis.feeds.xml import Element, digest, local, namespace

CAP_NAMESPACES = (CAP12, CAP11)
MESSAGE_TYPES = {"Alert": "alert", "Update": "update", "Cancel": "cancel"}
SEVERITIES = ("Unknown", "Minor", "Moderate", "Severe", "Extreme")
ALERT_LEVELS = ("green", "yellow", "orange", "red")
# Parameters that give the event's centre, "lat,lon" (NWS tsunami warnings).
_CENTRE_PARAMETERS = ("eventlatlon", "epicenter", "epicentre")
_DECIMAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_POLYGON = re.compile(rf"{_DECIMAL},{_DECIMAL}(?:\s+{_DECIMAL},{_DECIMAL})*")
_MAGNITUDE_TEXT = re.compile(r"magnitude\s*[=:]?\s*(\d+(?:\.\d+)?)", re.IGNORECASE)


def is_alert(element: Element) -> bool:
    return local(element.tag) == "alert"


def label(alert: Element) -> str | None:
    ns = namespace(alert.tag)
    sender = (alert.findtext(f"{{{ns}}}sender") or "").strip()
    identifier = (alert.findtext(f"{{{ns}}}identifier") or "").strip()
    if sender and identifier:
        return f"{sender}/{identifier}"[:200]
    return identifier[:200] or None


def read_alert(alert: Element) -> HazardReport:
    ns = namespace(alert.tag)
    if ns not in CAP_NAMESPACES:
        raise ItemRejected(
            f"the <alert> is not in the CAP 1.2 namespace (its namespace is {ns or 'none'!r})"
        )
    problem = schema_problem(alert)
    if problem:
        raise ItemRejected(f"the alert does not follow the CAP 1.2 schema: {problem}")

    def text(element: Element, name: str) -> str | None:
        return _text(element, ns, name)

    sender, identifier = text(alert, "sender") or "", text(alert, "identifier") or ""
    msg_type, sent_text = text(alert, "msgType") or "", text(alert, "sent") or ""
    if msg_type not in MESSAGE_TYPES:
        raise ItemRejected(
            f"it is an {msg_type} message, which answers another message and reports no hazard"
        )
    sent = from_iso(sent_text, "<sent>")
    infos = tuple(_info(info, ns) for info in alert.findall(f"{{{ns}}}info"))
    first = infos[0] if infos else None
    parameters = {n.strip().lower(): v for i in infos[:1] for n, v in i.parameters}
    hazard_type = hazards.from_cap(first) if first else "other"
    magnitude = _magnitude(parameters)
    alert_level = _alert_level(parameters)
    footprint = footprints.cap_areas(infos)
    lat, lon = _centre(parameters)
    quake = hazard_type == "earthquake" and magnitude is not None
    if footprint is None and quake and lat is not None and lon is not None:
        assert magnitude is not None
        footprint = footprints.quake(lat, lon, magnitude, alert_level, by="CAP")
    middle = footprints.centre(footprint) if footprint is not None else None
    if lat is None and middle is not None:
        lat, lon = middle
    references = _references(text(alert, "references") or "")
    severities = [i.severity for i in infos if i.severity in SEVERITIES]
    expiries = [i.expires for i in infos if i.expires is not None]
    title = (first.headline or first.event) if first else None
    web = first.web if first else None
    return HazardReport(
        source="cap",
        external_id=f"{sender}/{identifier}",
        version=sent_text,
        hazard_type=hazard_type,
        title=title or f"{msg_type} from {sender}",
        occurred_at=(first.onset or first.effective or sent) if first else sent,
        updated_at=sent,
        lat=lat,
        lon=lon,
        magnitude=magnitude,
        alert_level=alert_level,
        severity=max(severities, key=SEVERITIES.index) if severities else None,
        countries=_countries(identifier, infos, parameters),
        footprint=footprint,
        url=web if web and web.startswith(("http://", "https://")) else None,
        message_type=MESSAGE_TYPES[msg_type],
        references=references,
        infos=infos,
        raw_digest=digest(alert),
        status=(text(alert, "status") or "actual").lower(),
        scope=text(alert, "scope"),
        expires_at=max(expiries) if expiries else None,
    )


def _text(element: Element, ns: str, name: str) -> str | None:
    value = element.findtext(f"{{{ns}}}{name}")
    return value.strip() or None if value else None


def _info(info: Element, ns: str) -> InfoBlock:
    def text(element: Element, name: str) -> str | None:
        return _text(element, ns, name)

    def all_text(name: str) -> tuple[str, ...]:
        return tuple(v for e in info.findall(f"{{{ns}}}{name}") if (v := (e.text or "").strip()))

    def pairs(name: str, within: Element = info) -> tuple[tuple[str, str], ...]:
        return tuple(
            (text(e, "valueName") or "", text(e, "value") or "")
            for e in within.findall(f"{{{ns}}}{name}")
        )

    def moment(name: str) -> datetime | None:
        value = text(info, name)
        return from_iso(value, f"<{name}>") if value else None

    areas = tuple(
        Area(
            description=text(area, "areaDesc") or "",
            polygons=tuple(
                Polygon((_ring(p.text),))
                for p in area.findall(f"{{{ns}}}polygon")
                if p.text and p.text.strip()
            ),
            circles=tuple(
                _circle(c.text)
                for c in area.findall(f"{{{ns}}}circle")
                if c.text and c.text.strip()
            ),
            geocodes=pairs("geocode", area),
        )
        for area in info.findall(f"{{{ns}}}area")
    )
    return InfoBlock(
        language=text(info, "language") or "en-US",  # the schema's default
        event=text(info, "event") or "",
        headline=text(info, "headline"),
        description=text(info, "description"),
        instruction=text(info, "instruction"),
        severity=text(info, "severity"),
        urgency=text(info, "urgency"),
        certainty=text(info, "certainty"),
        categories=all_text("category"),
        response_types=all_text("responseType"),
        effective=moment("effective"),
        onset=moment("onset"),
        expires=moment("expires"),
        sender_name=text(info, "senderName"),
        web=text(info, "web"),
        event_codes=pairs("eventCode"),
        parameters=pairs("parameter"),
        areas=areas,
    )


def _ring(text: str) -> Ring:
    """A CAP polygon, "lat,lon lat,lon ...", as a closed (lon, lat) ring."""
    pairs = [pair.split(",") for pair in text.split()]
    if _POLYGON.fullmatch(text.strip()):
        # Every number is a plain decimal: float() is safe, and fast on long borders.
        points = [(float(lon), float(lat)) for lat, lon in pairs]
    else:
        points = []
        for pair in pairs:
            if len(pair) != 2:
                raise ItemRejected(f"the polygon point {shown(','.join(pair))} is not 'lat,lon'")
            points.append(
                (number(pair[1], "a polygon longitude"), number(pair[0], "a polygon latitude"))
            )
    return closed_ring(points, "a polygon")


def _circle(text: str) -> Circle:
    """A CAP circle, "lat,lon radius_km"."""
    parts = text.split()
    centre = parts[0].split(",") if parts else []
    if len(parts) != 2 or len(centre) != 2:
        raise ItemRejected(f"the circle {shown(text.strip())} is not 'latitude,longitude radius'")
    radius = number(parts[1], "a circle radius")
    if radius < 0:
        raise ItemRejected(f"a circle radius is negative ({radius:g} km)")
    return Circle(
        latitude(centre[0], "a circle latitude"), longitude(centre[1], "a circle longitude"), radius
    )


def _references(text: str) -> tuple[str, ...]:
    """The external ids of the alerts named by "sender,identifier,sent" triples."""
    found = []
    for triple in text.split():
        parts = triple.split(",")
        if len(parts) >= 2 and parts[0] and parts[1]:
            found.append(f"{parts[0]}/{parts[1]}")
    return tuple(dict.fromkeys(found))


def _magnitude(parameters: dict[str, str]) -> float | None:
    for name, value in parameters.items():
        if "magnitude" in name and "type" not in name:
            try:
                return number(value, name)
            except ItemRejected:
                continue
    for name in ("hazardcomponents", "severity"):
        match = _MAGNITUDE_TEXT.search(parameters.get(name, ""))
        if match:
            return float(match.group(1))
    return None


def _alert_level(parameters: dict[str, str]) -> str | None:
    """GDACS's "alertlevel", or Meteoalarm's "awareness_level" ("2; yellow; Moderate")."""
    level = parameters.get("alertlevel", "").strip().lower()
    if level in ALERT_LEVELS:
        return level
    fields = [f.strip().lower() for f in parameters.get("awareness_level", "").split(";")]
    return next((f for f in fields if f in ALERT_LEVELS), None)


def _centre(parameters: dict[str, str]) -> tuple[float | None, float | None]:
    for name in _CENTRE_PARAMETERS:
        value = parameters.get(name)
        if value:
            centre = value.split()[0].split(",")
            try:
                if len(centre) == 2:
                    return latitude(centre[0]), longitude(centre[1])
            except ItemRejected:
                return None, None
    return None, None


def _countries(
    identifier: str, infos: tuple[InfoBlock, ...], parameters: dict[str, str]
) -> tuple[str, ...]:
    codes = [places.from_wmo_identifier(identifier)]
    for info in infos:
        for area in info.areas:
            codes += [places.from_geocode(name, value) for name, value in area.geocodes]
            codes.append(places.from_name(area.description))  # "Burkina Faso"
    if parameters.get("iso3"):
        codes.append(places.from_alpha3(parameters["iso3"]))
    if parameters.get("country"):
        codes += places.from_names(parameters["country"])
    return places.unique(codes)
