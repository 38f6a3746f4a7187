"""The officers' side of bulletins and case notices: drafting, review, approval, publication
now or at a set time, and each send's delivery report."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from kieubao.outreach import bulletin_queries as queries
from kieubao.outreach import bulletins
from kieubao.outreach.bulletin_schemas import BulletinIn
from kieubao.outreach.models import Bulletin, BulletinKind
from kieubao.outreach.pages.community import kind_name
from kieubao.outreach.pages.portal import page_context
from kieubao.platform import countries
from kieubao.platform.deps import AnyOfficer, SessionDep, scope_of
from kieubao.platform.errors import Invalid, NotFound, Problem
from kieubao.platform.models import User
from kieubao.platform.web import render
from kieubao.registry.models import StayStatus

router = APIRouter(prefix="/console/bulletins")

TEXTS = ("kind", "title_vi", "title_en", "body_vi", "body_en", "case_number")
LISTS = ("countries", "stay_statuses", "languages")


def _context() -> dict[str, Any]:
    return {
        **page_context(),
        "kind_name": kind_name,
        "kinds": list(BulletinKind),
        "countries": countries.all_countries(),
        "stay_statuses": [s.value for s in StayStatus if s is not StayStatus.unknown],
    }


@router.get("", response_class=HTMLResponse)
def bulletin_list(request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    found = queries.officers_bulletins(session, scope_of(officer))
    return render(request, "outreach/console_bulletins.html", bulletins=found, **_context())


@router.get("/new", response_class=HTMLResponse)
def new(request: Request, officer: AnyOfficer) -> Response:
    values = {"kind": "news", **{name: [] for name in LISTS}, "cities": ""}
    return render(
        request, "outreach/console_bulletin_form.html", values=values, errors={}, **_context()
    )


def _values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in TEXTS}
    values["case_number"] = values["case_number"] or None
    for name in LISTS:
        values[name] = [str(v) for v in form.getlist(name)]
    values["cities"] = [c.strip() for c in str(form.get("cities", "")).split(",") if c.strip()]
    return values


@router.post("/new", response_class=HTMLResponse)
async def create(request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    values = _values(await request.form())
    errors: dict[str, str] = {}
    status = 422
    try:
        bulletin = bulletins.draft_bulletin(
            session, acting_user=officer, data=BulletinIn.model_validate(values)
        )
    except ValidationError as exc:
        errors = {str(e["loc"][0]) if e["loc"] else "form": e["msg"] for e in exc.errors()}
    except Problem as exc:
        errors, status = {"form": exc.detail}, exc.status
    else:
        return RedirectResponse(f"/console/bulletins/{bulletin.id}", status_code=303)
    values["cities"] = ", ".join(values["cities"])
    return render(
        request,
        "outreach/console_bulletin_form.html",
        status,
        values=values,
        errors=errors,
        **_context(),
    )


@router.get("/{bulletin_id:int}", response_class=HTMLResponse)
def bulletin_page(
    request: Request, bulletin_id: int, session: SessionDep, officer: AnyOfficer
) -> Response:
    bulletin = queries.get_bulletin(session, bulletin_id, scope_of(officer))
    return _page(request, session, bulletin, None)


@router.post("/{bulletin_id:int}/{step}", response_class=HTMLResponse)
async def advance(
    request: Request, bulletin_id: int, step: str, session: SessionDep, officer: AnyOfficer
) -> Response:
    bulletin = queries.get_bulletin(session, bulletin_id, scope_of(officer))
    form = await request.form()
    try:
        _step(session, officer, bulletin, step, str(form.get("send_at") or ""))
    except Problem as exc:
        return _page(request, session, bulletin, exc.detail, exc.status)
    return RedirectResponse(f"/console/bulletins/{bulletin.id}", status_code=303)


def _step(session: SessionDep, officer: User, bulletin: Bulletin, step: str, when: str) -> None:
    if step == "submit":
        bulletins.submit_bulletin(session, acting_user=officer, bulletin=bulletin)
    elif step == "approve":
        bulletins.approve_bulletin(session, acting_user=officer, bulletin=bulletin)
    elif step == "publish":
        send_at = _utc(when) if when else None
        bulletins.publish_bulletin(session, acting_user=officer, bulletin=bulletin, send_at=send_at)
    else:
        raise NotFound(f"step {step!r}")


def _utc(text: str) -> datetime:
    """A time typed in the form, read as UTC unless it says otherwise."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise Invalid("send_at", "a date and time like 2026-12-01T08:00") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _page(
    request: Request, session: SessionDep, bulletin: Bulletin, error: str | None, status: int = 200
) -> Response:
    return render(
        request,
        "outreach/console_bulletin.html",
        status,
        bulletin=bulletin,
        report=queries.delivery_report(session, bulletin) if bulletin.send_key else None,
        error=error,
        **_context(),
    )
