"""USGS earthquake GeoJSON feeds, read from real documents byte for byte."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kieubao.crisis.feeds import FeedError, HazardReport, detect_kind, parse
from kieubao.crisis.feeds.footprints import QUAKE_MAX_KM, QUAKE_MIN_KM, quake_radius_km

USGS = Path(__file__).parents[1] / "data" / "feeds" / "usgs"
WEEK_2016 = USGS / "usgs-latest-earthquakes_2.5_week.json"
DAY_2016 = USGS / "rodu-quakemap_all_day.geojson"
WEEK_2023 = USGS / "raspishake_2.5_week.geojson"


def _by_id(path: Path, event_id: str) -> HazardReport:
    (report,) = [r for r in parse(path.read_bytes()).reports if r.external_id == event_id]
    return report


@pytest.mark.parametrize(("path", "count"), [(WEEK_2016, 245), (DAY_2016, 151), (WEEK_2023, 300)])
def test_every_feature_of_a_real_feed_is_a_report(path: Path, count: int) -> None:
    feed = parse(path.read_bytes())
    assert (feed.kind, len(feed.reports), feed.rejections, feed.links) == ("usgs", count, (), ())
    assert detect_kind(path.read_bytes()) == "usgs"
    assert len({r.external_id for r in feed.reports}) == count
    assert all(r.occurred_at.tzinfo is UTC and r.updated_at >= r.occurred_at for r in feed.reports)


def test_the_afghanistan_quake_of_april_2016() -> None:
    quake = _by_id(WEEK_2016, "us20005gsg")
    assert quake.title == "M 6.6 - 39km WSW of Ashkasham, Afghanistan"
    assert (quake.magnitude, quake.lat, quake.lon) == (6.6, 36.492, 71.1563)
    assert quake.occurred_at == datetime(2016, 4, 10, 10, 28, 58, 490000, tzinfo=UTC)
    assert quake.version == "1460346996000"  # `updated`, as USGS sends it
    assert (quake.source, quake.hazard_type, quake.message_type) == ("usgs", "earthquake", "alert")
    assert quake.alert_level == "green" and quake.countries == ("AF",)
    assert quake.url == "http://earthquake.usgs.gov/earthquakes/eventpage/us20005gsg"
    assert ("depth_km", "210.42") in quake.infos[0].parameters
    assert quake.footprint is not None
    (circle,) = quake.footprint.circles
    assert (circle.lat, circle.lon, round(circle.radius_km)) == (36.492, 71.1563, 174)
    assert quake.footprint.rule == "M6.6: circle of 174 km (magnitude rule)"


def test_the_tonga_quake_of_july_2023_and_its_pager_level() -> None:
    quake = _by_id(WEEK_2023, "us6000kpls")
    assert (quake.magnitude, quake.lat, quake.lon) == (6.9, -17.8785, -174.9429)
    assert quake.alert_level == "green" and quake.countries == ("TO",)
    feed = parse(WEEK_2023.read_bytes())
    assert sum(r.alert_level == "green" for r in feed.reports) == 12
    assert sum(("tsunami", "1") in r.infos[0].parameters for r in feed.reports) == 3


def test_quarry_blasts_and_explosions_are_not_earthquakes() -> None:
    feed = parse(DAY_2016.read_bytes())
    others = [r for r in feed.reports if r.hazard_type != "earthquake"]
    assert sorted({r.infos[0].event for r in others}) == ["explosion", "quarry blast"]
    assert len(others) == 8 and all(r.hazard_type == "other" for r in others)
    assert all(r.footprint is None for r in others)  # the magnitude rule is for quakes


@pytest.mark.parametrize(
    ("place", "country"),
    [
        ("24km E of Lake Isabella, CA", "US"),  # USGS writes California as "CA"
        ("9km NE of Noatak, Alaska", "US"),
        ("Tonga", "TO"),
        ("Fiji region", "FJ"),
        ("southern Iran", "IR"),
        ("14km SSW of Ensenada, B.C., MX", "MX"),
        ("10 km S of Tbilisi, Georgia", "GE"),
    ],
)
def test_the_country_at_the_end_of_a_place(place: str, country: str) -> None:
    feature = _feature("x1", place=place, lon=44.8 if "Tbilisi" in place else -118.2)
    (report,) = parse(json.dumps(feature).encode()).reports
    assert report.countries == (country,)


def test_open_water_has_no_country() -> None:
    (report,) = parse(
        json.dumps(_feature("x2", place="South of the Fiji Islands")).encode()
    ).reports
    assert report.countries == ()


def test_a_single_feature_is_a_feed_of_one() -> None:
    feed = parse(json.dumps(_feature("us7000abcd", mag=7.2, alert="orange")).encode())
    (quake,) = feed.reports
    assert quake.external_id == "us7000abcd" and quake.alert_level == "orange"
    assert quake.footprint is not None
    assert quake.footprint.rule == (
        "M7.2, PAGER orange: circle of 479 km (magnitude rule, one step up for the alert)"
    )


def test_the_digest_tells_unchanged_from_updated() -> None:
    body = WEEK_2016.read_bytes()
    first, again = parse(body).reports, parse(body).reports
    assert [r.raw_digest for r in first] == [r.raw_digest for r in again]
    assert len({r.raw_digest for r in first}) == len(first)
    before = _feature("us1", mag=5.0)
    after = _feature("us1", mag=5.3)
    assert parse(json.dumps(before).encode()).reports[0].raw_digest != (
        parse(json.dumps(after).encode()).reports[0].raw_digest
    )
    reordered = json.dumps(before, indent=2, sort_keys=True).encode()
    assert (
        parse(reordered).reports[0].raw_digest
        == parse(json.dumps(before).encode()).reports[0].raw_digest
    )


def test_a_json_document_that_is_not_geojson_is_refused() -> None:
    with pytest.raises(FeedError, match="not a GeoJSON"):
        parse(b'{"type": "Topology"}')
    with pytest.raises(FeedError, match="not a CAP document"):
        parse(WEEK_2016.read_bytes(), "cap")


def test_the_radius_at_the_documented_magnitudes() -> None:
    assert [round(quake_radius_km(m)) for m in (5, 6, 7, 8)] == [40, 100, 251, 631]
    assert quake_radius_km(9.5) == QUAKE_MAX_KM and quake_radius_km(-1.0) == QUAKE_MIN_KM
    assert quake_radius_km(6.0, "red") == quake_radius_km(6.5)


magnitudes = st.floats(min_value=-2, max_value=10, allow_nan=False)
levels = st.sampled_from([None, "green", "yellow", "orange", "red"])


@given(magnitudes, magnitudes, levels)
def test_the_radius_never_shrinks_as_magnitude_grows(a: float, b: float, level: str | None) -> None:
    low, high = sorted((a, b))
    assert quake_radius_km(low, level) <= quake_radius_km(high, level)
    assert quake_radius_km(low, None) <= quake_radius_km(low, "orange")


def _feature(
    event_id: str, *, mag: object = 5.0, place: str = "10 km N of Osaka, Japan", **extra: object
) -> dict[str, object]:
    return {
        "type": "Feature",
        "id": event_id,
        "properties": {
            "mag": mag,
            "place": place,
            "time": 1_700_000_000_000,
            "updated": 1_700_000_100_000,
            "alert": extra.get("alert"),
            "tsunami": 0,
            "type": "earthquake",
            "title": f"M {mag} - {place}",
        },
        "geometry": {"type": "Point", "coordinates": [extra.get("lon", 135.5), 34.7, 10.0]},
    }
