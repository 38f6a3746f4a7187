""" "I am in trouble abroad": three questions, one page each, no script needed, ending at the
protection report form already filled with what was answered.

Every answer so far travels in the query string, so each step is a plain GET form and the
browser's back button walks back through them.
"""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kieubao.platform import countries, missions
from kieubao.platform.deps import Anyone, SessionDep
from kieubao.platform.i18n import gettext as _
from kieubao.platform.web import render
from kieubao.portal.pages.home import portal_context
from kieubao.protection import queries as protection

router = APIRouter()

STEPS = ("where", "what", "danger")
DANGER = ("yes", "no")


@router.get("/help", response_class=HTMLResponse)
def guided_help(
    request: Request,
    session: SessionDep,
    _user: Anyone,
    country: str = "",
    city: str = "",
    what: str = "",
    danger: str = "",
) -> Response:
    city = city.strip()[:120]
    types = {t.code: t for t in protection.case_types(session)}
    answers = {"country": country, "city": city, "what": what, "danger": danger}

    def ask(step: str, error: str | None = None) -> Response:
        number = STEPS.index(step)
        # The answers of the steps before this one ride along; "back" drops the last of them.
        earlier = {"what": ("country", "city"), "danger": ("country", "city", "what")}
        carried = {k: answers[k] for k in earlier.get(step, ()) if answers[k]}
        previous = {k: v for k, v in carried.items() if k in earlier.get(STEPS[number - 1], ())}
        return render(
            request,
            "portal/help.html",
            422 if error else 200,
            step=step,
            number=number + 1,
            answers=answers,
            carried=carried,
            back=("/help?" + urlencode(previous)) if number else None,
            error=error,
            case_types=list(types.values()),
            **portal_context(),
        )

    code = countries.normalize_country(country) if country else None
    if code is None:
        return ask("where", _("Choose a country from the list.") if country else None)
    answers["country"] = code
    if what not in types and what != "unsure":
        return ask("what", _("Choose what happened.") if what else None)
    if danger not in DANGER:
        return ask("danger", _("Answer yes or no.") if danger else None)
    mission_code = missions.directory(session).for_place(code, city or None)
    prefill = {"country": code, "city": city, "case_type": "" if what == "unsure" else what}
    return render(
        request,
        "portal/help_done.html",
        answers=answers,
        mission=missions.by_code(session, mission_code) if mission_code else None,
        report_link="/protection/report?" + urlencode({k: v for k, v in prefill.items() if v}),
        **portal_context(),
    )
