"""The registry's portal pages: register, then see and keep one's own record by email link."""

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kieubao.platform import access, accounts, countries
from kieubao.platform.deps import Anyone, Citizen, SessionDep
from kieubao.platform.errors import Problem
from kieubao.platform.i18n import gettext as _
from kieubao.platform.web import render
from kieubao.registry import actions, queries
from kieubao.registry.models import Purpose, Sex, StayStatus
from kieubao.registry.pages.forms import citizen_from_form
from kieubao.registry.schemas import CitizenPatch, TripIn

router = APIRouter()

FORM: dict[str, Any] = {
    "sexes": list(Sex),
    "stay_statuses": list(StayStatus),
    "purposes": list(Purpose),
}


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request, _user: Anyone) -> Response:
    return render(
        request,
        "registry/register.html",
        values={},
        errors={},
        countries=countries.all_countries(),
        **FORM,
    )


@router.post("/register", response_class=HTMLResponse)
async def register(request: Request, session: SessionDep, _user: Anyone) -> Response:
    form = await request.form()
    data, errors, values = citizen_from_form(form)
    if data is not None and not data.email:
        errors["email"] = _("needed, to send you the link to your record")
    if form.get("accept") != "yes":
        errors["accept"] = _("please read and accept how your data is used")
    if data is None or errors:
        return render(
            request,
            "registry/register.html",
            422,
            values=values,
            errors=errors,
            countries=countries.all_countries(),
            **FORM,
        )
    assert data.email is not None
    user = accounts.citizen_user(session, email=data.email)
    if queries.citizen_of(session, user) is not None:
        # Already registered with this address: the link opens the existing record.
        accounts.issue_login_link(
            session, acting_user=user, email=user.email, payload={"next": "/me"}
        )
        return render(request, "registry/registered.html", citizen=None, email=data.email)
    try:
        citizen = actions.register_citizen(
            session, acting_user=user, data=data, source="self", user_id=user.id
        )
    except Problem as exc:
        return render(
            request,
            "registry/register.html",
            exc.status,
            values=values,
            errors={"form": exc.detail},
            countries=countries.all_countries(),
            **FORM,
        )
    accounts.issue_login_link(session, acting_user=user, email=user.email, payload={"next": "/me"})
    return render(request, "registry/registered.html", citizen=citizen, email=data.email)


@router.get("/me", response_class=HTMLResponse)
def me(request: Request, session: SessionDep, user: Citizen, saved: str = "") -> Response:
    record = queries.citizen_of(session, user)
    if record is None:
        return RedirectResponse("/register", status_code=303)
    return render(
        request,
        "registry/me.html",
        c=record,
        saved=saved,
        errors={},
        viewings=access.viewings(session, record.id),
        countries=countries.all_countries(),
        country_name=countries.display_name,
        **FORM,
    )


@router.post("/me", response_class=HTMLResponse)
async def update_me(request: Request, session: SessionDep, user: Citizen) -> Response:
    record = queries.citizen_of(session, user)
    if record is None:
        return RedirectResponse("/register", status_code=303)
    form = await request.form()
    fields = (
        "full_name",
        "date_of_birth",
        "country",
        "city",
        "address",
        "stay_status",
        "employer_or_school",
        "zalo",
        "telegram",
        "whatsapp",
    )
    values: dict[str, object] = {f: str(form.get(f) or "").strip() or None for f in fields}
    phone = str(form.get("phone") or "").strip()
    values["phones"] = [phone] if phone else []
    try:
        patch = CitizenPatch.model_validate({k: v for k, v in values.items() if v is not None})
    except Exception as exc:
        return render(
            request,
            "registry/me.html",
            422,
            c=record,
            saved="",
            errors={"form": str(exc)},
            countries=countries.all_countries(),
            country_name=countries.display_name,
            **FORM,
        )
    actions.update_citizen(session, acting_user=user, citizen=record, patch=patch)
    return RedirectResponse("/me?saved=record", status_code=303)


@router.post("/me/consents")
def consents(
    session: SessionDep,
    user: Citizen,
    purpose: Annotated[Purpose, Form()],
    granted: Annotated[str, Form()],
) -> Response:
    record = queries.citizen_of(session, user)
    if record is None:
        return RedirectResponse("/register", status_code=303)
    actions.set_consent(
        session,
        acting_user=user,
        citizen=record,
        purpose=purpose,
        granted=granted == "yes",
        source="self",
    )
    return RedirectResponse("/me?saved=consent", status_code=303)


@router.post("/me/confirm")
def confirm(session: SessionDep, user: Citizen) -> Response:
    if (record := queries.citizen_of(session, user)) is not None:
        actions.confirm_record(session, acting_user=user, citizen=record)
    return RedirectResponse("/me?saved=confirmed", status_code=303)


@router.post("/me/trips", response_class=HTMLResponse)
def trip(
    request: Request,
    session: SessionDep,
    user: Citizen,
    start_date: Annotated[date, Form()],
    end_date: Annotated[date, Form()],
    places: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """A traveller's trip: the record lapses 30 days after it ends unless renewed."""
    record = queries.citizen_of(session, user)
    if record is None:
        return RedirectResponse("/register", status_code=303)
    itinerary = [{"place": p.strip()} for p in places.split(",") if p.strip()]
    try:
        actions.register_trip(
            session,
            acting_user=user,
            citizen=record,
            trip=TripIn(start_date=start_date, end_date=end_date, itinerary=itinerary),
        )
    except Problem as exc:
        return render(
            request,
            "registry/me.html",
            exc.status,
            c=record,
            saved="",
            errors={"form": exc.detail},
            countries=countries.all_countries(),
            country_name=countries.display_name,
            **FORM,
        )
    return RedirectResponse("/me?saved=trip", status_code=303)


@router.get("/me/export")
def export(session: SessionDep, user: Citizen) -> Response:
    record = queries.citizen_of(session, user)
    if record is None:
        return RedirectResponse("/register", status_code=303)
    data = actions.export_citizen_data(session, acting_user=user, citizen=record)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-data.json"'},
    )
