"""The public side of a crisis: the personal reply link of a safety check (safe or need help,
in one tap, no sign-in)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from kieubao.crisis import actions
from kieubao.crisis.models import NEEDS
from kieubao.platform import audit
from kieubao.platform.deps import Anyone, SessionDep
from kieubao.platform.web import render

router = APIRouter()

# The person (or a relative) holding the link: known by the link, not by an account.
REPLY_LINK = audit.System("reply link")


@router.get("/r/{token}", response_class=HTMLResponse)
def reply_form(token: str, request: Request, session: SessionDep, _user: Anyone) -> Response:
    entry = actions.entry_for_reply(session, token)
    return render(request, "crisis/reply.html", entry=entry, token=token, needs=NEEDS)


@router.post("/r/{token}", response_class=HTMLResponse)
def reply(
    token: str,
    request: Request,
    session: SessionDep,
    _user: Anyone,
    answer: Annotated[str, Form()],
    needs: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form(max_length=1000)] = "",
    relative: Annotated[bool, Form()] = False,
) -> Response:
    entry = actions.entry_for_reply(session, token)
    status = "safe" if answer == "safe" else "needs_help"
    actions.record_status(
        session,
        acting_user=REPLY_LINK,
        entry=entry,
        status=status,
        source="relative" if relative else "citizen_reply",
        needs=[n for n in needs or [] if n in NEEDS],
        by_relative=relative,
        note=note,
    )
    return render(request, "crisis/replied.html", entry=entry, token=token)
