"""Reads of the privacy domain, each within what the reader may see."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import retention
from kieubao.platform.db import utcnow
from kieubao.platform.deps import scope_of
from kieubao.platform.errors import NotFound
from kieubao.platform.models import Role, User
from kieubao.privacy import rules
from kieubao.privacy.models import (
    OPEN_STATUSES,
    Breach,
    PrivacyNotice,
    ProcessingActivity,
    SubjectRequest,
)
from kieubao.registry import queries as registry


def hours_left(due: datetime, now: datetime | None = None) -> float:
    return round((due - (now or utcnow())).total_seconds() / 3600, 1)


def requests(session: Session, user: User, *, open_only: bool = False) -> list[SubjectRequest]:
    """HQ sees every request, a mission those of its countries, a citizen their own."""
    query = select(SubjectRequest).order_by(SubjectRequest.due_at)
    if open_only:
        query = query.where(SubjectRequest.status.in_(OPEN_STATUSES))
    if user.role is Role.citizen:
        record = registry.citizen_of(session, user)
        if record is None:
            return []
        query = query.where(SubjectRequest.citizen_id == record.id)
    else:
        scope = scope_of(user)
        if not scope.personal_data:
            return []
        if scope.countries is not None:
            query = query.where(SubjectRequest.country.in_(sorted(scope.countries)))
    return list(session.scalars(query))


def get_request(session: Session, user: User, request_id: int) -> SubjectRequest:
    request = session.get(SubjectRequest, request_id)
    if request is None or not _may_see(session, user, request):
        raise NotFound("request")
    return request


def _may_see(session: Session, user: User, request: SubjectRequest) -> bool:
    if user.role is Role.citizen:
        record = registry.citizen_of(session, user)
        return record is not None and record.id == request.citizen_id
    scope = scope_of(user)
    return scope.personal_data and scope.covers(request.country)


def officers_for(session: Session, request: SubjectRequest) -> list[User]:
    """Who a request may be assigned to: HQ, and the officers of missions that cover it."""
    found = session.scalars(
        select(User)
        .where(User.is_active, User.role.in_([Role.admin, Role.hq_officer, Role.mission_officer]))
        .order_by(User.email)
    )
    return [u for u in found if scope_of(u).covers(request.country)]


def breaches(session: Session) -> list[Breach]:
    return list(session.scalars(select(Breach).order_by(Breach.discovered_at.desc())))


def get_breach(session: Session, breach_id: int) -> Breach:
    breach = session.get(Breach, breach_id)
    if breach is None:
        raise NotFound("breach")
    return breach


def breach_hours_left(breach: Breach, now: datetime | None = None) -> float | None:
    """None once the authority was told: the clock has stopped."""
    if breach.authority_notified_at is not None:
        return None
    return hours_left(rules.notify_by(breach.discovered_at), now)


def activities(session: Session) -> list[ProcessingActivity]:
    return list(session.scalars(select(ProcessingActivity).order_by(ProcessingActivity.id)))


def get_activity(session: Session, code: str) -> ProcessingActivity:
    found = session.scalar(select(ProcessingActivity).where(ProcessingActivity.code == code))
    if found is None:
        raise NotFound("processing activity")
    return found


@dataclass(frozen=True)
class RetentionLine:
    name: str
    description: str
    configured: bool


def retention_of(activity: ProcessingActivity) -> list[RetentionLine]:
    """The activity's rules as the platform has them now; a name it no longer knows shows."""
    known = {r.name: r for r in retention.rules()}
    return [
        RetentionLine(n, known[n].description if n in known else "", n in known)
        for n in activity.retention_rules
    ]


def unrecorded_rules(session: Session) -> list[str]:
    """Retention rules that no activity names: the record has drifted from the platform."""
    named = {n for a in activities(session) for n in a.retention_rules}
    return sorted(r.name for r in retention.rules() if r.name not in named)


def notices_for(session: Session, user: User, limit: int = 20) -> list[PrivacyNotice]:
    return list(
        session.scalars(
            select(PrivacyNotice)
            .where(PrivacyNotice.user_id == user.id)
            .order_by(PrivacyNotice.id.desc())
            .limit(limit)
        )
    )
