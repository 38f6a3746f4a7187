"""The people and duplicates of a case: a subject registered, a duplicate case merged."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from kieubao.platform.deps import AnyOfficer, SessionDep
from kieubao.platform.errors import Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.protection import actions, queries

router = APIRouter(include_in_schema=False)


@router.post("/console/cases/{number}/merge")
async def merge(
    request: Request, number: str, session: SessionDep, officer: AnyOfficer
) -> Response:
    """The case named in the form is closed into this one; both must be in the officer's scope."""
    other = str((await request.form()).get("duplicate") or "").strip().upper()
    if not other:
        raise Invalid("duplicate", _("name the case to merge"))
    keep = queries.get_case(session, officer, number=number)
    duplicate = queries.get_case(session, officer, number=other)
    actions.merge_cases(session, acting_user=officer, keep=keep, duplicate=duplicate)
    return RedirectResponse(f"/console/cases/{keep.number}", status_code=303)


@router.post("/console/cases/{number}/subjects/{subject_id}/register")
def register_subject(
    number: str, subject_id: int, session: SessionDep, officer: AnyOfficer
) -> Response:
    case = queries.get_case(session, officer, number=number)
    actions.register_subject(session, acting_user=officer, case=case, subject_id=subject_id)
    return RedirectResponse(f"/console/cases/{number}", status_code=303)
