"""The mission finder: which embassy or consulate answers for a country and city."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kieubao.platform import countries, missions
from kieubao.platform.deps import Anyone, SessionDep
from kieubao.platform.i18n import gettext as _
from kieubao.platform.web import render
from kieubao.portal.cache import pages
from kieubao.portal.pages.home import portal_context

router = APIRouter()


@router.get("/missions", response_class=HTMLResponse)
def finder(
    request: Request, session: SessionDep, _user: Anyone, country: str = "", city: str = ""
) -> Response:
    city = city.strip()[:120]
    if not country:
        return render(
            request, "portal/missions.html", found=None, values={}, errors={}, **portal_context()
        )
    code = countries.normalize_country(country)
    if code is None:
        return render(
            request,
            "portal/missions.html",
            422,
            found=None,
            values={"country": country, "city": city},
            errors={"country": _("Choose a country from the list.")},
            **portal_context(),
        )

    def build() -> Response:
        mission_code = missions.directory(session).for_place(code, city or None)
        found = missions.by_code(session, mission_code) if mission_code else None
        others = [m for m, _j in missions.answering_for(session, code) if m is not found]
        return render(
            request,
            "portal/missions.html",
            found=found,
            others=others,
            values={"country": code, "city": city},
            errors={},
            **portal_context(),
        )

    return pages.respond(request, session, build)
