"""Birth dates as people write them."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kieubao.platform.i18n import current_locale
from kieubao.registry.dates import PartialDate, parse_birth_date

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-05-17", PartialDate(1990, 5, 17)),
        ("17/05/1990", PartialDate(1990, 5, 17)),
        ("17.05.1990", PartialDate(1990, 5, 17)),
        ("05/1990", PartialDate(1990, 5)),
        ("1990-05", PartialDate(1990, 5)),
        ("1990", PartialDate(1990)),
        ("  ", None),
        (None, None),
    ],
)
def test_the_ways_dates_are_written(text: str | None, expected: PartialDate | None) -> None:
    assert parse_birth_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/1990", "31/02/1990 does not exist"),
        ("1990-13-01", "month 13 does not exist"),
        ("1850", "not a plausible birth year"),
        ("01/01/2027", "not a plausible birth year"),
        ("21/11/2026x", "is not a date"),
    ],
)
def test_impossible_dates_say_why(text: str, reason: str) -> None:
    token = current_locale.set("en")
    try:
        with pytest.raises(ValueError, match=reason):
            parse_birth_date(text, today=TODAY)
    finally:
        current_locale.reset(token)


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
def test_any_real_date_reads_back_in_both_orders(born: date) -> None:
    iso = parse_birth_date(born.isoformat(), today=TODAY)
    dmy = parse_birth_date(born.strftime("%d/%m/%Y"), today=TODAY)
    assert iso == dmy == PartialDate(born.year, born.month, born.day)
    assert str(iso) == born.isoformat()
