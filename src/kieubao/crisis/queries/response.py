"""Reads of crisis response: rosters and their call lists, safety checks, evacuation legs
and manifests, contingency plans."""

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from kieubao.crisis.models import (
    ROSTER_STATUSES,
    ContingencyPlan,
    Crisis,
    EvacuationLeg,
    ManifestSeat,
    RosterEntry,
    SafetyCheck,
)
from kieubao.platform import access
from kieubao.platform.db import utcnow
from kieubao.platform.deps import Scope
from kieubao.platform.errors import NotFound
from kieubao.platform.models import User
from kieubao.platform.outbox_models import OutboxMessage, OutboxSend
from kieubao.platform.text import fold
from kieubao.registry.models import Citizen


def crises(session: Session, *, open_only: bool = True) -> list[Crisis]:
    query = select(Crisis).order_by(Crisis.opened_at.desc())
    if open_only:
        query = query.where(Crisis.status == "open")
    return list(session.scalars(query))


def get_crisis(session: Session, crisis_id: int) -> Crisis:
    crisis = session.get(Crisis, crisis_id)
    if crisis is None:
        raise NotFound("crisis")
    return crisis


@dataclass(frozen=True, slots=True)
class RosterCounts:
    total: int
    by_status: dict[str, int]
    by_city: dict[str, dict[str, int]]  # "JP/Osaka" -> status -> how many


def roster_counts(session: Session, crisis: Crisis, scope: Scope) -> RosterCounts:
    """How many are safe, unaccounted for and so on, in all and by city: figures every
    role may see, within the countries it answers for."""
    query = select(RosterEntry.country, RosterEntry.city, RosterEntry.status, func.count()).where(
        RosterEntry.crisis_id == crisis.id
    )
    if scope.countries is not None:
        query = query.where(RosterEntry.country.in_(scope.countries))
    by_status: Counter[str] = Counter()
    by_city: dict[str, Counter[str]] = {}
    for country, city, status, n in session.execute(
        query.group_by(RosterEntry.country, RosterEntry.city, RosterEntry.status)
    ):
        by_status[status] += n
        by_city.setdefault(f"{country}/{city or '—'}", Counter())[status] += n
    return RosterCounts(
        total=sum(by_status.values()),
        by_status={s: by_status[s] for s in ROSTER_STATUSES if by_status[s]},
        by_city={k: dict(v) for k, v in sorted(by_city.items(), key=lambda kv: -kv[1].total())},
    )


@dataclass(frozen=True)
class RosterPlace:
    country: str
    city: str | None
    latitude: float
    longitude: float
    by_status: dict[str, int]


def roster_places(session: Session, crisis: Crisis, scope: Scope) -> list[RosterPlace]:
    """The roster on a map: counts by status per city, placed at the mean of its located
    people (never one person's point)."""
    query = (
        select(
            RosterEntry.country,
            RosterEntry.city,
            RosterEntry.status,
            func.count(),
            func.avg(Citizen.latitude),
            func.avg(Citizen.longitude),
        )
        .join(Citizen, Citizen.id == RosterEntry.citizen_id)
        .where(RosterEntry.crisis_id == crisis.id, Citizen.latitude.is_not(None))
        .group_by(RosterEntry.country, RosterEntry.city, RosterEntry.status)
    )
    if scope.countries is not None:
        query = query.where(RosterEntry.country.in_(scope.countries))
    places: dict[tuple[str, str | None], tuple[list[tuple[float, float, int]], dict[str, int]]] = {}
    for country, city, status, n, lat, lon in session.execute(query):
        points, counts = places.setdefault((country, city), ([], {}))
        points.append((float(lat), float(lon), int(n)))
        counts[status] = int(n)
    return [
        RosterPlace(
            country,
            city,
            sum(lat * n for lat, _lon, n in points) / sum(n for *_, n in points),
            sum(lon * n for _lat, lon, n in points) / sum(n for *_, n in points),
            counts,
        )
        for (country, city), (points, counts) in places.items()
    ]


def roster(
    session: Session,
    crisis: Crisis,
    scope: Scope,
    *,
    status: str | None = None,
    after_id: int = 0,
    limit: int = 50,
) -> list[tuple[RosterEntry, Citizen]]:
    """The people on a roster an officer answers for, in id order, a page at a time."""
    if not scope.personal_data:
        return []
    query = (
        select(RosterEntry, Citizen)
        .join(Citizen, Citizen.id == RosterEntry.citizen_id)
        .where(RosterEntry.crisis_id == crisis.id, RosterEntry.id > after_id)
        .order_by(RosterEntry.id)
        .limit(limit)
    )
    if status:
        query = query.where(RosterEntry.status == status)
    if scope.countries is not None:
        query = query.where(RosterEntry.country.in_(scope.countries))
    return [(entry, citizen) for entry, citizen in session.execute(query)]


def log_roster_read(
    session: Session, user: User, crisis_id: int, rows: Collection[tuple[RosterEntry, Citizen]]
) -> None:
    """Staff were shown these people's status and needs: each of them can see it."""
    if rows:
        access.log_read(
            session,
            user,
            kind="roster",
            record_id=crisis_id,
            fields="needs",
            citizens=[citizen.id for _entry, citizen in rows],
        )


def call_list(
    session: Session, crisis: Crisis, scope: Scope, *, limit: int = 100
) -> list[tuple[RosterEntry, Citizen]]:
    """Whom to ring first: the injured and those asking for help, then the unaccounted for,
    children and the elderly before other adults, the longest unheard first."""
    if not scope.personal_data:
        return []
    urgent = case(
        (RosterEntry.status == "injured", 0),
        (RosterEntry.status == "needs_help", 1),
        else_=2,
    )
    this_year = utcnow().year
    vulnerable = case(
        (Citizen.birth_year.is_(None), 1),
        (Citizen.birth_year >= this_year - 16, 0),
        (Citizen.birth_year <= this_year - 65, 0),
        else_=1,
    )
    query = (
        select(RosterEntry, Citizen)
        .join(Citizen, Citizen.id == RosterEntry.citizen_id)
        .where(
            RosterEntry.crisis_id == crisis.id,
            RosterEntry.status.in_(("injured", "needs_help", "unaccounted")),
        )
        .order_by(urgent, vulnerable, RosterEntry.last_heard_at.is_not(None), RosterEntry.id)
        .limit(limit)
    )
    if scope.countries is not None:
        query = query.where(RosterEntry.country.in_(scope.countries))
    return [(entry, citizen) for entry, citizen in session.execute(query)]


def roster_entry(
    session: Session, crisis_id: int, entry_id: int, scope: Scope
) -> tuple[RosterEntry, Citizen]:
    """One person on a roster, if the reader answers for them; absent otherwise."""
    found = session.execute(
        select(RosterEntry, Citizen)
        .join(Citizen, Citizen.id == RosterEntry.citizen_id)
        .where(RosterEntry.id == entry_id, RosterEntry.crisis_id == crisis_id)
    ).first()
    if found is None or not scope.personal_data or not scope.covers(found[0].country):
        raise NotFound("roster entry")
    return found[0], found[1]


def legs(session: Session, crisis: Crisis) -> list[EvacuationLeg]:
    return list(
        session.scalars(
            select(EvacuationLeg)
            .where(EvacuationLeg.crisis_id == crisis.id)
            .order_by(EvacuationLeg.departs_at)
        )
    )


def get_leg(session: Session, leg_id: int, scope: Scope) -> EvacuationLeg:
    """A leg, for officers who answer for the crisis's countries (HQ: all)."""
    leg = session.get(EvacuationLeg, leg_id)
    crisis = session.get(Crisis, leg.crisis_id) if leg else None
    if leg is None or crisis is None or not scope.personal_data:
        raise NotFound("evacuation leg")
    if scope.countries is not None and not set(crisis.countries) & scope.countries:
        raise NotFound("evacuation leg")
    return leg


@dataclass(frozen=True, slots=True)
class ManifestLine:
    """One passenger as an airline's manifest asks: the name as in the passport (capitals,
    no diacritics), date of birth, sex, nationality and document."""

    seat: ManifestSeat
    citizen: Citizen
    passport_name: str
    date_of_birth: str
    sex: str
    nationality: str
    document_kind: str
    document_no: str


def manifest(session: Session, leg: EvacuationLeg) -> list[ManifestLine]:
    lines = []
    for seat in leg.seats:
        citizen = session.get(Citizen, seat.entry.citizen_id)
        assert citizen is not None  # roster entries point at citizens (foreign key)
        lines.append(
            ManifestLine(
                seat=seat,
                citizen=citizen,
                passport_name=fold(citizen.full_name).upper(),
                date_of_birth=citizen.birth_date_text,
                sex={"male": "M", "female": "F"}.get(str(citizen.sex), "X"),
                nationality="VNM",
                document_kind=seat.document_kind or "",
                document_no=seat.document_no or "",
            )
        )
    return lines


def plans_for(session: Session, countries: Collection[str]) -> list[ContingencyPlan]:
    return list(
        session.scalars(
            select(ContingencyPlan)
            .where(ContingencyPlan.country.in_(list(countries)))
            .order_by(ContingencyPlan.country)
        )
    )


def plan_of(session: Session, country: str) -> ContingencyPlan | None:
    return session.scalar(select(ContingencyPlan).where(ContingencyPlan.country == country))


@dataclass(frozen=True, slots=True)
class SafetyCheckProgress:
    check: SafetyCheck
    by_status: dict[str, int]  # the outbox's: queued, sending, sent, delivered, failed...
    replied: int


def safety_checks(session: Session, crisis: Crisis) -> list[SafetyCheckProgress]:
    """Each round sent to a roster: its messages by delivery status, and the replies since."""
    found = []
    for check in session.scalars(
        select(SafetyCheck).where(SafetyCheck.crisis_id == crisis.id).order_by(SafetyCheck.round)
    ):
        counts = session.execute(
            select(OutboxMessage.status, func.count())
            .join(OutboxSend, OutboxSend.id == OutboxMessage.send_id)
            .where(OutboxSend.key == check.send_key)
            .group_by(OutboxMessage.status)
        )
        replied = session.scalar(
            select(func.count()).where(
                RosterEntry.crisis_id == crisis.id,
                RosterEntry.last_heard_at >= check.sent_at,
                RosterEntry.last_source.in_(("citizen_reply", "relative")),
            )
        )
        found.append(SafetyCheckProgress(check, {str(s): n for s, n in counts}, replied or 0))
    return found
