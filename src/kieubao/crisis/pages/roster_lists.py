"""A crisis roster on the map, and the lists from outside that fill it."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kieubao.crisis import actions, queries
from kieubao.crisis.actions.roster_lists import LIST_KINDS
from kieubao.crisis.feeds.geometry import circle_ring
from kieubao.crisis.models import Crisis
from kieubao.platform.deps import AnyOfficer, SessionDep, Staff, scope_of
from kieubao.platform.errors import Forbidden, Problem
from kieubao.platform.settings import get_settings
from kieubao.platform.web import render

router = APIRouter(prefix="/console/crisis")
# Marker colours: someone asks for help or is hurt; someone is not heard from; all accounted for.
URGENT, SILENT, CALM = "#c92a2a", "#e8590c", "#2b8a3e"


@router.get("/crises/{crisis_id}/map.json")
def roster_map(crisis_id: int, session: SessionDep, user: Staff) -> JSONResponse:
    """The crisis area, and its roster counted by status in each city."""
    crisis = queries.get_crisis(session, crisis_id)
    area = {
        "type": "Feature",
        "geometry": _area_geometry(crisis),
        "properties": {
            "id": crisis.id,
            "title": crisis.title,
            "level": 4,
            "exposed": None,
            "href": f"/console/crisis/crises/{crisis.id}",
        },
    }
    density = []
    for place in queries.roster_places(session, crisis, scope_of(user)):
        counts = place.by_status
        urgent = counts.get("needs_help", 0) + counts.get("injured", 0)
        density.append(
            {
                "country": place.country,
                "city": place.city,
                "lat": place.latitude,
                "lon": place.longitude,
                "count": sum(counts.values()),
                "by_status": counts,
                "colour": URGENT if urgent else SILENT if counts.get("unaccounted") else CALM,
            }
        )
    return JSONResponse(
        {"hazards": {"type": "FeatureCollection", "features": [area]}, "density": density}
    )


def _area_geometry(crisis: Crisis) -> dict[str, Any]:
    if crisis.hazard is not None and crisis.hazard.footprint:
        return dict(crisis.hazard.footprint)
    polygons = [p["coordinates"] for p in crisis.area.get("polygons", [])]
    polygons += [
        [[list(point) for point in circle_ring(c["lat"], c["lon"], c["radius_km"])]]
        for c in crisis.area.get("circles", [])
    ]
    return {"type": "MultiPolygon", "coordinates": polygons}


@router.post("/crises/{crisis_id}/lists", response_class=HTMLResponse)
def import_list(
    crisis_id: int,
    request: Request,
    file: UploadFile,
    session: SessionDep,
    officer: AnyOfficer,
    kind: Annotated[str, Form()],
    status: Annotated[str, Form()] = "",
) -> Response:
    """A host authority's (employer's, school's, airline's) list, put on the roster now."""
    crisis = queries.get_crisis(session, crisis_id)
    scope = scope_of(officer)
    if not any(scope.covers(c) for c in crisis.countries):
        raise Forbidden("this crisis is outside your jurisdiction")
    data = file.file.read(get_settings().import_max_bytes + 1)
    try:
        result = actions.import_roster_list(
            session,
            acting_user=officer,
            crisis=crisis,
            filename=file.filename or "",
            data=data,
            kind=kind,
            status=status or None,
        )
    except Problem as exc:
        session.rollback()
        return render(
            request,
            "crisis/list_result.html",
            exc.status,
            crisis=crisis,
            result=None,
            error=exc.detail,
            kinds=LIST_KINDS,
        )
    return render(
        request,
        "crisis/list_result.html",
        crisis=crisis,
        result=result,
        error=None,
        kinds=LIST_KINDS,
    )
