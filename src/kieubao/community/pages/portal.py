"""Public delegate registration on the portal, in Vietnamese or English."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kieubao.community import actions, queries
from kieubao.community.models import Event
from kieubao.community.pages.events import render_badge
from kieubao.community.pages.forms import read_form
from kieubao.community.schemas import DelegateIn
from kieubao.platform import audit, i18n
from kieubao.platform.deps import Anyone, SessionDep
from kieubao.platform.errors import Problem
from kieubao.platform.web import render

router = APIRouter()


def _form(
    request: Request,
    event: Event,
    values: dict[str, object],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return render(request, "community/register.html", status, event=event, values=values,
                  errors=errors)  # fmt: skip


@router.get("/events/{event_id}/register", response_class=HTMLResponse)
def registration_form(
    event_id: int, request: Request, session: SessionDep, user: Anyone
) -> Response:
    event = queries.get_event(session, event_id)
    return _form(request, event, {"language": i18n.current_locale.get()}, {})


@router.post("/events/{event_id}/register", response_class=HTMLResponse)
async def register(event_id: int, request: Request, session: SessionDep, user: Anyone) -> Response:
    event = queries.get_event(session, event_id)
    form = await request.form()
    data, errors, values = read_form(DelegateIn, form, multi=("sessions",))
    if data is None:
        return _form(request, event, values, errors, 422)
    acting = user or audit.System("public delegate registration")
    try:
        delegate = actions.register_delegate(session, acting_user=acting, event=event, data=data)
    except Problem as exc:
        return _form(request, event, values, {"form": exc.detail}, exc.status)
    return render(request, "community/registered.html", event=event, delegate=delegate)


@router.get("/events/badge/{token}", response_class=HTMLResponse)
def own_badge(token: str, request: Request, session: SessionDep, user: Anyone) -> Response:
    """The approved delegate's badge on her phone: the link in her approval email."""
    delegate = queries.delegate_of_badge(session, token)
    return render_badge(
        request, queries.get_event(session, delegate.event_id), delegate, "portal.html"
    )
