"""The console's list of sends and how far each got."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kieubao.outbox import queries
from kieubao.platform.deps import AnyOfficer, SessionDep
from kieubao.platform.outbox import Status
from kieubao.platform.web import render

router = APIRouter(prefix="/console/outbox")


@router.get("", response_class=HTMLResponse)
def sends(request: Request, session: SessionDep, _user: AnyOfficer) -> Response:
    return render(
        request, "outbox/sends.html", reports=queries.delivery_report(session), Status=Status
    )
