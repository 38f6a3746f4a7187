"""Evacuation in the console: legs out of a crisis, their manifests, boarding, arrival."""

from datetime import datetime
from io import BytesIO
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from kieubao.crisis import actions, queries
from kieubao.crisis.models import BOARDING, TRANSPORT_KINDS, ManifestSeat
from kieubao.platform import i18n
from kieubao.platform.deps import AnyOfficer, SessionDep, scope_of
from kieubao.platform.errors import Invalid, NotFound
from kieubao.platform.models import User
from kieubao.platform.web import render

router = APIRouter(prefix="/console/crisis")


@router.get("/crises/{crisis_id}/evacuation", response_class=HTMLResponse)
def evacuation(crisis_id: int, request: Request, session: SessionDep, _: AnyOfficer) -> Response:
    crisis = queries.get_crisis(session, crisis_id)
    return render(
        request,
        "crisis/evacuation.html",
        crisis=crisis,
        legs=queries.legs(session, crisis),
        kinds=TRANSPORT_KINDS,
    )


@router.post("/crises/{crisis_id}/legs")
def add_leg(
    crisis_id: int,
    session: SessionDep,
    officer: AnyOfficer,
    kind: Annotated[str, Form()],
    name: Annotated[str, Form(max_length=200)],
    assembly_point: Annotated[str, Form(max_length=300)],
    departs_at: Annotated[str, Form()],
    capacity: Annotated[int, Form()],
    destination: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        departs = i18n.in_home_zone(datetime.fromisoformat(departs_at))
    except ValueError as exc:
        raise Invalid("departs_at", "a date and time, such as 2026-11-24T08:30") from exc
    leg = actions.add_leg(
        session,
        acting_user=officer,
        crisis=queries.get_crisis(session, crisis_id),
        kind=kind,
        name=name,
        assembly_point=assembly_point,
        destination=destination,
        departs_at=departs,
        capacity=capacity,
    )
    return RedirectResponse(f"/console/crisis/legs/{leg.id}", status_code=303)


@router.get("/legs/{leg_id}", response_class=HTMLResponse)
def leg_page(leg_id: int, request: Request, session: SessionDep, officer: AnyOfficer) -> Response:
    leg = queries.get_leg(session, leg_id, scope_of(officer))
    return render(
        request,
        "crisis/leg.html",
        leg=leg,
        lines=queries.manifest(session, leg),
        boarding=BOARDING,
    )


@router.post("/legs/{leg_id}/fill")
def fill(leg_id: int, session: SessionDep, officer: AnyOfficer) -> Response:
    leg = queries.get_leg(session, leg_id, scope_of(officer))
    actions.fill_manifest(session, acting_user=officer, leg=leg)
    return RedirectResponse(f"/console/crisis/legs/{leg_id}", status_code=303)


@router.post("/legs/{leg_id}/seats/{seat_id}/document")
def document(
    leg_id: int,
    seat_id: int,
    session: SessionDep,
    officer: AnyOfficer,
    kind: Annotated[str, Form()],
    number: Annotated[str, Form(max_length=40)],
) -> Response:
    seat = _seat(session, leg_id, seat_id, officer)
    actions.check_document(session, acting_user=officer, seat=seat, kind=kind, number=number)
    return RedirectResponse(f"/console/crisis/legs/{leg_id}", status_code=303)


@router.post("/legs/{leg_id}/seats/{seat_id}/boarding")
def boarding(
    leg_id: int,
    seat_id: int,
    session: SessionDep,
    officer: AnyOfficer,
    boarding: Annotated[str, Form()],
) -> Response:
    seat = _seat(session, leg_id, seat_id, officer)
    actions.board(session, acting_user=officer, seat=seat, boarding=boarding)
    return RedirectResponse(f"/console/crisis/legs/{leg_id}", status_code=303)


@router.post("/legs/{leg_id}/arrived")
def arrived(leg_id: int, session: SessionDep, officer: AnyOfficer) -> Response:
    leg = queries.get_leg(session, leg_id, scope_of(officer))
    actions.arrive(session, acting_user=officer, leg=leg)
    return RedirectResponse(f"/console/crisis/legs/{leg_id}", status_code=303)


@router.get("/legs/{leg_id}/manifest.xlsx")
def manifest_xlsx(leg_id: int, session: SessionDep, officer: AnyOfficer) -> Response:
    """The manifest as airlines ask for it: the name as in the passport, date of birth, sex,
    nationality and the travel document."""
    from openpyxl import Workbook  # only when a workbook is asked for

    leg = queries.get_leg(session, leg_id, scope_of(officer))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(leg.name[:30] or "manifest")
    sheet.append(["No", "Name (as in passport)", "Date of birth", "Sex", "Nationality",
                  "Document", "Document number", "Boarding"])  # fmt: skip
    for n, line in enumerate(queries.manifest(session, leg), 1):
        sheet.append(
            [
                n,
                line.passport_name,
                line.date_of_birth,
                line.sex,
                line.nationality,
                line.document_kind,
                line.document_no,
                line.seat.boarding,
            ]
        )
    out = BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="manifest-{leg.id}.xlsx"'},
    )


def _seat(session: Session, leg_id: int, seat_id: int, officer: User) -> ManifestSeat:
    queries.get_leg(session, leg_id, scope_of(officer))
    seat = session.get(ManifestSeat, seat_id)
    if seat is None or seat.leg_id != leg_id:
        raise NotFound("seat")
    return seat
