"""Reads of the registry, always through the reader's scope."""

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from kieubao.platform import access, writer
from kieubao.platform.audit import AuditEntry
from kieubao.platform.deps import Scope, scope_of
from kieubao.platform.errors import NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import User
from kieubao.platform.text import fold
from kieubao.registry.actions.registration import passport_key, phone_key
from kieubao.registry.models import (
    Citizen,
    Consent,
    DuplicateSuspect,
    ImportJob,
    ImportRowError,
    Merge,
    MissionTransfer,
    Purpose,
    RecordStatus,
)

LIVE = (RecordStatus.active, RecordStatus.stale, RecordStatus.expired)


def _scoped(query: Select[Any], scope: Scope) -> Select[Any]:
    if scope.countries is not None:
        query = query.where(Citizen.country.in_(scope.countries))
    return query


def get_citizen(session: Session, citizen_id: int, scope: Scope) -> Citizen:
    citizen = session.get(Citizen, citizen_id)
    # Out of scope reads as absent: a mission officer does not learn who is registered elsewhere.
    if citizen is None or not scope.personal_data or not scope.covers(citizen.country):
        raise NotFound("citizen")
    return citizen


def read_citizen(session: Session, user: User, citizen_id: int) -> Citizen:
    """A citizen's record opened by staff, in their scope or under a break-glass grant; the
    read of its identity, status and address is logged before anything is shown."""
    # Read without the database's write lock: the log's insert joins the group writer's batch.
    writer.reading(session)
    grant = None
    try:
        citizen = get_citizen(session, citizen_id, scope_of(user))
    except NotFound:
        grant = access.active_grant(session, user, "citizen", citizen_id)
        found = session.get(Citizen, citizen_id) if grant is not None else None
        if found is None:
            raise
        citizen = found
    access.log_read(
        session,
        user,
        kind="citizen",
        record_id=citizen.id,
        fields="identity",
        citizens=[citizen.id],
        grant=grant,
    )
    return citizen


def _by_id(session: Session, reference: str) -> access.Target | None:
    if not reference.isdigit() or session.get(Citizen, int(reference)) is None:
        return None
    return access.Target("citizen", reference, f"/console/citizens/{int(reference)}")


access.register_kind("citizen", lambda: _("Citizen record, by its number"), _by_id)


def citizen_of(session: Session, user: User) -> Citizen | None:
    return session.scalar(select(Citizen).where(Citizen.user_id == user.id))


@dataclass(frozen=True)
class SearchPage:
    items: list[Citizen]
    total: int


def search(
    session: Session,
    scope: Scope,
    text: str = "",
    *,
    country: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> SearchPage:
    """Accent-insensitive: "nguyen van an", "Nguyễn Văn An" and "0901234567" all find people."""
    query = _scoped(select(Citizen).where(Citizen.status.in_(LIVE)), scope)
    if country:
        query = query.where(Citizen.country == country)
    if text := text.strip():
        digits = re.sub(r"\D", "", text)
        clauses = [Citizen.passport_index == passport_key(text)]
        if folded := fold(text):
            clauses.append(Citizen.name_folded.contains(folded, autoescape=True))
        if len(digits) >= 6:
            clauses.append(Citizen.phone_index.contains(phone_key(digits), autoescape=True))
        if "@" in text:
            clauses.append(Citizen.email == text.lower())
        query = query.where(or_(*clauses))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Citizen.name_folded, Citizen.id).offset(offset).limit(limit)
    )
    return SearchPage(list(rows), total)


@dataclass(frozen=True)
class Suspicion:
    suspect: DuplicateSuspect
    one: Citizen
    other: Citizen


def open_duplicates(session: Session, scope: Scope, limit: int = 100) -> list[Suspicion]:
    rows = session.scalars(
        select(DuplicateSuspect)
        .where(DuplicateSuspect.status == "open")
        .order_by(DuplicateSuspect.score.desc(), DuplicateSuspect.id)
        .limit(limit)
    )
    found = []
    for suspect in rows:
        one, other = (
            session.get(Citizen, suspect.citizen_id),
            session.get(Citizen, suspect.other_id),
        )
        if one is None or other is None or RecordStatus.merged in (one.status, other.status):
            continue
        if scope.covers(one.country) or scope.covers(other.country):
            found.append(Suspicion(suspect, one, other))
    return found


def get_suspicion(session: Session, suspect_id: int, scope: Scope) -> DuplicateSuspect:
    suspect = session.get(DuplicateSuspect, suspect_id)
    if suspect is None:
        raise NotFound("duplicate")
    get_citizen(session, suspect.citizen_id, scope)
    get_citizen(session, suspect.other_id, scope)
    return suspect


def get_merge(session: Session, merge_id: int, scope: Scope) -> Merge:
    merge = session.get(Merge, merge_id)
    if merge is None:
        raise NotFound("merge")
    get_citizen(session, merge.survivor_id, scope)
    return merge


def last_merge_of(session: Session, survivor_id: int) -> Merge | None:
    return session.scalar(
        select(Merge)
        .where(Merge.survivor_id == survivor_id, Merge.undone_at.is_(None))
        .order_by(Merge.id.desc())
    )


def transfers(session: Session, citizen: Citizen) -> list[MissionTransfer]:
    return list(
        session.scalars(
            select(MissionTransfer)
            .where(MissionTransfer.citizen_id == citizen.id)
            .order_by(MissionTransfer.at)
        )
    )


@dataclass(frozen=True)
class Figures:
    """Aggregates without personal data: what partner agencies may see."""

    total: int
    by_country: dict[str, int]
    by_stay_status: dict[str, int]
    by_status: dict[str, int]


def figures(session: Session, scope: Scope) -> Figures:
    base = select(Citizen).where(Citizen.status.in_(LIVE))
    if scope.countries is not None:
        base = base.where(Citizen.country.in_(scope.countries))
    sub = base.subquery()

    def count_by(column: str) -> dict[str, int]:
        col = sub.c[column]
        return {
            str(k): int(n)
            for k, n in session.execute(
                select(col, func.count()).group_by(col).order_by(func.count().desc())
            )
        }

    by_status = count_by("status")
    return Figures(sum(by_status.values()), count_by("country"), count_by("stay_status"), by_status)


def imports_for(session: Session, user: User, limit: int = 50) -> list[ImportJob]:
    """Headquarters see every import; a mission officer the ones they started."""
    query = select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)
    if scope_of(user).countries is not None:
        query = query.where(ImportJob.created_by_id == user.id)
    return list(session.scalars(query))


def get_import(session: Session, import_id: int, user: User) -> ImportJob:
    job = session.get(ImportJob, import_id)
    if job is None or (scope_of(user).countries is not None and job.created_by_id != user.id):
        raise NotFound("import")
    return job


def import_errors(session: Session, import_id: int) -> list[ImportRowError]:
    return list(
        session.scalars(
            select(ImportRowError)
            .where(ImportRowError.import_id == import_id)
            .order_by(ImportRowError.row_number, ImportRowError.column)
        )
    )


@dataclass(frozen=True, slots=True)
class Located:
    """Where a live citizen is, with what a crisis count needs and no more."""

    citizen_id: int
    latitude: float
    longitude: float
    country: str
    city: str | None
    stay_status: str
    crisis_consent: bool


def located(session: Session, ids: Collection[int] | None = None) -> Iterator[Located]:
    """Live citizens with a known place (all of them, or those of ``ids``), by id."""
    latest = (
        select(Consent.citizen_id, func.max(Consent.id).label("consent_id"))
        .where(Consent.purpose == Purpose.crisis_alerts)
        .group_by(Consent.citizen_id)
        .subquery()
    )
    query = (
        select(
            Citizen.id,
            Citizen.latitude,
            Citizen.longitude,
            Citizen.country,
            Citizen.city,
            Citizen.stay_status,
            Consent.granted,
        )
        .outerjoin(latest, latest.c.citizen_id == Citizen.id)
        .outerjoin(Consent, Consent.id == latest.c.consent_id)
        .where(
            Citizen.status.in_(LIVE),
            Citizen.latitude.is_not(None),
            Citizen.longitude.is_not(None),
        )
        .order_by(Citizen.id)
    )
    if ids is not None:
        query = query.where(Citizen.id.in_(ids))
    for row in session.execute(query.execution_options(yield_per=10_000)):
        citizen_id, latitude, longitude, country, city, stay_status, consent = row
        assert latitude is not None and longitude is not None  # filtered above
        yield Located(
            citizen_id, latitude, longitude, country, city, str(stay_status), bool(consent)
        )


def last_audit_seq(session: Session) -> int:
    """The audit chain's last entry number: where a reader of later changes starts."""
    return session.scalar(select(func.max(AuditEntry.seq))) or 0


def changed_citizens(session: Session, after: int) -> tuple[int, set[int]]:
    """Citizens written since audit entry ``after``, and the last entry's number.

    The audit chain is appended one writer at a time, so its numbers come in commit order:
    a reader that remembers the last number it saw misses no change.
    """
    last = last_audit_seq(session)
    targets = session.scalars(
        select(AuditEntry.target_id).where(
            AuditEntry.seq > after, AuditEntry.seq <= last, AuditEntry.target_type == "citizen"
        )
    )
    return max(after, last), {int(target) for target in targets}


def citizens_by_ids(session: Session, ids: Collection[int], scope: Scope) -> list[Citizen]:
    """The citizens of ``ids`` the reader may see, in id order."""
    query = _scoped(select(Citizen).where(Citizen.id.in_(ids)), scope).order_by(Citizen.id)
    return list(session.scalars(query))


def live_counts_by_place(
    session: Session, scope: Scope
) -> list[tuple[str, str | None, int, float, float]]:
    """(country, city, how many, mean latitude, mean longitude) of located live citizens:
    density without any one person's point."""
    query = _scoped(
        select(
            Citizen.country,
            Citizen.city,
            func.count(),
            func.avg(Citizen.latitude),
            func.avg(Citizen.longitude),
        ).where(Citizen.status.in_(LIVE), Citizen.latitude.is_not(None)),
        scope,
    ).group_by(Citizen.country, Citizen.city)
    return [
        (c, city, int(n), float(lat), float(lon)) for c, city, n, lat, lon in session.execute(query)
    ]


@dataclass(frozen=True, slots=True)
class Reachable:
    """How to write to a live citizen who agreed to one kind of message, and nothing else."""

    citizen_id: int
    email: str | None
    phone: str | None


def reachable(
    session: Session,
    *,
    purpose: Purpose,
    countries: Collection[str] = (),
    cities_folded: Collection[str] = (),
    stay_statuses: Collection[str] = (),
) -> Iterator[Reachable]:
    """Live citizens whose latest decision for ``purpose`` is yes, in the given countries,
    cities and stay statuses (an empty collection: any), with an email or a phone."""
    latest = (
        select(Consent.citizen_id, func.max(Consent.id).label("consent_id"))
        .where(Consent.purpose == purpose)
        .group_by(Consent.citizen_id)
        .subquery()
    )
    query = (
        select(Citizen.id, Citizen.email, Citizen.phones)
        .join(latest, latest.c.citizen_id == Citizen.id)
        .join(Consent, Consent.id == latest.c.consent_id)
        .where(Consent.granted.is_(True), Citizen.status.in_(LIVE))
        .order_by(Citizen.id)
    )
    if countries:
        query = query.where(Citizen.country.in_(list(countries)))
    if cities_folded:
        query = query.where(Citizen.city_folded.in_(list(cities_folded)))
    if stay_statuses:
        query = query.where(Citizen.stay_status.in_(list(stay_statuses)))
    for citizen_id, email, phones in session.execute(query.execution_options(yield_per=10_000)):
        phone = phones[0] if phones else None
        if email or phone:
            yield Reachable(citizen_id, email, phone)


def registrations_by_country(
    session: Session, *, start: date, end: date, countries: Collection[str] | None = None
) -> dict[str, tuple[int, int]]:
    """Per country: live records registered by ``end``, and those of them registered within
    the period. One aggregate query."""
    until = datetime.combine(end + timedelta(days=1), time(), UTC)
    since = datetime.combine(start, time(), UTC)
    new = func.sum(case((Citizen.created_at >= since, 1), else_=0))
    query = (
        select(Citizen.country, func.count(), new)
        .where(Citizen.status.in_(LIVE), Citizen.created_at < until)
        .group_by(Citizen.country)
    )
    if countries is not None:
        query = query.where(Citizen.country.in_(countries))
    return {c: (int(n), int(k or 0)) for c, n, k in session.execute(query)}
