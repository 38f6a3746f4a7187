"""The early-warning board: hazards on a map, who is exposed, alerts arriving live."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from kieubao.crisis import actions, queries
from kieubao.crisis.models import Hazard
from kieubao.platform import countries, i18n
from kieubao.platform.db import commit, read_scope
from kieubao.platform.deps import AnyOfficer, SessionDep, Staff, scope_of
from kieubao.platform.models import User
from kieubao.platform.web import render, templates
from kieubao.registry import queries as registry

router = APIRouter(prefix="/console/crisis")

# How often the live stream looks for new alerts: well inside the 2 s the board promises.
STREAM_POLL_S = 0.25


# The board lists the hazards holding the most citizens first; the map draws them all.
BOARD_HAZARDS = 50


@router.get("", response_class=HTMLResponse)
def board(request: Request, session: SessionDep, user: Staff) -> Response:
    scope = scope_of(user)
    return render(
        request,
        "crisis/board.html",
        hazards=queries.hazards(session, limit=BOARD_HAZARDS, most_exposed_first=True),
        summary=queries.active_summary(session),
        crises=queries.crises(session),
        alerts=queries.alerts(session, limit=30) if user.is_officer else [],
        outlook=queries.outlook(session, scope),
        last_notification=queries.last_notification(session, user),
        sources=queries.feed_sources(session),
        country_name=countries.display_name,
    )


@router.get("/map.json")
def map_layers(session: SessionDep, user: Staff) -> JSONResponse:
    """The board's map: hazard footprints, and registered citizens counted by city (never
    one person's point)."""
    features: list[dict[str, Any]] = []
    for hazard in queries.hazards(session, limit=500):
        if hazard.footprint:
            features.append(
                {
                    "type": "Feature",
                    "geometry": hazard.footprint,
                    "properties": _hazard_props(hazard),
                }
            )
    places = [
        {"country": c, "city": city, "count": n, "lat": lat, "lon": lon}
        for c, city, n, lat, lon in registry.live_counts_by_place(session, scope_of(user))
    ]
    return JSONResponse(
        {"hazards": {"type": "FeatureCollection", "features": features}, "density": places}
    )


def _hazard_props(hazard: Hazard) -> dict[str, Any]:
    return {
        "id": hazard.id,
        "title": hazard.title,
        "type": hazard.hazard_type,
        "exposed": hazard.exposed,
        "level": hazard.level_rank,
    }


@router.get("/hazards/{hazard_id}", response_class=HTMLResponse)
def hazard_page(
    hazard_id: int, request: Request, session: SessionDep, user: Staff, after_id: int = 0
) -> Response:
    hazard = queries.get_hazard(session, hazard_id)
    found = (
        queries.exposure_in(session, hazard.area, scope_of(user), after_id=max(after_id, 0))
        if hazard.area
        else None
    )
    return render(
        request,
        "crisis/hazard.html",
        hazard=hazard,
        exposure=found,
        history=queries.history(session, hazard),
        country_name=countries.display_name,
    )


@router.post("/alerts/{alert_id}/acknowledge", response_class=HTMLResponse)
def acknowledge(
    alert_id: int, request: Request, session: SessionDep, officer: AnyOfficer
) -> Response:
    alert = actions.acknowledge_alert(
        session, acting_user=officer, alert=queries.get_alert(session, alert_id)
    )
    return render(request, "crisis/_alert.html", alert=alert, country_name=countries.display_name)


@router.get("/stream")
async def stream(
    request: Request, user: Staff, session: SessionDep, after: int | None = None
) -> StreamingResponse:
    """Server-sent events: each alert this user is told of, as the board's HTML for it."""
    user_id, locale = user.id, i18n.current_locale.get()
    # The request's session would stay open, holding SQLite's write lock, for as long as
    # the board is watched: end it now.
    commit(session)
    resume = request.headers.get("last-event-id", "")
    start = int(resume) if resume.isdigit() else after

    async def events() -> AsyncIterator[str]:
        last = start if start is not None else await run_in_threadpool(_last_for, user_id)
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            for notification_id, html in await run_in_threadpool(_new_for, user_id, last, locale):
                last = notification_id
                data = "\n".join(f"data: {line}" for line in html.splitlines())
                yield f"id: {notification_id}\nevent: alert\n{data}\n\n"
            await asyncio.sleep(STREAM_POLL_S)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _last_for(user_id: int) -> int:
    with read_scope() as session:
        user = session.get(User, user_id)
        return queries.last_notification(session, user) if user else 0


def _new_for(user_id: int, after: int, locale: str) -> list[tuple[int, str]]:
    with i18n.speaking(locale), read_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            return []
        template = templates().get_template("crisis/_alert.html")
        return [
            (
                notification_id,
                template.render(
                    alert=alert, country_name=countries.display_name, live=True, locale=locale
                ),
            )
            for notification_id, alert in queries.notifications_after(session, user, after)
        ]
