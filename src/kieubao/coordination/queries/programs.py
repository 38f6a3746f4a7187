"""Programs, their tasks and which agency a user acts for."""

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from kieubao.coordination.models import (
    OPEN_TASK,
    Agency,
    AgencyMember,
    Article,
    Program,
    Task,
    TaskSupporter,
)
from kieubao.platform.db import utcnow
from kieubao.platform.errors import Forbidden, NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import Role, User

EDITORS = (Role.admin, Role.hq_officer)


def programs_editors() -> tuple[Role, ...]:
    """The roles that set up programs, tasks and resolutions."""
    return EDITORS


def get_agency(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise NotFound(_("agency {code}").format(code=code))
    return agency


def agency_of(session: Session, user: User) -> Agency | None:
    member = session.get(AgencyMember, user.id)
    return member.agency if member else None


def programs(session: Session) -> list[Program]:
    return list(session.scalars(select(Program).order_by(Program.signed_on.desc(), Program.id)))


def get_program(session: Session, program_id: int) -> Program:
    program = session.get(Program, program_id)
    if program is None:
        raise NotFound(_("program"))
    return program


def _of_agency(agency_id: int) -> ColumnElement[bool]:
    supported = select(TaskSupporter.task_id).where(TaskSupporter.agency_id == agency_id)
    return or_(Task.lead_agency_id == agency_id, Task.id.in_(supported))


def visible_tasks(session: Session, user: User) -> ColumnElement[bool]:
    """HQ sees every task; a partner-agency user the tasks their agency leads or supports."""
    if user.role in EDITORS or user.role is Role.mission_officer:
        return true()
    agency = agency_of(session, user)
    if agency is None:
        raise Forbidden(_("your account belongs to no agency"))
    return _of_agency(agency.id)


def tasks(
    session: Session,
    user: User,
    *,
    program_id: int | None = None,
    goal_id: int | None = None,
    overdue_only: bool = False,
) -> list[Task]:
    """Tasks by deadline, the reader's only; overdue ones are open past their deadline."""
    query = select(Task).where(visible_tasks(session, user)).order_by(Task.deadline, Task.id)
    if program_id is not None:
        query = query.join(Article).where(Article.program_id == program_id)
    if goal_id is not None:
        query = query.where(Task.goal_id == goal_id)
    if overdue_only:
        query = query.where(Task.status.in_(OPEN_TASK), Task.deadline < utcnow().date())
    return list(session.scalars(query))


def get_task(session: Session, user: User, task_id: int) -> Task:
    # Another agency's task is "not found": its existence is not the reader's business.
    task = session.scalar(select(Task).where(Task.id == task_id, visible_tasks(session, user)))
    if task is None:
        raise NotFound(_("task"))
    return task


def may_update(session: Session, user: User, task: Task) -> bool:
    """HQ updates any task; an agency the tasks it leads or supports; missions only read."""
    if user.role in EDITORS:
        return True
    agency = agency_of(session, user)
    return agency is not None and (
        agency.id == task.lead_agency_id or agency.id in task.supporting_agency_ids
    )
