"""Crisis tasks, the volunteers on them and those who could be asked."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.community import queries as community
from kieubao.community.queries import Volunteer
from kieubao.crisis.models import Crisis, CrisisTask, VolunteerAssignment
from kieubao.platform.errors import NotFound


@dataclass(frozen=True)
class TaskLine:
    task: CrisisTask
    assigned: list[tuple[VolunteerAssignment, Volunteer]]
    candidates: list[Volunteer]  # available, with the skill, in the crisis's countries


def crisis_tasks(session: Session, crisis: Crisis) -> list[TaskLine]:
    tasks = list(
        session.scalars(
            select(CrisisTask).where(CrisisTask.crisis_id == crisis.id).order_by(CrisisTask.id)
        )
    )
    assignments = list(
        session.scalars(
            select(VolunteerAssignment)
            .where(VolunteerAssignment.task_id.in_([t.id for t in tasks]))
            .order_by(VolunteerAssignment.id)
        )
    )
    lines = []
    for task in tasks:
        mine = [a for a in assignments if a.task_id == task.id]
        assigned = [(a, community.get_volunteer(session, a.volunteer_id)) for a in mine]
        on_it = {a.volunteer_id for a in mine}
        candidates = community.volunteers(
            session, skill=task.skill, countries=crisis.countries, available_only=True
        )
        lines.append(TaskLine(task, assigned, [v for v in candidates if v.id not in on_it]))
    return lines


def get_task(session: Session, crisis: Crisis, task_id: int) -> CrisisTask:
    task = session.get(CrisisTask, task_id)
    if task is None or task.crisis_id != crisis.id:
        raise NotFound("task")
    return task


def get_assignment(session: Session, crisis: Crisis, assignment_id: int) -> VolunteerAssignment:
    assignment = session.get(VolunteerAssignment, assignment_id)
    if assignment is None:
        raise NotFound("assignment")
    get_task(session, crisis, assignment.task_id)
    return assignment
