"""Break-glass: the form an officer uses to open a record outside their jurisdiction, the API
that does the same, and headquarters' review of every such access."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from kieubao.platform import access
from kieubao.platform.deps import HQ, Allow, SessionDep
from kieubao.platform.errors import Problem
from kieubao.platform.models import Role, User
from kieubao.platform.web import render

router = APIRouter()

# Headquarters reads every record already; only a mission officer's view has a border.
MissionOfficer = Annotated[User, Depends(Allow(Role.mission_officer))]


class BreakGlassIn(BaseModel):
    kind: str = Field(max_length=30)
    reference: str = Field(min_length=1, max_length=64)
    reason: str = Field(max_length=1000)


class BreakGlassOut(BaseModel):
    grant_id: int
    kind: str
    record_id: str
    url: str
    expires_at: datetime


@router.get("/console/break-glass", response_class=HTMLResponse)
def form(request: Request, officer: MissionOfficer) -> Response:
    return _form(request, values={}, error="")


def _form(request: Request, *, values: dict[str, str], error: str, status: int = 200) -> Response:
    return render(
        request,
        "break_glass.html",
        status,
        kinds=access.kinds(),
        values=values,
        error=error,
        hours=int(access.GRANT_FOR.total_seconds() // 3600),
        min_reason=access.MIN_REASON,
    )


@router.post("/console/break-glass", response_class=HTMLResponse)
def open_record(
    request: Request,
    session: SessionDep,
    officer: MissionOfficer,
    kind: Annotated[str, Form(max_length=30)],
    reference: Annotated[str, Form(max_length=64)],
    reason: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        _grant, target = access.break_glass(
            session, acting_user=officer, kind=kind, reference=reference, reason=reason
        )
    except Problem as exc:
        values = {"kind": kind, "reference": reference, "reason": reason}
        return _form(request, values=values, error=exc.detail, status=exc.status)
    return RedirectResponse(target.url, status_code=303)


@router.post("/api/v1/break-glass", status_code=201, response_model=BreakGlassOut, tags=["privacy"])
def open_record_api(body: BreakGlassIn, session: SessionDep, officer: MissionOfficer) -> Any:
    grant, target = access.break_glass(
        session, acting_user=officer, kind=body.kind, reference=body.reference, reason=body.reason
    )
    return BreakGlassOut(
        grant_id=grant.id,
        kind=target.kind,
        record_id=target.record_id,
        url=target.url,
        expires_at=grant.expires_at,
    )


@router.get("/console/privacy/break-glass", response_class=HTMLResponse)
def review_list(request: Request, session: SessionDep, officer: HQ, all: bool = False) -> Response:
    return render(
        request,
        "break_glass_review.html",
        grants=access.grants(session, pending=not all),
        showing_all=all,
    )


@router.post("/console/privacy/break-glass/{grant_id:int}")
def review(
    grant_id: int,
    session: SessionDep,
    officer: HQ,
    verdict: Annotated[str, Form(pattern="^(justified|unjustified)$")],
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    access.review(
        session,
        acting_user=officer,
        grant_id=grant_id,
        justified=verdict == "justified",
        note=note,
    )
    return RedirectResponse("/console/privacy/break-glass", status_code=303)
