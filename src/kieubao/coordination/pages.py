"""Coordination in the console: programs and their tasks, resolutions with their indicators
charted, reviews generated and downloaded, and situation reports for partner agencies."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kieubao.coordination import actions, queries, sitrep, views
from kieubao.coordination.charts import progress_svg
from kieubao.coordination.document import sections
from kieubao.coordination.models import ReviewKind, TaskStatus
from kieubao.coordination.schemas import ReviewIn, SitrepIn, TaskUpdate
from kieubao.platform import countries
from kieubao.platform.deps import HQ, Allow, SessionDep
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import OFFICER_ROLES, Role, User
from kieubao.platform.web import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[User, Depends(Allow(*OFFICER_ROLES, Role.partner_agency))]


@router.get("/console/coordination", response_class=HTMLResponse)
def programs(request: Request, session: SessionDep, user: Reader) -> Response:
    """Each program's articles and the reader's tasks under them, overdue ones marked."""
    found = queries.programs(session)
    tasks = {p.id: queries.tasks(session, user, program_id=p.id) for p in found}
    mine = {t.id for ts in tasks.values() for t in ts if queries.may_update(session, user, t)}
    return render(
        request,
        "coordination/programs.html",
        programs=found,
        tasks=tasks,
        mine=mine,
        statuses=list(TaskStatus),
        status_label=views.status_label,
    )


@router.post("/console/coordination/tasks/{task_id}", response_class=HTMLResponse)
def update_task(
    request: Request,
    task_id: int,
    session: SessionDep,
    user: Reader,
    status: Annotated[TaskStatus, Form()],
    evidence_title: Annotated[str, Form()] = "",
    evidence_url: Annotated[str, Form()] = "",
) -> Response:
    """An agency moves its task on from the list, with a document that shows it."""
    task = queries.get_task(session, user, task_id)
    try:
        evidence = (
            [{"title": evidence_title, "url": evidence_url or None}] if evidence_title else []
        )
        data = TaskUpdate.model_validate({"status": status, "add_evidence": evidence})
    except ValidationError as exc:
        detail = "; ".join(str(e["msg"]) for e in exc.errors())
        return render(request, "error.html", 422, title=_("Invalid input"), detail=detail)
    actions.update_task(session, acting_user=user, task=task, data=data)
    return RedirectResponse(f"/console/coordination#task-{task.id}", status_code=303)


@router.get("/console/coordination/resolutions", response_class=HTMLResponse)
def resolutions(request: Request, session: SessionDep, user: Reader) -> Response:
    return render(
        request,
        "coordination/resolutions.html",
        resolutions=queries.resolutions(session),
        chart=progress_svg,
    )


def _reviews(
    request: Request, session: Session, status: int = 200, errors: list[str] | None = None
) -> Response:
    return render(
        request,
        "coordination/reviews.html",
        status,
        reviews=queries.reviews(session),
        kinds=list(ReviewKind),
        kind_label=views.kind_label,
        errors=errors or [],
    )


@router.get("/console/coordination/reviews", response_class=HTMLResponse)
def reviews(request: Request, session: SessionDep, user: Reader) -> Response:
    return _reviews(request, session)


@router.post("/console/coordination/reviews", response_class=HTMLResponse)
def request_review(
    request: Request,
    session: SessionDep,
    user: HQ,
    kind: Annotated[str, Form()],
    period_start: Annotated[str, Form()],
    period_end: Annotated[str, Form()],
) -> Response:
    try:
        data = ReviewIn.model_validate(
            {"kind": kind, "period_start": period_start, "period_end": period_end}
        )
    except ValidationError as exc:
        return _reviews(request, session, 422, [str(e["msg"]) for e in exc.errors()])
    review = actions.request_review(session, acting_user=user, data=data)
    return RedirectResponse(f"/console/coordination/reviews/{review.id}", status_code=303)


@router.get("/console/coordination/reviews/{review_id}", response_class=HTMLResponse)
def review(request: Request, review_id: int, session: SessionDep, user: Reader) -> Response:
    """The review as a page (printable), refreshed while its job runs."""
    found = queries.get_review(session, review_id)
    parts = sections(found) if found.figures else []
    return render(request, "coordination/review.html", review=found, sections=parts)


@router.get("/console/coordination/sitreps", response_class=HTMLResponse)
def situation_report(
    request: Request,
    session: SessionDep,
    user: Reader,
    country: Annotated[list[str] | None, Query()] = None,
    period_start: str = "",
    period_end: str = "",
) -> Response:
    asked = {"countries": country or [], "period_start": period_start, "period_end": period_end}
    shown: dict[str, Any] = {
        "all_countries": countries.all_countries(),
        "country_name": countries.display_name,
    }
    if not (country or period_start or period_end):
        return render(
            request, "coordination/sitreps.html", report=None, asked=asked, errors=[], **shown
        )
    try:
        data = SitrepIn.model_validate(asked)
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        return render(
            request,
            "coordination/sitreps.html",
            422,
            report=None,
            asked=asked,
            errors=errors,
            **shown,
        )
    report = sitrep.situation_report(
        session, countries=data.countries, start=data.period_start, end=data.period_end
    )
    return render(
        request,
        "coordination/sitreps.html",
        report=report,
        asked=asked,
        errors=[],
        **shown,
    )
