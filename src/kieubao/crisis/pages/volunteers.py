"""Crisis tasks for diaspora volunteers, from the crisis page: add a task, ask a volunteer,
follow the assignment."""

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from kieubao.crisis import actions, queries
from kieubao.platform.deps import AnyOfficer, SessionDep

router = APIRouter(prefix="/console/crisis/crises/{crisis_id}")


def _back(crisis_id: int) -> Response:
    return RedirectResponse(f"/console/crisis/crises/{crisis_id}#volunteers", status_code=303)


@router.post("/tasks")
def add_task(
    crisis_id: int,
    session: SessionDep,
    officer: AnyOfficer,
    title: Annotated[str, Form()],
    skill: Annotated[str, Form()],
    city: Annotated[str, Form()] = "",
) -> Response:
    crisis = queries.get_crisis(session, crisis_id)
    actions.add_task(
        session, acting_user=officer, crisis=crisis, title=title, skill=skill, city=city
    )
    return _back(crisis_id)


@router.post("/tasks/{task_id}/volunteers")
def assign(
    crisis_id: int,
    task_id: int,
    session: SessionDep,
    officer: AnyOfficer,
    volunteer_id: Annotated[int, Form()],
) -> Response:
    crisis = queries.get_crisis(session, crisis_id)
    task = queries.get_task(session, crisis, task_id)
    actions.assign_volunteer(
        session, acting_user=officer, crisis=crisis, task=task, volunteer_id=volunteer_id
    )
    return _back(crisis_id)


@router.post("/assignments/{assignment_id}")
def set_status(
    crisis_id: int,
    assignment_id: int,
    session: SessionDep,
    officer: AnyOfficer,
    status: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    crisis = queries.get_crisis(session, crisis_id)
    assignment = queries.get_assignment(session, crisis, assignment_id)
    actions.set_assignment_status(
        session, acting_user=officer, crisis=crisis, assignment=assignment, status=status, note=note
    )
    return _back(crisis_id)
