"""Volunteers, programs and contributions in the console: each a list with its form."""

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from kieubao.community import actions, queries
from kieubao.community.api.roles import Editor, Reader
from kieubao.community.models import CONTRIBUTION_KINDS, FOLLOW_UP_STATUSES, PROGRAM_KINDS, SKILLS
from kieubao.community.pages.forms import M, read_form
from kieubao.community.schemas import ContributionIn, ProgramIn, VolunteerIn
from kieubao.platform import countries
from kieubao.platform.deps import SessionDep
from kieubao.platform.errors import Problem
from kieubao.platform.web import render

router = APIRouter(prefix="/console/community")

LISTS: dict[str, Callable[[Session], Sequence[object]]] = {
    "volunteers": queries.volunteers,
    "programs": queries.programs,
    "contributions": queries.contributions,
}


def _render(
    request: Request,
    session: SessionDep,
    topic: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    rows = LISTS[topic](session)
    return render(
        request,
        f"community/{topic}.html",
        status,
        rows=rows,
        values=values or {},
        errors=errors or {},
        skills=SKILLS,
        program_kinds=PROGRAM_KINDS,
        contribution_kinds=CONTRIBUTION_KINDS,
        follow_up_statuses=FOLLOW_UP_STATUSES,
        associations=queries.associations(session),
        country_name=countries.display_name,
    )


@router.get("/volunteers", response_class=HTMLResponse)
def volunteers(request: Request, session: SessionDep, user: Reader) -> Response:
    return _render(request, session, "volunteers")


@router.get("/programs", response_class=HTMLResponse)
def programs(request: Request, session: SessionDep, user: Reader) -> Response:
    return _render(request, session, "programs")


@router.get("/contributions", response_class=HTMLResponse)
def contributions(request: Request, session: SessionDep, user: Reader) -> Response:
    return _render(request, session, "contributions")


async def _save(
    request: Request, session: SessionDep, user: Editor, topic: str, schema: type[M],
    save: Callable[..., object], **shape: tuple[str, ...],
) -> Response:  # fmt: skip
    data, errors, values = read_form(schema, await request.form(), **shape)
    if data is None:
        return _render(request, session, topic, values, errors, 422)
    try:
        save(session, acting_user=user, data=data)
    except Problem as exc:
        return _render(request, session, topic, values, {"form": exc.detail}, exc.status)
    return RedirectResponse(f"/console/community/{topic}", status_code=303)


@router.post("/volunteers", response_class=HTMLResponse)
async def add_volunteer(request: Request, session: SessionDep, user: Editor) -> Response:
    return await _save(
        request, session, user, "volunteers", VolunteerIn, actions.save_volunteer,
        lists=("languages",), checks=("available",), multi=("skills",),
    )  # fmt: skip


@router.post("/programs", response_class=HTMLResponse)
async def add_program(request: Request, session: SessionDep, user: Editor) -> Response:
    return await _save(
        request, session, user, "programs", ProgramIn, actions.save_program, lists=("teachers",)
    )


@router.post("/contributions", response_class=HTMLResponse)
async def add_contribution(request: Request, session: SessionDep, user: Editor) -> Response:
    return await _save(
        request,
        session,
        user,
        "contributions",
        ContributionIn,
        actions.save_contribution,
    )
