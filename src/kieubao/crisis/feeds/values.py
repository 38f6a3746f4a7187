"""Reading one value of an item strictly: a number, a coordinate, a date.

Each reader rejects the item (``ItemRejected``) with a sentence naming the value.
"""

import math
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from kieubao.crisis.feeds.errors import ItemRejected

# Python's float() also takes "nan", "inf" and "1_000": none of them is a coordinate.
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def shown(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def clean(text: str) -> str:
    """Text without lone surrogates, which JSON escapes can carry and no database stores."""
    return text.encode("utf-8", "replace").decode("utf-8")


def number(value: object, what: str) -> float:
    """A finite decimal from JSON (int or float, not bool) or text."""
    if isinstance(value, bool):
        raise ItemRejected(f"{what} is {value!r}, not a number")
    try:
        if isinstance(value, int | float):
            result = float(value)
        elif isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
            result = float(value.strip())
        else:
            raise ItemRejected(f"{what} is {shown(value)}, not a number")
    except OverflowError as exc:
        raise ItemRejected(f"{what} is too large a number") from exc
    if not math.isfinite(result):
        raise ItemRejected(f"{what} is {shown(value)}, not a finite number")
    return result


def latitude(value: object, what: str = "the latitude") -> float:
    lat = number(value, what)
    if not -90 <= lat <= 90:
        raise ItemRejected(f"{what} {lat:g} is outside -90..90")
    return lat


def longitude(value: object, what: str = "the longitude") -> float:
    lon = number(value, what)
    if not -180 <= lon <= 180:
        raise ItemRejected(f"{what} {lon:g} is outside -180..180")
    return lon


def _utc(moment: datetime) -> datetime:
    # RFC 822's "-0000" and a missing zone both mean the zone is unknown: read as UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def from_epoch_ms(value: object, what: str) -> datetime:
    ms = number(value, what)
    try:
        return datetime.fromtimestamp(ms / 1000, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ItemRejected(f"{what} {shown(value)} is not a time in milliseconds") from exc


def from_iso(text: str, what: str) -> datetime:
    try:
        return _utc(datetime.fromisoformat(text.strip()))
    except (ValueError, OverflowError) as exc:
        raise ItemRejected(f"{what} {shown(text)} is not an ISO 8601 date and time") from exc


def from_rfc822(text: str, what: str) -> datetime:
    try:
        return _utc(parsedate_to_datetime(text.strip()))
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        raise ItemRejected(f"{what} {shown(text)} is not an RFC 822 date") from exc


def from_any(text: str, what: str) -> datetime:
    """ISO 8601 (Atom, CAP) or RFC 822 (RSS): index feeds mix them."""
    try:
        return from_iso(text, what)
    except ItemRejected:
        return from_rfc822(text, what)
