"""Birth dates as people write them: full, month and year, or only the year."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from kieubao.platform.i18n import gettext as _


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
# Day first, as Vietnamese documents and most spreadsheets abroad write it.
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")


def parse_birth_date(
    value: str | date | datetime | None, *, today: date | None = None
) -> PartialDate | None:
    """Parse a birth date; raise ValueError saying what is wrong with an impossible one."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return _checked(value.year, value.month, value.day, today)
    text = value.strip()
    if not text:
        return None
    if m := _ISO.match(text):
        year, month, day = int(m[1]), m[2], m[3]
        return _checked(year, int(month) if month else None, int(day) if day else None, today)
    if m := _DMY.match(text):
        return _checked(int(m[3]), int(m[2]), int(m[1]), today)
    if m := _MY.match(text):
        return _checked(int(m[2]), int(m[1]), None, today)
    raise ValueError(
        _("'{text}' is not a date (write DD/MM/YYYY, YYYY-MM-DD, MM/YYYY or YYYY)").format(
            text=text
        )
    )


def _checked(year: int, month: int | None, day: int | None, today: date | None) -> PartialDate:
    today = today or date.today()  # noqa: DTZ011 - a birth date is a calendar date, not an instant
    if not 1900 <= year <= today.year:
        raise ValueError(_("year {year} is not a plausible birth year").format(year=year))
    if month is not None and not 1 <= month <= 12:
        raise ValueError(_("month {month} does not exist").format(month=month))
    if day is not None and month is not None:
        try:
            born = date(year, month, day)
        except ValueError:
            raise ValueError(
                _("{date} does not exist").format(date=f"{day:02d}/{month:02d}/{year}")
            ) from None
        if born > today:
            raise ValueError(_("a birth date cannot be in the future"))
    return PartialDate(year, month, day)
