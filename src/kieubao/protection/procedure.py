"""Deadlines of a procedure's steps: hours, calendar days or working days from the intake."""

from datetime import datetime, timedelta

from kieubao.protection.models import DeadlineUnit

# Saturday and Sunday; the mission's public holidays are not counted yet.
WEEKEND = frozenset({5, 6})


def due(start: datetime, amount: int, unit: DeadlineUnit) -> datetime:
    if unit is DeadlineUnit.hours:
        return start + timedelta(hours=amount)
    if unit is DeadlineUnit.calendar_days:
        return start + timedelta(days=amount)
    moment, left = start, amount
    while left > 0:
        moment += timedelta(days=1)
        if moment.weekday() not in WEEKEND:
            left -= 1
    return moment
