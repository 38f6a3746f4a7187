"""The life of a bulletin or case notice: drafted, sent for review, approved by a second
officer, published now or at a set time, and sent to its audience through the outbox."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.outreach import sending, workflow
from kieubao.outreach.bulletin_schemas import BulletinIn
from kieubao.outreach.models import Bulletin, BulletinKind, Status
from kieubao.outreach.sanitize import plain_text
from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow
from kieubao.platform.deps import scope_of
from kieubao.platform.errors import Forbidden, Invalid
from kieubao.platform.models import User
from kieubao.platform.text import fold
from kieubao.protection import queries as protection


def draft_bulletin(session: Session, *, acting_user: User, data: BulletinIn) -> Bulletin:
    """A bulletin for the countries the officer answers for (headquarters: any, or all)."""
    scope = scope_of(acting_user)
    if scope.countries is not None:
        if not data.countries:
            raise Forbidden("a mission writes to the countries it answers for: name them")
        outside = [c for c in data.countries if not scope.covers(c)]
        if outside:
            raise Forbidden(f"your mission does not answer for {', '.join(outside)}")
    if data.kind is BulletinKind.case_notice:
        assert data.case_number is not None  # the schema requires it for a case notice
        _check_case_notice(session, acting_user, data)
    bulletin = Bulletin(**data.model_dump(), author_id=acting_user.id, status=Status.draft)
    session.add(bulletin)
    session.flush()
    audit.record(
        session,
        acting_user,
        "bulletin.drafted",
        "bulletin",
        bulletin.id,
        after=data.model_dump(mode="json"),
    )
    commit(session)
    return bulletin


def _check_case_notice(session: Session, user: User, data: BulletinIn) -> None:
    """The case must exist for the officer, and no one it is about may be named."""
    case = protection.get_case(session, user, number=str(data.case_number))
    text = fold(" ".join((data.title_vi, data.title_en, plain_text(data.body_vi),
                          plain_text(data.body_en))))  # fmt: skip
    for subject in case.subjects:
        name = fold(subject.full_name)
        if name and name in text:
            raise Invalid("body", "a case notice must not name the people the case is about")


def submit_bulletin(session: Session, *, acting_user: User, bulletin: Bulletin) -> Bulletin:
    _may_edit(acting_user, bulletin)
    workflow.submit(bulletin)
    audit.record(session, acting_user, "bulletin.submitted", "bulletin", bulletin.id)
    commit(session)
    return bulletin


def approve_bulletin(session: Session, *, acting_user: User, bulletin: Bulletin) -> Bulletin:
    """A second officer at headquarters checks it; its author may not."""
    workflow.approve(acting_user, bulletin, noun="bulletin", what="approve a bulletin")
    audit.record(session, acting_user, "bulletin.approved", "bulletin", bulletin.id)
    commit(session)
    return bulletin


def publish_bulletin(
    session: Session, *, acting_user: User, bulletin: Bulletin, send_at: datetime | None = None
) -> Bulletin:
    """On the portal and to its audience now, or at ``send_at`` (the scheduler's job)."""
    workflow.headquarters(acting_user, "publish a bulletin")
    workflow.expect(bulletin, Status.approved, "only an approved bulletin can be published")
    bulletin.publisher_id = acting_user.id
    if send_at is not None and send_at > utcnow():
        bulletin.send_at = send_at
        audit.record(
            session,
            acting_user,
            "bulletin.scheduled",
            "bulletin",
            bulletin.id,
            after={"send_at": send_at.isoformat()},
        )
        commit(session)
        return bulletin
    bulletin.send_at = None
    _go_out(session, acting_user, bulletin)
    commit(session)
    return bulletin


def send_due(session: Session, *, acting_user: Actor) -> list[Bulletin]:
    """Publish the scheduled bulletins whose time has come; each once, however often run."""
    due = list(
        session.scalars(
            select(Bulletin)
            .where(
                Bulletin.status == Status.approved,
                Bulletin.publisher_id.is_not(None),
                Bulletin.send_at <= utcnow(),
            )
            .order_by(Bulletin.send_at, Bulletin.id)
            .with_for_update(skip_locked=True)
        )
    )
    for bulletin in due:
        _go_out(session, acting_user, bulletin)
    commit(session)
    return due


def _go_out(session: Session, actor: Actor, bulletin: Bulletin) -> None:
    bulletin.status = Status.published
    bulletin.published_at = utcnow()
    bulletin.send_key = sending.bulletin_send_key(bulletin)
    queued = sending.send_bulletin(session, bulletin)
    audit.record(
        session,
        actor,
        "bulletin.published",
        "bulletin",
        bulletin.id,
        after={"send_key": bulletin.send_key, "messages": queued},
    )


def _may_edit(user: User, bulletin: Bulletin) -> None:
    scope = scope_of(user)
    if scope.countries is None:
        return
    if not bulletin.countries or not all(scope.covers(c) for c in bulletin.countries):
        raise Forbidden("your mission does not answer for this bulletin's countries")
