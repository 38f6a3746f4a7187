"""Events in the console: the list, one event's sessions, invitations, delegates, badges,
attendance and follow-up; the check-in page an officer's phone opens from a badge."""

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kieubao.community import actions, queries
from kieubao.community.api.roles import Editor, Reader
from kieubao.community.models import (
    DELEGATE_STATUSES,
    EVENT_KINDS,
    FOLLOW_UP_STATUSES,
    Delegate,
    Event,
)
from kieubao.community.pages.forms import read_form
from kieubao.community.schemas import EventIn, FollowUpIn, InvitationsIn, SessionIn
from kieubao.platform import countries
from kieubao.platform.deps import SessionDep
from kieubao.platform.errors import Conflict, Problem
from kieubao.platform.i18n import gettext as _
from kieubao.platform.web import render

router = APIRouter(prefix="/console/community")


@router.get("/events", response_class=HTMLResponse)
def events(request: Request, session: SessionDep, user: Reader) -> Response:
    return _list(request, session, {}, {})


def _list(
    request: Request, session: SessionDep, values: dict[str, Any], errors: dict[str, str],
    status: int = 200,
) -> Response:  # fmt: skip
    return render(
        request, "community/events.html", status, events=queries.events(session),
        kinds=EVENT_KINDS, values=values, errors=errors,
    )  # fmt: skip


@router.post("/events", response_class=HTMLResponse)
async def create_event(request: Request, session: SessionDep, user: Editor) -> Response:
    data, errors, values = read_form(EventIn, await request.form(), checks=("registration_open",))
    if data is None:
        return _list(request, session, values, errors, 422)
    event = actions.save_event(session, acting_user=user, data=data)
    return RedirectResponse(f"/console/community/events/{event.id}", status_code=303)


def _page(
    request: Request,
    session: SessionDep,
    event: Event,
    *,
    status: int = 200,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, dict[str, Any]] | None = None,
) -> Response:
    return render(
        request,
        "community/event.html",
        status,
        event=event,
        delegates=queries.delegates(session, event),
        invitations=queries.invitations(session, event),
        follow_ups=queries.follow_ups(session, event),
        figures=queries.attendance(session, event),
        statuses=DELEGATE_STATUSES,
        follow_up_statuses=FOLLOW_UP_STATUSES,
        errors=errors or {},
        values=values or {},
        country_name=countries.display_name,
    )


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(event_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    return _page(request, session, queries.get_event(session, event_id))


@router.post("/events/{event_id}/sessions", response_class=HTMLResponse)
async def add_session(
    event_id: int, request: Request, session: SessionDep, user: Editor
) -> Response:
    event = queries.get_event(session, event_id)
    data, errors, values = read_form(SessionIn, await request.form())
    if data is not None:
        try:
            actions.add_session(session, acting_user=user, event=event, data=data)
        except Problem as exc:
            errors = {"form": exc.detail}
    if errors:
        return _page(
            request, session, event, status=422 if data is None else 409,
            errors={"session": errors}, values={"session": values},
        )  # fmt: skip
    return RedirectResponse(f"/console/community/events/{event_id}#sessions", status_code=303)


@router.post("/events/{event_id}/delegates/{delegate_id}", response_class=HTMLResponse)
def decide(
    event_id: int,
    delegate_id: int,
    request: Request,
    session: SessionDep,
    user: Editor,
    status: Annotated[str, Form()],
) -> Response:
    """From HTMX, the row comes back; without it, the page."""
    event = queries.get_event(session, event_id)
    delegate = queries.get_delegate(session, event, delegate_id)
    if status in ("approved", "rejected"):
        actions.decide_delegate(session, acting_user=user, delegate=delegate, status=status)
    if request.headers.get("HX-Request"):
        return render(request, "community/_delegate_row.html", event=event, d=delegate,
                      country_name=countries.display_name)  # fmt: skip
    return RedirectResponse(f"/console/community/events/{event_id}#delegates", status_code=303)


@router.post("/events/{event_id}/invitations", response_class=HTMLResponse)
async def invite(event_id: int, request: Request, session: SessionDep, user: Editor) -> Response:
    event = queries.get_event(session, event_id)
    form = await request.form()
    data, errors, values = read_form(
        InvitationsIn, form, lists=("countries",), checks=("experts", "associations")
    )
    if data is None:
        return _page(request, session, event, status=422, errors={"invite": errors},
                     values={"invite": values})  # fmt: skip
    actions.invite(session, acting_user=user, event=event, data=data)
    return RedirectResponse(f"/console/community/events/{event_id}#invitations", status_code=303)


@router.post("/events/{event_id}/follow-ups", response_class=HTMLResponse)
async def add_follow_up(
    event_id: int, request: Request, session: SessionDep, user: Editor
) -> Response:
    event = queries.get_event(session, event_id)
    data, errors, values = read_form(FollowUpIn, await request.form())
    if data is None:
        return _page(request, session, event, status=422, errors={"follow_up": errors},
                     values={"follow_up": values})  # fmt: skip
    actions.save_follow_up(session, acting_user=user, event=event, data=data)
    return RedirectResponse(f"/console/community/events/{event_id}#follow-ups", status_code=303)


@router.get("/events/{event_id}/delegates/{delegate_id}/badge", response_class=HTMLResponse)
def badge(
    event_id: int, delegate_id: int, request: Request, session: SessionDep, user: Editor
) -> Response:
    """The badge on screen, to show at the door or print, with the same QR code as the PDF."""
    event = queries.get_event(session, event_id)
    delegate = queries.get_delegate(session, event, delegate_id)
    if delegate.status != "approved":
        raise Conflict(_("this delegate is not approved"))
    return render_badge(request, event, delegate, "console.html")


def render_badge(request: Request, event: Event, delegate: Delegate, base: str) -> Response:
    """A badge in the console (``console.html``) or on the delegate's phone (``portal.html``)."""
    qr = segno.make(queries.checkin_url(delegate), error="m")
    return render(request, "community/badge.html", event=event, d=delegate, base=base,
                  qr=qr.svg_inline(omitsize=True, light="white"),
                  country_name=countries.display_name)  # fmt: skip


@router.get("/checkin/{token}", response_class=HTMLResponse)
def checkin_page(token: str, request: Request, session: SessionDep, user: Reader) -> Response:
    delegate = queries.delegate_of_checkin(session, token)
    event = queries.get_event(session, delegate.event_id)
    return render(request, "community/checkin.html", event=event, d=delegate, token=token,
                  done=False, country_name=countries.display_name)  # fmt: skip


@router.post("/checkin/{token}", response_class=HTMLResponse)
def checkin(token: str, request: Request, session: SessionDep, user: Reader) -> Response:
    delegate = queries.delegate_of_checkin(session, token)
    event = queries.get_event(session, delegate.event_id)
    already = delegate.checked_in_at is not None
    actions.check_in(session, acting_user=user, delegate=delegate)
    return render(request, "community/checkin.html", event=event, d=delegate, token=token,
                  done=True, already=already, country_name=countries.display_name)  # fmt: skip
