"""Delegations, policy notes, and who at which mission is trained for what."""

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.coordination.models import Attendance, Course, Delegation, PolicyNote, Review
from kieubao.coordination.schemas import TrainedOut
from kieubao.platform.errors import NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import User

T = TypeVar("T")


def _get(session: Session, model: type[T], key: int, what: str) -> T:
    row = session.get(model, key)
    if row is None:
        raise NotFound(what)
    return row


def get_delegation(session: Session, delegation_id: int) -> Delegation:
    return _get(session, Delegation, delegation_id, _("delegation"))


def get_note(session: Session, note_id: int) -> PolicyNote:
    return _get(session, PolicyNote, note_id, _("policy note"))


def get_course(session: Session, course_id: int) -> Course:
    return _get(session, Course, course_id, _("course"))


def get_review(session: Session, review_id: int) -> Review:
    return _get(session, Review, review_id, _("review"))


def delegations(session: Session) -> list[Delegation]:
    return list(session.scalars(select(Delegation).order_by(Delegation.starts_on.desc())))


def notes(session: Session) -> list[PolicyNote]:
    return list(session.scalars(select(PolicyNote).order_by(PolicyNote.id.desc())))


def reviews(session: Session) -> list[Review]:
    return list(session.scalars(select(Review).order_by(Review.id.desc())))


def trained(session: Session, *, topic: str | None = None) -> list[TrainedOut]:
    query = (
        select(Attendance, Course, User)
        .join(Course, Course.id == Attendance.course_id)
        .join(User, User.id == Attendance.user_id)
        .order_by(Course.topic, User.email)
    )
    if topic:
        query = query.where(Course.topic == topic)
    return [
        TrainedOut(
            mission=user.mission.code if user.mission else None,
            officer=user.full_name or user.email,
            topic=course.topic,
            course=course.title,
            certified=attendance.certificate_no is not None,
        )
        for attendance, course, user in session.execute(query)
    ]
