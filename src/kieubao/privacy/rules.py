"""The legal deadlines, read from data/deadlines.toml (see its comment on how sure they are)."""

import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from kieubao.privacy.models import RequestKind

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Deadlines:
    hours: dict[RequestKind, int]
    reminders_hours_left: tuple[int, ...]
    breach_hours: int
    breach_alerts: tuple[int, ...]


@cache
def deadlines() -> Deadlines:
    raw = tomllib.loads((DATA / "deadlines.toml").read_text(encoding="utf-8"))
    return Deadlines(
        hours={RequestKind(k): int(v) for k, v in raw["deadline_hours"].items()},
        reminders_hours_left=tuple(sorted(raw["reminders_hours_left"], reverse=True)),
        breach_hours=int(raw["breach"]["notify_within_hours"]),
        breach_alerts=tuple(sorted(raw["breach"]["alert_at_hours"])),
    )


def due_at(kind: RequestKind, received_at: datetime) -> datetime:
    return received_at + timedelta(hours=deadlines().hours[kind])


def notify_by(discovered_at: datetime) -> datetime:
    return discovered_at + timedelta(hours=deadlines().breach_hours)
