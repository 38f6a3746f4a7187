"""Diaspora volunteers on crisis tasks: the task, who is asked to take it, how it goes.

Volunteers are read from the community directory through its queries only."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.community import queries as community
from kieubao.crisis.models import ASSIGNMENT_STATUSES, Crisis, CrisisTask, VolunteerAssignment
from kieubao.platform import audit
from kieubao.platform.db import commit
from kieubao.platform.errors import Conflict, Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import User


def add_task(
    session: Session,
    *,
    acting_user: User,
    crisis: Crisis,
    title: str,
    skill: str,
    city: str | None = None,
) -> CrisisTask:
    title = " ".join(title.split())
    if not title or len(title) > 300:
        raise Invalid("title", _("say what the task is, in at most 300 characters"))
    if skill not in community.SKILLS:
        raise Invalid("skill", _("unknown skill '{value}'").format(value=skill))
    if crisis.status != "open":
        raise Conflict(_("the crisis is closed"))
    task = CrisisTask(
        crisis_id=crisis.id, title=title, skill=skill, city=(city or "").strip()[:120] or None
    )
    session.add(task)
    session.flush()
    audit.record(session, acting_user, "crisis.task_added", "crisis", crisis.id,
                 after={"task_id": task.id, "skill": skill})  # fmt: skip
    commit(session)
    return task


def assign_volunteer(
    session: Session, *, acting_user: User, crisis: Crisis, task: CrisisTask, volunteer_id: int
) -> VolunteerAssignment:
    """A volunteer with the task's skill, available, in a country the crisis touches."""
    volunteer = community.get_volunteer(session, volunteer_id)
    if task.skill not in volunteer.skills:
        raise Invalid("volunteer_id", _("this volunteer does not offer that skill"))
    if not volunteer.available:
        raise Conflict(_("this volunteer is not available"))
    if volunteer.country not in crisis.countries:
        raise Invalid("volunteer_id", _("this volunteer lives outside the crisis's countries"))
    taken = session.scalar(
        select(VolunteerAssignment.id).where(
            VolunteerAssignment.task_id == task.id, VolunteerAssignment.volunteer_id == volunteer.id
        )
    )
    if taken is not None:
        raise Conflict(_("this volunteer is already on the task"))
    assignment = VolunteerAssignment(task_id=task.id, volunteer_id=volunteer.id)
    session.add(assignment)
    session.flush()
    audit.record(session, acting_user, "crisis.volunteer_assigned", "crisis", crisis.id,
                 after={"task_id": task.id, "volunteer_id": volunteer.id})  # fmt: skip
    commit(session)
    return assignment


def set_assignment_status(
    session: Session,
    *,
    acting_user: User,
    crisis: Crisis,
    assignment: VolunteerAssignment,
    status: str,
    note: str = "",
) -> VolunteerAssignment:
    if status not in ASSIGNMENT_STATUSES:
        raise Invalid("status", _("unknown status '{value}'").format(value=status))
    before = assignment.status
    assignment.status = status
    assignment.note = note.strip()[:1000] or assignment.note
    audit.record(session, acting_user, "crisis.assignment_changed", "crisis", crisis.id,
                 before={"status": before},
                 after={"status": status, "assignment_id": assignment.id})  # fmt: skip
    commit(session)
    return assignment
