"""Data-subject requests: received (on the portal or by an officer), identity verified, in
progress, then done by the action that carries it out, or refused with a reason."""

from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Conflict, Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import Role, User
from kieubao.privacy import notices, rules
from kieubao.privacy.actions.erasure import erase_everywhere
from kieubao.privacy.models import OPEN_STATUSES, RequestKind, RequestStatus, SubjectRequest
from kieubao.privacy.schemas import RequestIn
from kieubao.registry import actions as registry
from kieubao.registry.models import Citizen, Purpose

# Where a request may go next; "done" only through carry_out, which does the work.
NEXT = {
    RequestStatus.received: {RequestStatus.verified, RequestStatus.refused},
    RequestStatus.verified: {RequestStatus.in_progress, RequestStatus.refused},
    RequestStatus.in_progress: {RequestStatus.refused},
    RequestStatus.done: set(),
    RequestStatus.refused: set(),
}


def _state(request: SubjectRequest) -> dict[str, object]:
    return {"status": request.status.value, "assignee": request.assignee_id}


def receive_request(
    session: Session, *, acting_user: User, citizen: Citizen, data: RequestIn
) -> SubjectRequest:
    """A citizen signed in on the portal is who they say they are; an officer recording a
    letter or a call says how they checked. An open request of the same kind is returned
    rather than doubled."""
    by_citizen = acting_user.role is Role.citizen
    if data.kind is RequestKind.consent_withdrawal and data.purpose is None:
        raise Invalid("purpose", _("say which consent is withdrawn"))
    if not by_citizen and data.channel == "portal":
        raise Invalid("channel", _("say how the request came: letter, phone, email or in person"))
    if not by_citizen and not data.identity_note:
        raise Invalid("identity_note", _("say how the requester's identity was checked"))
    same = session.scalar(
        select(SubjectRequest).where(
            SubjectRequest.citizen_id == citizen.id,
            SubjectRequest.kind == data.kind,
            SubjectRequest.status.in_(OPEN_STATUSES),
        )
    )
    if same is not None:
        return same
    now = utcnow()
    request = SubjectRequest(
        citizen_id=citizen.id,
        country=citizen.country,
        kind=data.kind,
        channel="portal" if by_citizen else data.channel,
        details=data.details,
        purpose=data.purpose,
        identity_note=_("signed in on the portal") if by_citizen else data.identity_note,
        received_at=now,
        due_at=rules.due_at(data.kind, now),
        status=RequestStatus.verified if by_citizen else RequestStatus.received,
        recorded_by_id=acting_user.id,
        reminded=[],
    )
    session.add(request)
    session.flush()
    audit.record(
        session, acting_user, "privacy.request_received", "privacy_request", request.id,
        after={"kind": data.kind.value, "channel": request.channel},
    )  # fmt: skip
    commit(session)
    return request


def assign_request(
    session: Session, *, acting_user: User, request: SubjectRequest, assignee: User
) -> SubjectRequest:
    if not assignee.is_officer or not assignee.is_active:
        raise Invalid("assignee", _("a request is assigned to an officer"))
    before = _state(request)
    request.assignee_id = assignee.id
    audit.record(
        session, acting_user, "privacy.request_assigned", "privacy_request", request.id,
        before=before, after=_state(request),
    )  # fmt: skip
    commit(session)
    return request


def move_request(
    session: Session,
    *,
    acting_user: User,
    request: SubjectRequest,
    status: RequestStatus,
    note: str = "",
    identity_note: str = "",
) -> SubjectRequest:
    if status not in NEXT[request.status]:
        raise Conflict(
            _("a request that is {now} cannot become {next}").format(
                now=request.status.value, next=status.value
            )
        )
    if status is RequestStatus.refused and not note.strip():
        raise Invalid("note", _("a refusal gives its reason"))
    if status is RequestStatus.verified and identity_note:
        request.identity_note = identity_note
    before = _state(request)
    request.status = status
    if status is RequestStatus.refused:
        request.outcome = note.strip()
        request.decided_at = utcnow()
    if request.assignee_id is None and status is RequestStatus.in_progress:
        request.assignee_id = acting_user.id
    audit.record(
        session, acting_user, "privacy.request_moved", "privacy_request", request.id,
        before=before, after=_state(request),
    )  # fmt: skip
    commit(session)
    return request


def carry_out(
    session: Session,
    *,
    acting_user: User,
    request: SubjectRequest,
    citizen: Citizen,
    note: str = "",
) -> SubjectRequest:
    """Do what was asked, and close the request in the same transaction: an erasure through
    every domain, a consent withdrawn in the registry (its history kept). A copy of the data
    is made on demand from the request's page and never stored; a correction, restriction or
    objection is done by the officer in the record, and the note says what was done."""
    if request.status is not RequestStatus.in_progress:
        raise Conflict(_("start work on the request before marking it done"))
    by_hand = (RequestKind.correction, RequestKind.restriction, RequestKind.objection)
    if request.kind in by_hand and not note.strip():
        raise Invalid("note", _("say what was done"))
    before = _state(request)
    if request.kind is RequestKind.erasure:
        erase_everywhere(session, acting_user=acting_user, citizen=citizen)
    elif request.kind is RequestKind.consent_withdrawal:
        registry.set_consent(
            session,
            acting_user=acting_user,
            citizen=citizen,
            purpose=Purpose(request.purpose or ""),
            granted=False,
            source="privacy_request",
        )
    request.status = RequestStatus.done
    request.outcome = note.strip()
    request.decided_at = utcnow()
    audit.record(
        session, acting_user, "privacy.request_done", "privacy_request", request.id,
        before=before, after=_state(request),
    )  # fmt: skip
    commit(session)
    return request


def remind_due(session: Session, *, acting_user: Actor, now: datetime | None = None) -> int:
    """Each open request reminds its assignee and HQ once at each mark of hours left (those
    shorter than its whole period), and is flagged once when overdue. Safe to run twice."""
    now = now or utcnow()
    sent = 0
    marks = rules.deadlines().reminders_hours_left
    open_requests = session.scalars(
        select(SubjectRequest)
        .where(SubjectRequest.status.in_(OPEN_STATUSES))
        .order_by(SubjectRequest.due_at)
    ).all()
    hq = notices.headquarters(session)
    for request in open_requests:
        left = (request.due_at - now).total_seconds() / 3600
        period = (request.due_at - request.received_at).total_seconds() / 3600
        assignee = [session.get(User, request.assignee_id)] if request.assignee_id else []
        users = [u for u in assignee if u is not None] + hq
        link = f"/console/privacy/requests/{request.id}"
        if left < 0:
            if request.overdue_at is None:
                request.overdue_at = now
                notices.notify(session, users, partial(_overdue, request.id), link)
                sent += 1
            continue
        due = [m for m in marks if left <= m < period and m not in request.reminded]
        if due:
            request.reminded = [*request.reminded, *due]
            notices.notify(session, users, partial(_near, request.id, round(left)), link)
            sent += 1
    commit(session)
    return sent


def _overdue(request_id: int) -> str:
    return _("Data-subject request {id} is overdue").format(id=request_id)


def _near(request_id: int, hours: int) -> str:
    return _("Data-subject request {id}: {hours} hours left before its legal deadline").format(
        id=request_id, hours=hours
    )
