"""The directories in the console: experts (search, add, export) and associations."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kieubao.community import actions, queries
from kieubao.community.api.roles import Editor, Reader
from kieubao.community.pages.forms import read_form
from kieubao.community.schemas import AssociationIn, ExpertIn
from kieubao.platform import countries
from kieubao.platform.deps import SessionDep
from kieubao.platform.web import render

router = APIRouter(prefix="/console/community")

EXPERT_LISTS = ("fields", "affiliations", "degrees", "languages")


def _code(text: str) -> str | None:
    return countries.normalize_country(text) if text.strip() else None


@router.get("/experts", response_class=HTMLResponse)
def experts(
    request: Request, session: SessionDep, user: Reader, field: str = "", country: str = ""
) -> Response:
    code = _code(country)
    found = queries.experts(session, field=field or None, country=code)
    return render(
        request,
        "community/experts.html",
        experts=found,
        field=field,
        country=country,
        unknown_country=bool(country.strip()) and code is None,
        country_name=countries.display_name,
    )


@router.get("/experts/new", response_class=HTMLResponse)
def new_expert(request: Request, user: Editor) -> Response:
    return render(request, "community/expert_form.html", values={}, errors={})


@router.post("/experts/new", response_class=HTMLResponse)
async def create_expert(request: Request, session: SessionDep, user: Editor) -> Response:
    form = await request.form()
    data, errors, values = read_form(
        ExpertIn, form, lists=EXPERT_LISTS, checks=("consent_listing",), multi=("contributions",)
    )
    if data is None:
        return render(request, "community/expert_form.html", 422, values=values, errors=errors)
    expert = actions.save_expert(session, acting_user=user, data=data)
    return RedirectResponse(
        f"/console/community/experts?saved={expert.id}#expert-{expert.id}", status_code=303
    )


@router.get("/associations", response_class=HTMLResponse)
def associations(
    request: Request, session: SessionDep, user: Reader, country: str = ""
) -> Response:
    return render(
        request,
        "community/associations.html",
        associations=queries.associations(session, country=_code(country)),
        country=country,
        values={},
        errors={},
        country_name=countries.display_name,
    )


@router.post("/associations", response_class=HTMLResponse)
async def create_association(request: Request, session: SessionDep, user: Editor) -> Response:
    form = await request.form()
    data, errors, values = read_form(AssociationIn, form)
    if data is None:
        return render(
            request,
            "community/associations.html",
            422,
            associations=queries.associations(session),
            country="",
            values=values,
            errors=errors,
            country_name=countries.display_name,
        )
    association = actions.save_association(session, acting_user=user, data=data)
    return RedirectResponse(
        f"/console/community/associations#association-{association.id}", status_code=303
    )
