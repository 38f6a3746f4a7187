"""The community in the console: country profiles on a map and the work in figures. Every
staff role sees it, partner agencies included: there is no person on it."""

from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from kieubao.community import actions, queries
from kieubao.community.api.roles import Editor
from kieubao.community.pages.forms import read_form
from kieubao.community.schemas import ProfileIn, ProfileOut, StayStatus
from kieubao.platform import countries, gazetteer
from kieubao.platform.deps import SessionDep, Staff
from kieubao.platform.i18n import gettext as _
from kieubao.platform.web import render

router = APIRouter(prefix="/console/community")

STAY_STATUSES: tuple[str, ...] = get_args(StayStatus)


def map_points(profiles: list[ProfileOut]) -> list[dict[str, object]]:
    """A point per main city found in the gazetteer, labelled with the country's estimate."""
    points: list[dict[str, object]] = []
    for p in profiles:
        label = _("{country}: about {size} ({source}, {year})").format(
            country=countries.display_name(p.country),
            size=f"{p.estimated_size:,}",
            source=p.size_source,
            year=p.size_year,
        )
        for name in p.main_cities:
            city = gazetteer.geocode(p.country, name)
            if city is not None:
                share = p.estimated_size // len(p.main_cities)
                points.append(
                    {"lat": city.latitude, "lon": city.longitude, "size": share,
                     "label": f"{city.name} · {label}"}
                )  # fmt: skip
    return points


def _home(
    request: Request, session: SessionDep, values: dict[str, Any], errors: dict[str, str],
    status: int = 200,
) -> Response:  # fmt: skip
    profiles = queries.profiles(session)
    return render(
        request,
        "community/home.html",
        status,
        profiles=profiles,
        points=map_points(profiles),
        figures=queries.figures(session),
        events=queries.events(session)[:5],
        stay_statuses=STAY_STATUSES,
        values=values,
        errors=errors,
        country_name=countries.display_name,
    )


@router.get("", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, user: Staff) -> Response:
    return _home(request, session, {}, {})


@router.post("/profiles", response_class=HTMLResponse)
async def save_profile(request: Request, session: SessionDep, user: Editor) -> Response:
    """A country's profile from the form: the shares of stay statuses one number each."""
    form = await request.form()
    data, errors, values = read_form(
        ProfileIn, form, lists=("main_cities", "language_schools", "media")
    )
    mix = {s: str(form.get(f"mix_{s}") or "").strip() for s in STAY_STATUSES}
    values |= {f"mix_{s}": v for s, v in mix.items()}
    if data is not None:
        try:
            data = ProfileIn.model_validate(
                data.model_dump() | {"stay_status_mix": {s: v for s, v in mix.items() if v}}
            )
        except ValidationError as exc:
            errors = {"stay_status_mix": exc.errors()[0]["msg"].removeprefix("Value error, ")}
    if data is None or errors:
        return _home(request, session, values, errors, 422)
    actions.save_profile(session, acting_user=user, data=data)
    return RedirectResponse(f"/console/community#profile-{data.country}", status_code=303)
