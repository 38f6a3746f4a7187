"""Working delegations, policy advice notes and officer training."""

from typing import Any

from sqlalchemy.orm import Session

from kieubao.coordination import queries
from kieubao.coordination.models import Attendance, Course, Delegation, PolicyNote
from kieubao.coordination.schemas import (
    AttendanceIn,
    CourseIn,
    DelegationIn,
    OutcomeIn,
    PolicyNoteIn,
)
from kieubao.platform import audit
from kieubao.platform.db import commit
from kieubao.platform.errors import Conflict, Invalid, NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import OFFICER_ROLES, User

# What may follow what: a note is drafted, submitted, then accepted or rejected.
NOTE_STEPS = {"draft": {"submitted"}, "submitted": {"accepted", "rejected"}}
DELEGATION_STEPS = {"planned": {"approved"}, "approved": {"completed"}}


def _recorded(session: Session, actor: User, action: str, row: Any, after: dict[str, Any]) -> None:
    session.flush()
    audit.record(session, actor, action, row.__tablename__, row.id, after=after)
    commit(session)


def plan_delegation(session: Session, *, acting_user: User, data: DelegationIn) -> Delegation:
    members = [
        {"name": m.name, "agency": queries.get_agency(session, m.agency).code} for m in data.members
    ]
    delegation = Delegation(
        purpose=data.purpose,
        countries=data.countries,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        members=members,
        meetings=[m.model_dump(mode="json", by_alias=True) for m in data.meetings],
    )
    session.add(delegation)
    _recorded(session, acting_user, "delegation.planned", delegation, data.model_dump(mode="json"))
    return delegation


def approve_delegation(session: Session, *, acting_user: User, delegation: Delegation) -> None:
    _step(delegation.status, "approved", DELEGATION_STEPS)
    delegation.status, delegation.approved_by_id = "approved", acting_user.id
    _recorded(session, acting_user, "delegation.approved", delegation, {"status": "approved"})


def record_outcome(
    session: Session, *, acting_user: User, delegation: Delegation, data: OutcomeIn
) -> None:
    """After the trip: what came of it. Follow-up work is added as tasks of the delegation."""
    _step(delegation.status, "completed", DELEGATION_STEPS)
    delegation.status, delegation.outcome = "completed", data.outcome
    _recorded(session, acting_user, "delegation.completed", delegation, {"status": "completed"})


def write_note(session: Session, *, acting_user: User, data: PolicyNoteIn) -> PolicyNote:
    note = PolicyNote(
        title=data.title,
        proposal=data.proposal,
        evidence=[e.model_dump() for e in data.evidence],
        author_id=acting_user.id,
    )
    session.add(note)
    _recorded(session, acting_user, "policy_note.written", note, {"title": data.title})
    return note


def move_note(session: Session, *, acting_user: User, note: PolicyNote, status: str) -> None:
    _step(note.status, status, NOTE_STEPS)
    note.status = status
    _recorded(session, acting_user, "policy_note.moved", note, {"status": status})


def add_course(session: Session, *, acting_user: User, data: CourseIn) -> Course:
    course = Course(**data.model_dump())
    session.add(course)
    _recorded(session, acting_user, "course.added", course, data.model_dump(mode="json"))
    return course


def record_attendance(
    session: Session, *, acting_user: User, course: Course, data: AttendanceIn
) -> Attendance:
    """An officer took the course; with a certificate number, they passed it."""
    officer = session.get(User, data.user_id)
    if officer is None:
        raise NotFound(_("user"))
    if officer.role not in OFFICER_ROLES:
        raise Invalid("user_id", _("training is recorded for officers"))
    attendance = (
        session.query(Attendance).filter_by(course_id=course.id, user_id=officer.id).first()
    )
    attendance = attendance or Attendance(course_id=course.id, user_id=officer.id)
    attendance.certificate_no = data.certificate_no
    session.add(attendance)
    _recorded(
        session, acting_user, "course.attended", attendance,
        {"user_id": officer.id, "certified": bool(data.certificate_no)},
    )  # fmt: skip
    return attendance


def _step(current: str, wanted: str, steps: dict[str, set[str]]) -> None:
    if wanted not in steps.get(current, set()):
        raise Conflict(
            _("cannot go from {current} to {wanted}").format(current=current, wanted=wanted)
        )
