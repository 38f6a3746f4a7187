"""A closed crisis's roster and manifests are forgotten after the kept months."""

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.crisis import actions
from kieubao.crisis.models import Crisis, ManifestSeat, RosterChange, RosterEntry
from kieubao.domains import modules
from kieubao.platform.db import utcnow
from kieubao.platform.models import User
from kieubao.platform.retention import apply_rules
from tests.personas import SYSTEM

modules("retention")
OSAKA = {"circles": [{"lat": 34.69, "lon": 135.5, "radius_km": 60}], "polygons": []}


def _count(session: Session, model: Any, crisis: Crisis) -> int:
    query = select(func.count()).select_from(RosterEntry).where(RosterEntry.crisis_id == crisis.id)
    if model is RosterChange:
        query = (
            select(func.count())
            .select_from(RosterChange)
            .join(RosterEntry, RosterEntry.id == RosterChange.entry_id)
            .where(RosterEntry.crisis_id == crisis.id)
        )
    return int(session.scalar(query) or 0)


def test_rosters_of_crises_closed_long_ago_are_forgotten(
    session: Session, osaka_residents: list[Any], hq_officer: User
) -> None:
    old = actions.open_crisis(session, acting_user=hq_officer, title="Typhoon 2024", area=OSAKA)
    recent = actions.open_crisis(session, acting_user=hq_officer, title="Quake 2026", area=OSAKA)
    entry = session.scalars(select(RosterEntry).where(RosterEntry.crisis_id == old.id)).first()
    assert entry is not None
    actions.record_status(
        session, acting_user=hq_officer, entry=entry, status="injured", source="officer_call"
    )
    leg = actions.add_leg(
        session,
        acting_user=hq_officer,
        crisis=old,
        kind="bus",
        name="Osaka → Kansai",
        assembly_point="Namba",
        destination="Kansai airport",
        departs_at=utcnow() + timedelta(hours=6),
        capacity=10,
    )
    actions.fill_manifest(session, acting_user=hq_officer, leg=leg)
    for crisis, months in ((old, 25), (recent, 1)):
        actions.close_crisis(session, acting_user=hq_officer, crisis=crisis)
        crisis.closed_at = utcnow() - timedelta(days=31 * months)
    session.commit()
    assert session.scalar(select(func.count()).select_from(ManifestSeat)) == 1

    (outcome,) = [
        o
        for o in apply_rules(session, acting_user=SYSTEM, dry_run=False)
        if o.rule == "crisis.rosters"
    ]
    assert outcome.forgotten == 4
    assert _count(session, RosterEntry, old) == 0 and _count(session, RosterChange, old) == 0
    assert session.scalar(select(func.count()).select_from(ManifestSeat)) == 0
    assert _count(session, RosterEntry, recent) == 4
    assert session.get(Crisis, old.id) is not None  # the crisis itself, its title and area, stay
