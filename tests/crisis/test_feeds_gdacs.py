"""GDACS RSS feeds, read from real documents byte for byte (UTF-8 BOMs included)."""

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kieubao.crisis.feeds import HazardReport, detect_kind, parse
from kieubao.crisis.feeds.footprints import gdacs_box

GDACS = Path(__file__).parents[1] / "data" / "feeds" / "gdacs"
CURRENT = GDACS / "exxamalte_gdacs-rss.xml"
DAY_2019_07 = GDACS / "benjiao_rss_24h.xml"
DAY_2019_12 = GDACS / "exxamalte_gdacs-rss-24h.xml"
WEEK_2019_12 = GDACS / "exxamalte_gdacs-rss-7d.xml"


def _reports(path: Path) -> dict[str, HazardReport]:
    return {r.external_id: r for r in parse(path.read_bytes()).reports}


@pytest.mark.parametrize(
    ("path", "count"), [(CURRENT, 16), (DAY_2019_12, 21), (DAY_2019_07, 33), (WEEK_2019_12, 115)]
)
def test_every_item_of_a_real_feed_is_a_report(path: Path, count: int) -> None:
    body = path.read_bytes()
    assert body.startswith(b"\xef\xbb\xbf<?xml")
    feed = parse(body)
    assert (feed.kind, len(feed.reports), feed.rejections, feed.notes) == ("gdacs", count, (), ())
    assert detect_kind(body) == "gdacs"
    assert all(r.source == "gdacs" and r.message_type == "alert" for r in feed.reports)


def test_the_week_holds_every_type_it_names() -> None:
    types = Counter(r.hazard_type for r in _reports(WEEK_2019_12).values())
    assert types == {"earthquake": 100, "drought": 11, "tropical_cyclone": 3, "volcano": 1}


def test_the_three_red_droughts_of_july_2019() -> None:
    red = {k: r for k, r in _reports(DAY_2019_07).items() if r.alert_level == "red"}
    assert sorted(red) == ["DR1012873", "DR1013021", "DR1013327"]
    southern_africa = red["DR1013327"]
    assert southern_africa.countries == ("AO", "BW", "NA", "ZA", "ZW")
    assert (southern_africa.lat, southern_africa.lon) == (-20.999, 29.5)
    assert southern_africa.occurred_at == datetime(2018, 10, 21, tzinfo=UTC)  # gdacs:fromdate
    assert southern_africa.updated_at == datetime(2019, 7, 17, 10, 7, tzinfo=UTC)  # pubDate
    assert southern_africa.version == "1"  # the episode
    assert red["DR1012873"].countries == ("IN", "LK")
    assert red["DR1012873"].version == "8"


def test_a_tropical_cyclone_is_drawn_by_its_bounding_box() -> None:
    calvinia = _reports(CURRENT)["TC1000643"]
    assert (calvinia.hazard_type, calvinia.countries, calvinia.alert_level) == (
        "tropical_cyclone",
        ("MU",),
        "green",
    )
    assert calvinia.footprint is not None
    (box,) = calvinia.footprint.polygons
    assert box.bbox == (55.0780533046962, -46.7828750315965, 81.0780533046962, -20.7828750315965)
    assert calvinia.footprint.rule == "GDACS bounding box of the tropical cyclone"
    assert ("severity", "Tropical Storm (maximum wind speed of 93 km/h)") in (
        calvinia.infos[0].parameters
    )


def test_a_bounding_box_far_from_its_point_gives_way_to_the_alert_circle() -> None:
    # SARAI-19 sits at 178.8°W; GDACS sent its box as 35.6°W..9.6°W.
    sarai = _reports(CURRENT)["TC1000642"]
    assert sarai.footprint is not None and not sarai.footprint.polygons
    (circle,) = sarai.footprint.circles
    assert (circle.lat, circle.lon, circle.radius_km) == (-20.5, -178.8, 50.0)
    assert "left out" in sarai.footprint.rule


def test_earthquakes_use_the_magnitude_rule() -> None:
    haida_gwaii = _reports(WEEK_2019_12)["EQ1199517"]
    assert (haida_gwaii.magnitude, haida_gwaii.countries) == (6.3, ("CA",))
    assert haida_gwaii.footprint is not None
    assert haida_gwaii.footprint.rule == "M6.3: circle of 132 km (magnitude rule)"


def test_a_volcano_gets_the_alert_level_circle() -> None:
    nishinoshima = _reports(WEEK_2019_12)["VO284096"]
    assert nishinoshima.hazard_type == "volcano" and nishinoshima.countries == ("JP",)
    assert nishinoshima.footprint is not None
    assert nishinoshima.footprint.rule == "GDACS green volcano: circle of 50 km (alert-level rule)"


def test_countries_from_codes_and_names_as_gdacs_writes_them() -> None:
    day = _reports(DAY_2019_07)
    assert day["TC1000573"].countries == ("CN", "PH", "JP", "KR")  # "Korea, Republic of"
    assert day["FL1100100"].countries == ("NP",)  # gdacs:iso3 holds "NP"
    week = _reports(WEEK_2019_12)
    assert week["EQ1199884"].countries == ("VI",)  # "Virgin Islands  U.S."
    assert week["EQ1199745"].countries == ("IR",)  # "Islamic Republic of Iran"
    assert "BA" in week["DR1013280"].countries  # "Bosnia & Herzegovina"


def test_a_box_across_the_antimeridian_is_split_in_two() -> None:
    footprint = gdacs_box((-183.7921, -175.7921, -27.6456, -19.6456), -23.6, -179.8, "flood")
    assert footprint is not None
    west, east = footprint.polygons
    assert west.bbox == (176.2079, -27.6456, 180, -19.6456)
    assert east.bbox == (-180, -27.6456, -175.7921, -19.6456)


def test_the_digest_follows_the_item() -> None:
    body = CURRENT.read_bytes()
    first = _reports(CURRENT)
    assert len({r.raw_digest for r in first.values()}) == 16
    reindented = body.replace(b"\n      <", b"\n<")
    assert {k: r.raw_digest for k, r in _reports_of(reindented).items()} == {
        k: r.raw_digest for k, r in first.items()
    }
    changed = body.replace(
        b"<gdacs:alertlevel>Green</gdacs:alertlevel>",
        b"<gdacs:alertlevel>Red</gdacs:alertlevel>",
        1,
    )
    assert _reports_of(changed)["TC1000643"].raw_digest != first["TC1000643"].raw_digest


def _reports_of(body: bytes) -> dict[str, HazardReport]:
    return {r.external_id: r for r in parse(body).reports}


def test_an_empty_feed_is_still_a_gdacs_feed() -> None:
    body = CURRENT.read_bytes()
    empty = body[: body.index(b"<item>")] + b"</channel></rss>"
    feed = parse(empty)
    assert (feed.kind, feed.reports, feed.rejections) == ("gdacs", (), ())
    assert parse(empty, "gdacs").kind == "gdacs"
