"""Vietnamese and English: Babel catalogs, the viewer's language, dates in their zone."""

import gettext as gettext_module
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
# Times are shown in Vietnam's zone: the one every mission and headquarters share.
HOME_ZONE = "Asia/Ho_Chi_Minh"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> gettext_module.NullTranslations:
    # Catalogs live beside the application package; English is the source language.
    localedir = str(files("kieubao") / "locale")
    return gettext_module.translation("messages", localedir, [locale], fallback=True)


def gettext(message: str) -> str:
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


def pick_locale(requested: str | None) -> str:
    return requested if requested in LOCALES else DEFAULT_LOCALE


@contextmanager
def speaking(locale: str | None) -> Iterator[str]:
    """Text and dates in ``locale`` (ours, or the default) for the block's duration."""
    chosen = pick_locale(locale)
    token = current_locale.set(chosen)
    try:
        yield chosen
    finally:
        current_locale.reset(token)


def accepted(header: str) -> str:
    """The first of our languages named in an Accept-Language header; English otherwise."""
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LOCALES:
            return tag
    return "en"


def in_home_zone(value: datetime) -> datetime:
    """A time typed in a form without a zone is read as the console shows times: Hanoi's."""
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(HOME_ZONE))


def format_local(value: datetime | None, zone: str = HOME_ZONE) -> str:
    if value is None:
        return ""
    return format_datetime(value.astimezone(ZoneInfo(zone)), "short", locale=current_locale.get())
