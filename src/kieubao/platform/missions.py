"""Missions and jurisdiction: which embassy or consulate answers for a place."""

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit
from kieubao.platform.missions_data import MissionDirectory, load_mission_seed
from kieubao.platform.models import Jurisdiction, Mission


def directory(session: Session) -> MissionDirectory:
    rows = session.execute(
        select(Mission.code, Jurisdiction.country, Jurisdiction.cities)
        .join(Mission)
        .order_by(Mission.code)
    )
    return MissionDirectory.build((code, country, cities or []) for code, country, cities in rows)


def all_missions(session: Session) -> list[Mission]:
    return list(session.scalars(select(Mission).order_by(Mission.country, Mission.code)))


def answering_for(session: Session, country: str) -> list[tuple[Mission, Jurisdiction]]:
    """The missions with jurisdiction in a country, the one covering all of it first."""
    rows = session.execute(
        select(Mission, Jurisdiction)
        .join(Jurisdiction)
        .where(Jurisdiction.country == country)
        .options(selectinload(Mission.jurisdictions))
        .order_by(Mission.code)
    )
    return sorted(((m, j) for m, j in rows), key=lambda pair: bool(pair[1].cities))


def by_code(session: Session, code: str) -> Mission | None:
    return session.scalar(select(Mission).where(Mission.code == code))


def load_seed(session: Session, *, acting_user: Actor) -> int:
    """Create or refresh the missions from the bundled list; returns how many changed."""
    changed = 0
    for seed in load_mission_seed():
        mission = by_code(session, seed.code) or Mission(code=seed.code)
        before = _state(mission) if mission.id else None
        for field in (
            "kind",
            "name_vi",
            "name_en",
            "city",
            "country",
            "address",
            "phone",
            "email",
            "hotline",
            "latitude",
            "longitude",
        ):
            setattr(mission, field, getattr(seed, field))
        _set_jurisdiction(mission, seed.jurisdiction, seed.country, seed.city_jurisdiction)
        session.add(mission)
        session.flush()
        after = _state(mission)
        if before != after:
            audit.record(
                session,
                acting_user,
                "mission.seeded",
                "mission",
                mission.code,
                before=before,
                after=after,
            )
            changed += 1
    commit(session)
    return changed


def _set_jurisdiction(
    mission: Mission, countries: list[str], seat: str, cities: list[str] | None
) -> None:
    """A consulate's list of cities narrows its jurisdiction in the country where it sits."""
    existing = {j.country: j for j in mission.jurisdictions}
    wanted = {c: list(cities or []) if c == seat else [] for c in countries}
    for country, row in existing.items():
        if country not in wanted:
            mission.jurisdictions.remove(row)
    for country, narrowed in wanted.items():
        if country in existing:
            existing[country].cities = narrowed
        else:
            mission.jurisdictions.append(Jurisdiction(country=country, cities=narrowed))


def _state(mission: Mission) -> dict[str, object]:
    return {
        "name_en": mission.name_en,
        "kind": mission.kind,
        "country": mission.country,
        "jurisdiction": sorted((j.country, tuple(j.cities)) for j in mission.jurisdictions),
    }
