"""What the portal says about current dangers: open crises and significant hazards, public
facts only (what, where, since when, how severe); never who is exposed or how many."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from kieubao.crisis import queries as crisis

# Orange and red hazards are news for everyone; lesser ones only where they happen.
WORLDWIDE_RANK = 3


@dataclass(frozen=True, slots=True)
class PublicAlert:
    kind: Literal["crisis", "hazard"]
    title: str
    countries: tuple[str, ...]
    since: datetime
    level: int  # 0 (none) to 4, the hazard scale of the crisis domain
    link: str | None  # a crisis: where people in the area say they are there


def current(session: Session, country: str | None = None, limit: int = 8) -> list[PublicAlert]:
    """Open crises first, then hazards by severity, newest first within each."""
    found = [
        PublicAlert(
            "crisis",
            c.title,
            tuple(c.countries),
            c.opened_at,
            c.hazard.level_rank if c.hazard else 4,
            f"/crises/{c.id}/here",
        )
        for c in crisis.crises(session)
        if country is None or country in c.countries
    ]
    for hazard in crisis.hazards(session, limit=200):
        rank = hazard.level_rank
        wanted = country in hazard.countries if country else rank >= WORLDWIDE_RANK
        if wanted and rank >= 1:
            found.append(
                PublicAlert(
                    "hazard", hazard.title, tuple(hazard.countries), hazard.occurred_at, rank, None
                )
            )
    crises = [a for a in found if a.kind == "crisis"]
    hazards = sorted(
        (a for a in found if a.kind == "hazard"), key=lambda a: (-a.level, -a.since.timestamp())
    )
    return (crises + hazards)[:limit]
