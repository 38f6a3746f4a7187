"""What crisis response forgets: a closed crisis's roster, its changes and its evacuation
manifests (with travel document numbers), once the kept months have passed."""

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kieubao.crisis.models import Crisis, ManifestSeat, RosterEntry
from kieubao.platform.retention import Rule, limited, register
from kieubao.platform.settings import get_settings


def _closed_rosters(session: Session, now: datetime, limit: int | None) -> list[int]:
    before = now - timedelta(days=30.44 * get_settings().retention_rosters_months)
    query = (
        select(RosterEntry.id)
        .join(Crisis, Crisis.id == RosterEntry.crisis_id)
        .where(Crisis.status == "closed", Crisis.closed_at < before)
        .order_by(RosterEntry.id)
    )
    return limited(session, query, limit)


def _forget_entries(session: Session, ids: list[int]) -> None:
    session.execute(delete(ManifestSeat).where(ManifestSeat.entry_id.in_(ids)))
    # Their status changes go with them (ON DELETE CASCADE); the crisis, its legs and its
    # safety checks' figures stay.
    session.execute(delete(RosterEntry).where(RosterEntry.id.in_(ids)))


register(
    Rule(
        "crisis.rosters",
        "rosters and manifests of crises closed more than the kept months ago",
        _closed_rosters,
        _forget_entries,
    )
)
