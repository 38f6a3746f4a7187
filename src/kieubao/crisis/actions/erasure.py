"""An erased citizen on the crisis rosters. Their entries keep their status, so a crisis's
figures (how many safe, how many evacuated) stay true; what anyone wrote about them, their
travel documents on manifests and the self reports not yet processed that name them go."""

from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kieubao.crisis.models import ManifestSeat, RosterChange, RosterEntry, SelfReport
from kieubao.platform import audit
from kieubao.platform.audit import Actor


def forget_person(
    session: Session, *, acting_user: Actor, citizen_id: int, addresses: Collection[str]
) -> int:
    """The roster entries touched. The caller commits (one erasure, one transaction)."""
    entries = list(
        session.scalars(select(RosterEntry.id).where(RosterEntry.citizen_id == citizen_id))
    )
    if entries:
        session.execute(
            update(RosterChange).where(RosterChange.entry_id.in_(entries)).values(note=None)
        )
        session.execute(
            update(ManifestSeat)
            .where(ManifestSeat.entry_id.in_(entries))
            .values(document_no=None, document_kind=None)
        )
    known = {a for a in addresses if a}
    # A processed report keeps only a count; one still waiting holds what was typed.
    for report in session.scalars(select(SelfReport).where(SelfReport.processed_at.is_(None))):
        if known & {report.payload.get("phone"), report.payload.get("email")}:
            report.payload = {"people": len(report.payload.get("people", []))}
    for report in session.scalars(select(SelfReport).where(SelfReport.processed_at.is_not(None))):
        if citizen_id in report.citizen_ids:
            report.citizen_ids = [i for i in report.citizen_ids if i != citizen_id]
    audit.record(
        session,
        acting_user,
        "roster.person_forgotten",
        "citizen",
        citizen_id,
        after={"entries": len(entries)},
    )
    return len(entries)
