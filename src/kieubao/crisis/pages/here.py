"""The public side of a crisis for people not yet on its roster: "I am in the affected area",
for themselves and the family with them. The app tries these routes before all others: they
must hold a surge, and FastAPI tries its routes one by one."""

from functools import cache
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from kieubao.crisis import actions, queries
from kieubao.crisis.models import NEEDS, Crisis
from kieubao.crisis.schemas import SelfReportIn
from kieubao.platform import countries, i18n
from kieubao.platform.db import new_session
from kieubao.platform.deps import Anyone, AnyoneUnnamed, SessionDep
from kieubao.platform.errors import Invalid
from kieubao.platform.web import render, templates

router = APIRouter(include_in_schema=False)
# Five people, their needs and the rest: far below this.
MAX_FIELDS = 100


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
async def here(crisis_id: int, request: Request, _user: AnyoneUnnamed) -> Response:
    """The same submission as the API's, from a form: the sender, then family line by line.
    On the event loop from end to end, with no session of its own: in a surge each request
    costs its parsing, one row in the group writer's next commit, and a small page."""
    form = await _form(request)
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
        crisis = await run_in_threadpool(_crisis, crisis_id)
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
    number = await actions.receive_self_report_awaited(crisis_id=crisis_id, data=data)
    return HTMLResponse(
        _received_page(i18n.current_locale.get()).replace(REFERENCE, f"SR-{number}")
    )


# Where the reference goes in the kept "received" page.
REFERENCE = "\x00reference\x00"


@cache
def _received_page(locale: str) -> str:
    """The "received" page is the same for everyone but its reference: in a surge, rendering
    it whole for each request would cost more than keeping the submission."""
    with i18n.speaking(locale):
        page = templates().env.get_template("crisis/here_done.html")
        return page.render(locale=locale, user=None, reference=REFERENCE)


async def _form(request: Request) -> FormData:
    """The form as a browser sends it (urlencoded: the page asks for nothing else) read in one
    call, a fraction of what the general form parser costs; anything else goes to that parser."""
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        text = (await request.body()).decode("utf-8", "replace")
        try:
            fields = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
            return FormData(list[tuple[str, str | UploadFile]](fields))
        except ValueError as exc:  # more fields than the form has
            raise Invalid("form", str(exc)) from exc
    return await request.form(max_fields=MAX_FIELDS)


def _crisis(crisis_id: int) -> Crisis:
    with new_session() as session:
        return queries.get_crisis(session, crisis_id)
