"""Agencies, joint programs and their tasks, as HQ sets them up and agencies work them."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.coordination import queries
from kieubao.coordination.models import (
    Agency,
    AgencyMember,
    Article,
    Delegation,
    Goal,
    Program,
    Task,
    TaskStatus,
    TaskSupporter,
)
from kieubao.coordination.schemas import AgencyIn, MemberIn, ProgramIn, TaskIn, TaskUpdate
from kieubao.platform import audit
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Conflict, Forbidden, Invalid, NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import Role, User


def save_agency(session: Session, *, acting_user: audit.Actor, data: AgencyIn) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == data.code)) or Agency()
    before = {"name_vi": agency.name_vi, "name_en": agency.name_en} if agency.id else None
    for name, value in data.model_dump().items():
        setattr(agency, name, value)
    session.add(agency)
    session.flush()
    audit.record(
        session, acting_user, "agency.saved", "agency", agency.id, before=before,
        after=data.model_dump(),
    )  # fmt: skip
    commit(session)
    return agency


def link_member(session: Session, *, acting_user: audit.Actor, data: MemberIn) -> AgencyMember:
    """A partner-agency (or HQ) account is tied to the agency it works for."""
    user = session.get(User, data.user_id)
    if user is None:
        raise NotFound(_("user"))
    if user.role not in (Role.partner_agency, Role.hq_officer, Role.admin):
        raise Invalid("user_id", _("only partner-agency and HQ accounts belong to an agency"))
    agency = queries.get_agency(session, data.agency)
    member = session.get(AgencyMember, user.id) or AgencyMember(user_id=user.id)
    member.agency_id = agency.id
    session.add(member)
    session.flush()
    audit.record(
        session, acting_user, "agency.member_linked", "user", user.id,
        after={"agency": agency.code},
    )  # fmt: skip
    commit(session)
    return member


def create_program(session: Session, *, acting_user: audit.Actor, data: ProgramIn) -> Program:
    agencies = [queries.get_agency(session, code) for code in data.agencies]
    program = Program(
        title=data.title,
        signed_on=data.signed_on,
        ends_on=data.ends_on,
        agency_ids=[a.id for a in agencies],
        articles=[Article(number=a.number, title=a.title) for a in data.articles],
    )
    session.add(program)
    session.flush()
    audit.record(
        session, acting_user, "program.created", "program", program.id,
        after=data.model_dump(mode="json"),
    )  # fmt: skip
    commit(session)
    return program


def _check_parent(session: Session, data: TaskIn) -> None:
    for field, model in (
        ("article_id", Article),
        ("goal_id", Goal),
        ("delegation_id", Delegation),
    ):
        key = getattr(data, field)
        if key is not None and session.get(model, key) is None:
            raise Invalid(field, _("no such {what}").format(what=field.removesuffix("_id")))


def create_task(session: Session, *, acting_user: User, data: TaskIn) -> Task:
    if acting_user.role not in queries.programs_editors():
        raise Forbidden(_("only headquarters set tasks"))
    _check_parent(session, data)
    lead = queries.get_agency(session, data.lead_agency)
    supporting = {queries.get_agency(session, code).id for code in data.supporting_agencies}
    supporting.discard(lead.id)
    task = Task(
        title=data.title,
        article_id=data.article_id,
        goal_id=data.goal_id,
        delegation_id=data.delegation_id,
        lead_agency_id=lead.id,
        owner=data.owner,
        deadline=data.deadline,
        supporters=[TaskSupporter(agency_id=a) for a in sorted(supporting)],
    )
    session.add(task)
    session.flush()
    audit.record(
        session, acting_user, "task.created", "task", task.id,
        after=data.model_dump(mode="json"),
    )  # fmt: skip
    commit(session)
    return task


def update_task(session: Session, *, acting_user: User, task: Task, data: TaskUpdate) -> Task:
    """The lead or a supporting agency moves the work on and files what shows it."""
    if not queries.may_update(session, acting_user, task):
        raise Forbidden(_("only the agencies of this task update it"))
    before = {"status": str(task.status), "owner": task.owner, "evidence": len(task.evidence)}
    if data.status is not None and data.status != task.status:
        if task.status in (TaskStatus.done, TaskStatus.cancelled):
            raise Conflict(_("this task is closed"))
        task.status = data.status
        task.done_on = utcnow().date() if data.status is TaskStatus.done else None
    if data.owner is not None:
        task.owner = data.owner
    if data.add_evidence:
        today = date.isoformat(utcnow().date())
        added = [
            {"title": e.title, "url": str(e.url) if e.url else "", "added_on": today}
            for e in data.add_evidence
        ]
        task.evidence = [*task.evidence, *added]
    after = {"status": str(task.status), "owner": task.owner, "evidence": len(task.evidence)}
    audit.record(session, acting_user, "task.updated", "task", task.id, before=before, after=after)
    commit(session)
    return task
