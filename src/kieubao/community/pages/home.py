"""The community in the console: country profiles on a map and the work in figures. Every
staff role sees it, partner agencies included: there is no person on it."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kieubao.community import queries
from kieubao.community.schemas import ProfileOut
from kieubao.platform import countries, gazetteer
from kieubao.platform.deps import SessionDep, Staff
from kieubao.platform.i18n import gettext as _
from kieubao.platform.web import render

router = APIRouter(prefix="/console/community")


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


@router.get("", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, user: Staff) -> Response:
    profiles = queries.profiles(session)
    return render(
        request,
        "community/home.html",
        profiles=profiles,
        points=map_points(profiles),
        figures=queries.figures(session),
        events=queries.events(session)[:5],
        country_name=countries.display_name,
    )
