"""The officers' queue: unread messages per channel, the oldest first, claimed one by one."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from kieubao.platform.db import utcnow
from kieubao.platform.deps import AnyOfficer, SessionDep
from kieubao.platform.errors import Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import OFFICER_ROLES, User
from kieubao.platform.settings import get_settings
from kieubao.platform.web import render
from kieubao.protection import actions, inbox, queries, views

router = APIRouter(include_in_schema=False)


def _officers(session: SessionDep, officer: User) -> list[User]:
    """Who a case of this officer's scope can be given to."""
    query = select(User).where(User.is_active, User.role.in_(OFFICER_ROLES)).order_by(User.email)
    if officer.mission_id is not None:
        query = query.where(User.mission_id == officer.mission_id)
    return list(session.scalars(query))


def _counters(session: SessionDep, officer: User) -> dict[str, Any]:
    """Unread per channel, the oldest's wait in minutes, and whether it passed the setting."""
    counters = inbox.counters(session, officer)
    age = counters.oldest_age()
    limit = get_settings().protection_unread_alert_minutes
    return {
        "counters": counters,
        "oldest_minutes": int(age.total_seconds() // 60) if age else None,
        "late": age is not None and age.total_seconds() > limit * 60,
    }


@router.get("/console/protection/queue", response_class=HTMLResponse)
def queue(request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    return render(
        request,
        "protection/queue.html",
        **_counters(session, officer),
        events=inbox.unread(session, officer),
        officers=_officers(session, officer),
        now=utcnow(),
        event_label=views.event_label,
        severity_label=views.severity_label,
    )


@router.get("/console/protection/unread", response_class=HTMLResponse)
def unread_badge(request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    """The counters in the console header, refreshed by the page every half minute."""
    return render(request, "protection/_unread.html", **_counters(session, officer))


@router.post("/console/protection/queue/claim")
def claim(session: SessionDep, officer: AnyOfficer) -> Response:
    case = actions.claim_next(session, acting_user=officer)
    if case is None:
        return RedirectResponse("/console/protection/queue?empty=1", status_code=303)
    return RedirectResponse(f"/console/cases/{case.number}", status_code=303)


@router.post("/console/cases/{number}/read")
def read(number: str, session: SessionDep, officer: AnyOfficer) -> Response:
    case = queries.get_case(session, officer, number=number)
    actions.mark_read(session, acting_user=officer, case=case)
    return RedirectResponse(f"/console/cases/{number}", status_code=303)


@router.post("/console/cases/{number}/assign")
async def assign(
    request: Request, number: str, session: SessionDep, officer: AnyOfficer
) -> Response:
    """Give a case to an officer of its mission from the queue."""
    email = str((await request.form()).get("officer_email") or "").strip().lower()
    case = queries.get_case(session, officer, number=number)
    assignee = session.scalar(select(User).where(User.email == email))
    if assignee is None:
        raise Invalid("officer_email", _("no officer with this email"))
    actions.assign(session, acting_user=officer, case=case, officer=assignee)
    return RedirectResponse("/console/protection/queue", status_code=303)
