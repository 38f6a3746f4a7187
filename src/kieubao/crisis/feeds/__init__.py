"""Hazard feeds as typed reports: USGS earthquake GeoJSON, GDACS RSS and CAP 1.2.

``parse(body)`` turns the bytes of one feed document into a ``ParsedFeed``: the hazard
reports it holds, the CAP alerts an index links to (for the caller to fetch), and a
``Rejection`` with a reason for every item that could not be read; the other items go
on. ``FeedError`` is raised only when the document as a whole is unusable: larger than
``MAX_BYTES``, neither JSON nor XML, hostile (a DTD, entities), or not a feed we know.

Pure functions: no database, no network. How footprints are sized is told in
``footprints``; how hazard types are named in ``hazards``.
"""

import json

from kieubao.crisis.feeds.cap_index import parse_cap
from kieubao.crisis.feeds.encoding import decode
from kieubao.crisis.feeds.errors import FeedError
from kieubao.crisis.feeds.gdacs import GDACS, parse_gdacs
from kieubao.crisis.feeds.reports import (
    Area,
    CapLink,
    Circle,
    Footprint,
    HazardReport,
    InfoBlock,
    ParsedFeed,
    Polygon,
    Rejection,
)
from kieubao.crisis.feeds.usgs import is_usgs, parse_usgs
from kieubao.crisis.feeds.xml import XmlDocument, local, read_xml

__all__ = [
    "KINDS",
    "MAX_BYTES",
    "Area",
    "CapLink",
    "Circle",
    "FeedError",
    "Footprint",
    "HazardReport",
    "InfoBlock",
    "ParsedFeed",
    "Polygon",
    "Rejection",
    "detect_kind",
    "parse",
]

# The largest document read. Real ones: GDACS's 7-day feed is 1.6 MB, a national CAP
# alert with one detailed border polygon 0.9 MB.
MAX_BYTES = 20_000_000
KINDS = ("usgs", "gdacs", "cap")
_NAMES = {"usgs": "a USGS GeoJSON feed", "gdacs": "a GDACS RSS feed", "cap": "a CAP document"}
_SKIPPED_AT_START = b" \t\r\n\xef\xbb\xbf\xfe\xff"


def parse(body: bytes, kind: str | None = None) -> ParsedFeed:
    """Read one feed document; ``kind`` ("usgs", "gdacs" or "cap") is detected when None."""
    if kind is not None and kind not in KINDS:
        raise FeedError(f"unknown feed kind {kind!r}: expected one of {', '.join(KINDS)}")
    syntax = _syntax(body)
    if syntax == "json":
        data, json_notes = _read_json(body)
        found = "usgs" if is_usgs(data) else None
        _check(found, kind, "the JSON document is not a GeoJSON Feature or FeatureCollection")
        reports, rejections = parse_usgs(data)
        return ParsedFeed("usgs", tuple(reports), (), tuple(rejections), tuple(json_notes))
    document = read_xml(body)
    root = local(document.root.tag)
    found = _xml_kind(document)
    if kind == "gdacs" and root == "rss":
        found = "gdacs"  # trust the caller: a GDACS feed may come without its namespace
    _check(found, kind, f"the XML document is not a feed we know (its root is <{root}>)")
    notes = document.notes
    if found == "gdacs":
        reports, rejections = parse_gdacs(document)
        return ParsedFeed("gdacs", tuple(reports), (), tuple(rejections), notes)
    reports, links, rejections = parse_cap(document)
    return ParsedFeed("cap", tuple(reports), tuple(links), tuple(rejections), notes)


def detect_kind(body: bytes) -> str | None:
    """The kind of a document ``parse`` can read ("usgs", "gdacs" or "cap"), else None."""
    try:
        if _syntax(body) == "json":
            return "usgs" if is_usgs(_read_json(body)[0]) else None
        return _xml_kind(read_xml(body))
    except FeedError:
        return None


def _syntax(body: bytes) -> str:
    if len(body) > MAX_BYTES:
        raise FeedError(
            f"the document is larger than {MAX_BYTES // 1_000_000} MB ({len(body):,} bytes)"
        )
    # Zero bytes dropped, UTF-16 and UTF-32 text shows its first character too.
    head = body[:1024].replace(b"\x00", b"").lstrip(_SKIPPED_AT_START)
    if head.startswith((b"{", b"[")):
        return "json"
    if head.startswith(b"<"):
        return "xml"
    if not head:
        raise FeedError("the document is empty")
    raise FeedError("the document is neither JSON nor XML")


def _read_json(body: bytes) -> tuple[object, list[str]]:
    text, notes = decode(body, xml=False)
    try:
        # strict=False: control characters inside strings are kept, not fatal.
        return json.loads(text.removeprefix("\ufeff"), strict=False), notes
    except json.JSONDecodeError as exc:
        raise FeedError(f"the document is not valid JSON ({exc})") from exc
    except RecursionError as exc:
        raise FeedError("the JSON document is nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer of more digits than Python reads
        raise FeedError(f"the JSON document holds an unreadable value ({exc})") from exc


def _xml_kind(document: XmlDocument) -> str | None:
    root = document.root
    if local(root.tag) == "alert" or root.tag == "{http://www.w3.org/2005/Atom}feed":
        return "cap"
    if local(root.tag) == "rss":
        return "gdacs" if GDACS in document.namespaces else "cap"
    return None


def _check(found: str | None, wanted: str | None, unknown: str) -> None:
    if found is None:
        raise FeedError(unknown if wanted is None else f"the document is not {_NAMES[wanted]}")
    if wanted is not None and found != wanted:
        raise FeedError(f"the document is {_NAMES[found]}, not {_NAMES[wanted]}")
