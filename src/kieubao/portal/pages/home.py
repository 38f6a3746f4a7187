"""The portal's home, the advisories map and the country pages, kept by the page cache."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kieubao.outreach import bulletin_queries as bulletins
from kieubao.outreach import queries as advisories
from kieubao.platform import countries, i18n, missions
from kieubao.platform.deps import Anyone, SessionDep
from kieubao.platform.errors import NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.web import render
from kieubao.portal import alerts, worldmap
from kieubao.portal.cache import pages

router = APIRouter()

SVG_TYPE = "image/svg+xml"


def portal_context() -> dict[str, Any]:
    return {
        "country_name": countries.display_name,
        "level_name": advisories.level_names(i18n.current_locale.get()),
        "hotline": advisories.PROTECTION_HOTLINE,
        "countries": countries.all_countries(),
    }


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, _user: Anyone) -> Response:
    def build() -> Response:
        levels = advisories.levels_by_country(session)
        return render(
            request,
            "portal/home.html",
            alerts=alerts.current(session),
            levels=sorted(levels.items(), key=lambda item: (-item[1], item[0])),
            has_map=worldmap.available(),
            news=bulletins.latest_news(session, i18n.current_locale.get()),
            **portal_context(),
        )

    return pages.respond(request, session, build)


@router.get("/map/advisories.svg")
def advisories_map(request: Request, session: SessionDep, _user: Anyone) -> Response:
    if not worldmap.available():
        raise NotFound("map")

    def build() -> Response:
        title = _("Travel advisories by country")
        body = worldmap.svg(advisories.levels_by_country(session), title)
        return Response(body, media_type=SVG_TYPE)

    return pages.respond(request, session, build)


@router.get("/countries", response_class=HTMLResponse)
def choose_country(request: Request, _user: Anyone, country: str = "") -> Response:
    """The country chooser's answer, for browsers without script: on to its page."""
    code = countries.normalize_country(country) if country else None
    if code is None:
        return render(
            request,
            "portal/countries.html",
            422 if country else 200,
            error=_("Choose a country from the list.") if country else None,
            **portal_context(),
        )
    return RedirectResponse(f"/countries/{code}", status_code=303)


@router.get("/countries/{code}", response_class=HTMLResponse)
def country_page(code: str, request: Request, session: SessionDep, _user: Anyone) -> Response:
    country = code.upper()
    if not countries.is_valid(country):
        raise NotFound(f"country {country}")
    if code != country:
        return RedirectResponse(f"/countries/{country}", status_code=301)

    def build() -> Response:
        published = advisories.published(session, country)
        return render(
            request,
            "portal/country.html",
            country=country,
            advisory=max(published, key=lambda v: v.level) if published else None,
            regions=[v for v in published if v.advisory.region],
            missions=missions.answering_for(session, country),
            alerts=alerts.current(session, country),
            **portal_context(),
        )

    return pages.respond(request, session, build)
