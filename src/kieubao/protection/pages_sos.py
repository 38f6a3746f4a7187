"""The portal's SOS: one tap shares the phone's position and calls the nearest mission."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kieubao.platform import audit
from kieubao.platform.deps import Anyone, SessionDep
from kieubao.platform.errors import Problem
from kieubao.platform.i18n import gettext as _
from kieubao.platform.web import render
from kieubao.protection import actions, forms, limits
from kieubao.protection.api import client_ip
from kieubao.protection.schemas import SosIn

router = APIRouter(include_in_schema=False)
FIELDS = ("name", "phone", "email", "latitude", "longitude", "accuracy_m", "message")


@router.get("/protection/sos", response_class=HTMLResponse)
def sos_form(request: Request, _user: Anyone) -> Response:
    return render(request, "protection/sos.html", values={}, errors={})


@router.post("/protection/sos", response_class=HTMLResponse)
async def sos(request: Request, session: SessionDep, user: Anyone) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in FIELDS}
    if form.get("consent") != "yes" or not values["latitude"] or not values["longitude"]:
        # No position shared (no script, refused, or no consent): the full report form and
        # the hotline still reach the mission.
        errors = {"location": _("your position was not shared")}
        return render(request, "protection/sos.html", 422, values=values, errors=errors)
    sos_in, errors = forms.parse(SosIn, {k: v or None for k, v in values.items()})
    if sos_in is not None:
        try:
            limits.intake.hit(client_ip(request))
            acting = user or audit.System(f"public sos {client_ip(request)}")
            intake = actions.call_for_help(session, acting_user=acting, sos=sos_in)
        except Problem as exc:
            errors = forms.errors_of(exc)
        else:
            return render(request, "protection/reported.html", intake=intake)
    return render(request, "protection/sos.html", 422, values=values, errors=errors)
