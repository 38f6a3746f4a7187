"""The public side of a crisis: the personal reply link of a safety check (safe or need help,
in one tap, no sign-in) and "I am in the affected area" for people not yet on the roster."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from kieubao.crisis import actions, queries
from kieubao.crisis.models import NEEDS
from kieubao.crisis.schemas import SelfReportIn
from kieubao.platform import audit, countries, writer
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


@router.get("/crises/{crisis_id}/here", response_class=HTMLResponse)
def here_form(crisis_id: int, request: Request, session: SessionDep, _user: Anyone) -> Response:
    crisis = queries.get_crisis(session, crisis_id)
    return render(
        request,
        "crisis/here.html",
        crisis=crisis,
        needs=NEEDS,
        values={},
        errors={},
        country_name=countries.display_name,
    )


@router.post("/crises/{crisis_id}/here", response_class=HTMLResponse)
async def here(crisis_id: int, request: Request, session: SessionDep, _user: Anyone) -> Response:
    """The same submission as the API's, from a form: the sender, then family line by line."""
    writer.reading(session)
    crisis = queries.get_crisis(session, crisis_id)
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    names = [str(n).strip() for n in form.getlist("name")]
    births = [str(b).strip() for b in form.getlist("date_of_birth")]
    people = [
        {"full_name": n, "date_of_birth": b or None}
        for n, b in zip(names, births + [""] * len(names), strict=False)
        if n
    ]
    try:
        data = SelfReportIn.model_validate(
            {
                "people": people,
                "phone": values.get("phone") or None,
                "email": values.get("email") or None,
                "country": values.get("country", ""),
                "city": values.get("city") or None,
                "status": "needs_help" if values.get("answer") == "help" else "safe",
                "needs": [str(n) for n in form.getlist("needs") if n in NEEDS],
                "note": values.get("note") or None,
            }
        )
    except ValidationError as exc:
        errors = {".".join(str(p) for p in e["loc"][:1]) or "form": e["msg"] for e in exc.errors()}
        return render(
            request,
            "crisis/here.html",
            status_code=422,
            crisis=crisis,
            needs=NEEDS,
            values=values,
            errors=errors,
            country_name=countries.display_name,
        )
    # Off the event loop: the answer waits for the group writer's commit.
    report = await run_in_threadpool(actions.receive_self_report, session, crisis=crisis, data=data)
    return render(request, "crisis/here_done.html", crisis=crisis, reference=f"SR-{report.id}")
