"""Coordination in the console: programs and their tasks, resolutions with their indicators
charted, and reviews generated and downloaded."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kieubao.coordination import actions, queries
from kieubao.coordination.charts import progress_svg
from kieubao.coordination.document import sections
from kieubao.coordination.models import ReviewKind
from kieubao.coordination.schemas import ReviewIn
from kieubao.platform.deps import HQ, Allow, SessionDep
from kieubao.platform.models import OFFICER_ROLES, Role, User
from kieubao.platform.web import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[User, Depends(Allow(*OFFICER_ROLES, Role.partner_agency))]


@router.get("/console/coordination", response_class=HTMLResponse)
def programs(request: Request, session: SessionDep, user: Reader) -> Response:
    """Each program's articles and the reader's tasks under them, overdue ones marked."""
    found = queries.programs(session)
    tasks = {p.id: queries.tasks(session, user, program_id=p.id) for p in found}
    return render(request, "coordination/programs.html", programs=found, tasks=tasks)


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
        kind_label=actions.kind_label,
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
