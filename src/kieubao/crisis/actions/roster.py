"""Crises and their rosters: who was in the area, and the latest word on each of them."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis import exposure
from kieubao.crisis.models import (
    NEEDS,
    ROSTER_STATUSES,
    STATUS_SOURCES,
    Crisis,
    Hazard,
    RosterChange,
    RosterEntry,
)
from kieubao.outreach.jobs import announce_crisis
from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.crypto import signed, unsigned
from kieubao.platform.db import commit, on_commit, utcnow
from kieubao.platform.errors import Conflict, Invalid, NotFound
from kieubao.platform.jobs import enqueue
from kieubao.platform.models import User
from kieubao.protection.actions.intake import open_case
from kieubao.protection.models import Channel, Severity
from kieubao.protection.schemas import CaseIn, ReporterIn, SubjectIn
from kieubao.registry.models import Citizen

REPLY_PURPOSE = "roster-reply"
# The reporter of a case an officer opens from a roster, when their account has no name.
OFFICER_NAME = "Cán bộ lãnh sự"
# Ids read from the exposure index per round while a roster is filled.
_PAGE = 5_000


def open_crisis(
    session: Session,
    *,
    acting_user: Actor,
    title: str,
    area: dict[str, Any] | None = None,
    hazard: Hazard | None = None,
    countries: Iterable[str] = (),
) -> Crisis:
    """Open a crisis over an area (a hazard's own, or one drawn by hand): everyone registered
    inside it is on the roster, unaccounted for until someone says otherwise."""
    area = area or (hazard.area if hazard else None)
    if not area or not (area.get("circles") or area.get("polygons")):
        raise Invalid("area", "a crisis needs an area: a hazard with a footprint, or a shape")
    now = utcnow()
    crisis = Crisis(
        title=title.strip()[:300] or (hazard.title if hazard else ""),
        hazard=hazard,
        area=area,
        countries=sorted(set(countries) or set(hazard.countries if hazard else [])),
        opened_by_id=acting_user.id if isinstance(acting_user, User) else None,
        opened_at=now,
    )
    session.add(crisis)
    session.flush()
    after_id, added = 0, 0
    while ids := exposure.ids_in_area(session, area, after_id=after_id, limit=_PAGE):
        added += put_on_roster(session, crisis, ids)
        after_id = ids[-1]
    # The countries of the people found count too: a quake in one country shakes its neighbours.
    crisis.countries = sorted(set(crisis.countries) | _roster_countries(session, crisis))
    audit.record(
        session,
        acting_user,
        "crisis.opened",
        "crisis",
        crisis.id,
        after={"title": crisis.title, "hazard_id": crisis.hazard_id, "roster": added},
    )
    on_commit(
        session,
        enqueue,
        announce_crisis,
        crisis_id=crisis.id,
        title=crisis.title,
        country_codes=list(crisis.countries),
    )
    commit(session)
    return crisis


def add_to_roster(
    session: Session, *, acting_user: Actor, crisis: Crisis, citizens: Iterable[Citizen]
) -> int:
    """Put people on the roster by hand (lists from host authorities, employers, schools);
    those already on it stay as they are. Returns how many were added."""
    require_open(crisis)
    added = put_on_roster(session, crisis, [c.id for c in citizens])
    audit.record(
        session, acting_user, "crisis.roster_added", "crisis", crisis.id, after={"added": added}
    )
    commit(session)
    return added


def put_on_roster(session: Session, crisis: Crisis, ids: list[int]) -> int:
    """Roster entries for those of ``ids`` not on it yet, without the commit."""
    present = set(
        session.scalars(
            select(RosterEntry.citizen_id).where(
                RosterEntry.crisis_id == crisis.id, RosterEntry.citizen_id.in_(ids)
            )
        )
    )
    rows = session.execute(
        select(Citizen.id, Citizen.country, Citizen.city).where(
            Citizen.id.in_([i for i in ids if i not in present])
        )
    )
    entries = [
        RosterEntry(crisis_id=crisis.id, citizen_id=i, country=country, city=city)
        for i, country, city in rows
    ]
    session.add_all(entries)
    session.flush()
    return len(entries)


def record_status(
    session: Session,
    *,
    acting_user: Actor,
    entry: RosterEntry,
    status: str,
    source: str,
    needs: Iterable[str] = (),
    by_relative: bool = False,
    note: str | None = None,
) -> RosterEntry:
    """The latest word on one person, kept with who said it and when."""
    note_status(session, acting_user, entry, status, source, needs, by_relative, note)
    commit(session)
    return entry


def bulk_status(
    session: Session,
    *,
    acting_user: Actor,
    crisis: Crisis,
    entry_ids: Iterable[int],
    status: str,
    source: str,
) -> int:
    """One status for many people at once (a host authority's list of the evacuated)."""
    entries = list(
        session.scalars(
            select(RosterEntry).where(
                RosterEntry.crisis_id == crisis.id, RosterEntry.id.in_(list(entry_ids))
            )
        )
    )
    for entry in entries:
        note_status(session, acting_user, entry, status, source, (), False, None)
    commit(session)
    return len(entries)


def note_status(
    session: Session,
    actor: Actor,
    entry: RosterEntry,
    status: str,
    source: str,
    needs: Iterable[str],
    by_relative: bool,
    note: str | None,
) -> None:
    """A status change with its history and audit entry, without the commit."""
    require_open(entry.crisis)
    if status not in ROSTER_STATUSES:
        raise Invalid("status", f"must be one of {', '.join(ROSTER_STATUSES)}")
    if source not in STATUS_SOURCES:
        raise Invalid("source", f"must be one of {', '.join(STATUS_SOURCES)}")
    wanted = sorted(set(needs))
    if unknown := [n for n in wanted if n not in NEEDS]:
        raise Invalid("needs", f"unknown needs: {', '.join(unknown)}")
    now = utcnow()
    before = {"status": entry.status, "needs": entry.needs}
    entry.status, entry.needs = status, wanted if status == "needs_help" else []
    entry.last_source, entry.last_heard_at = source, now
    session.add(
        RosterChange(
            entry_id=entry.id,
            status=status,
            needs=entry.needs,
            source=source,
            by_relative=by_relative,
            note=(note or "").strip()[:1000] or None,
            changed_by_id=actor.id if isinstance(actor, User) else None,
            changed_at=now,
        )
    )
    audit.record(
        session,
        actor,
        "roster.status",
        "roster_entry",
        entry.id,
        before=before,
        after={"status": status, "needs": entry.needs, "source": source},
    )


def reply_link_token(entry: RosterEntry) -> str:
    """The secret part of a person's one-click reply link, /r/<token>."""
    return signed(REPLY_PURPOSE, str(entry.id))


def entry_for_reply(session: Session, token: str) -> RosterEntry:
    value = unsigned(REPLY_PURPOSE, token)
    entry = session.get(RosterEntry, int(value)) if value and value.isdigit() else None
    if entry is None:
        raise NotFound("reply link")
    return entry


def close_crisis(session: Session, *, acting_user: Actor, crisis: Crisis) -> Crisis:
    require_open(crisis)
    crisis.status, crisis.closed_at = "closed", utcnow()
    audit.record(session, acting_user, "crisis.closed", "crisis", crisis.id)
    commit(session)
    return crisis


def _roster_countries(session: Session, crisis: Crisis) -> set[str]:
    return set(
        session.scalars(
            select(RosterEntry.country).where(RosterEntry.crisis_id == crisis.id).distinct()
        )
    )


def require_open(crisis: Crisis) -> None:
    if crisis.status != "open":
        raise Conflict("this crisis is closed: its roster is kept as it was")


def open_protection_case(
    session: Session, *, acting_user: User, entry: RosterEntry, citizen: Citizen
) -> str:
    """A person who needs help becomes a protection case of their mission, once: its number
    is kept on the roster entry and given back if asked again."""
    if entry.case_number:
        return entry.case_number
    if entry.status not in ("needs_help", "injured"):
        raise Conflict("only someone who needs help or is injured becomes a case from here")
    crisis = entry.crisis
    needs = ", ".join(entry.needs) or "-"
    report = CaseIn(
        case_type="disaster_affected",
        country=entry.country,
        city=entry.city,
        description=f"{crisis.title}: {entry.status} ({needs})",
        # The officer's own account: known already, not a stranger's input to check (and a
        # ministry's internal addresses need not pass a public mail provider's rules).
        reporter=ReporterIn.model_construct(
            name=acting_user.full_name.strip() or OFFICER_NAME,
            phone="",
            email=acting_user.email,
            relation="officer",
        ),
        subject=SubjectIn(
            full_name=citizen.full_name, date_of_birth=citizen.birth_date_text or None
        ),
    )
    intake = open_case(
        session,
        acting_user=acting_user,
        report=report,
        channel=Channel.officer,
        severity=Severity.life_at_risk
        if entry.status == "injured" or "medical" in entry.needs
        else None,
    )
    entry.case_number = intake.case.number
    audit.record(
        session,
        acting_user,
        "roster.case_opened",
        "roster_entry",
        entry.id,
        after={"case_number": entry.case_number},
    )
    commit(session)
    return entry.case_number
