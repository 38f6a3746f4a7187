"""The privacy JSON API: data-subject requests, the breach register and the record of
processing activities, under /api/v1/privacy."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import Response
from sqlalchemy.orm import Session

from kieubao.platform.deps import HQ, Admin, Allow, AnyOfficer, SessionDep, scope_of
from kieubao.platform.errors import Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import OFFICER_ROLES, Role, User
from kieubao.privacy import actions, draft, queries, rules
from kieubao.privacy.models import Breach, SubjectRequest
from kieubao.privacy.schemas import (
    ActivityIn,
    ActivityOut,
    BreachIn,
    BreachMove,
    BreachOut,
    RequestIn,
    RequestMove,
    RequestOut,
)
from kieubao.registry import actions as registry
from kieubao.registry import queries as registry_queries
from kieubao.registry.models import Citizen

router = APIRouter(prefix="/privacy", tags=["privacy"])
OfficerOrCitizen = Annotated[User, Depends(Allow(*OFFICER_ROLES, Role.citizen))]


def request_out(request: SubjectRequest) -> RequestOut:
    fields = {f: getattr(request, f) for f in RequestOut.model_fields if f != "hours_left"}
    return RequestOut.model_validate({**fields, "hours_left": queries.hours_left(request.due_at)})


def breach_out(breach: Breach) -> BreachOut:
    return BreachOut.model_validate(
        {
            **{f: getattr(breach, f) for f in BreachOut.model_fields if hasattr(breach, f)},
            "notify_by": rules.notify_by(breach.discovered_at),
            "hours_left": queries.breach_hours_left(breach),
        }
    )


def subject_of(session: Session, user: User, citizen_id: int | None) -> Citizen:
    """A citizen asks for themselves; an officer names a person of their jurisdiction."""
    if user.role is Role.citizen:
        record = registry_queries.citizen_of(session, user)
        if record is None:
            raise Invalid("citizen_id", _("register first: there is no record to ask about"))
        return record
    if citizen_id is None:
        raise Invalid("citizen_id", _("name the person the request is about"))
    return registry_queries.get_citizen(session, citizen_id, scope_of(user))


@router.get("/requests")
def list_requests(session: SessionDep, user: OfficerOrCitizen) -> list[RequestOut]:
    """Soonest deadline first: HQ sees all, a mission its countries, a citizen their own."""
    return [request_out(r) for r in queries.requests(session, user)]


@router.post("/requests", status_code=201)
def make_request(body: RequestIn, session: SessionDep, user: OfficerOrCitizen) -> RequestOut:
    citizen = subject_of(session, user, body.citizen_id)
    made = actions.receive_request(session, acting_user=user, citizen=citizen, data=body)
    return request_out(made)


@router.get("/requests/{request_id}")
def get_request(request_id: int, session: SessionDep, user: OfficerOrCitizen) -> RequestOut:
    return request_out(queries.get_request(session, user, request_id))


@router.post("/requests/{request_id}/status")
def move_request(
    request_id: int, body: RequestMove, session: SessionDep, user: AnyOfficer
) -> RequestOut:
    """Identity verified, work started, or refused with its reason; done is below."""
    request = queries.get_request(session, user, request_id)
    moved = actions.move_request(
        session, acting_user=user, request=request, status=body.status,
        note=body.note, identity_note=body.identity_note,
    )  # fmt: skip
    return request_out(moved)


@router.post("/requests/{request_id}/assign")
def assign_request(
    request_id: int,
    session: SessionDep,
    user: AnyOfficer,
    assignee_id: Annotated[int, Body(embed=True)],
) -> RequestOut:
    request = queries.get_request(session, user, request_id)
    assignee = next(
        (u for u in queries.officers_for(session, request) if u.id == assignee_id), None
    )
    if assignee is None:
        raise Invalid("assignee_id", _("not an officer for this request"))
    return request_out(
        actions.assign_request(session, acting_user=user, request=request, assignee=assignee)
    )


@router.post("/requests/{request_id}/done")
def carry_out(
    request_id: int,
    session: SessionDep,
    user: AnyOfficer,
    note: Annotated[str, Body(embed=True, max_length=4000)] = "",
) -> RequestOut:
    """Carry the request out: the erasure, the consent withdrawn, or the note of what was done."""
    request = queries.get_request(session, user, request_id)
    citizen = registry_queries.get_citizen(session, request.citizen_id, scope_of(user))
    done = actions.carry_out(session, acting_user=user, request=request, citizen=citizen, note=note)
    return request_out(done)


@router.get("/requests/{request_id}/export")
def export(request_id: int, session: SessionDep, user: AnyOfficer) -> dict[str, Any]:
    """The copy of the data an access request asks for, made now and never stored."""
    request = queries.get_request(session, user, request_id)
    citizen = registry_queries.get_citizen(session, request.citizen_id, scope_of(user))
    return registry.export_citizen_data(session, acting_user=user, citizen=citizen)


@router.get("/breaches")
def list_breaches(session: SessionDep, user: HQ) -> list[BreachOut]:
    return [breach_out(b) for b in queries.breaches(session)]


@router.post("/breaches", status_code=201)
def record_breach(body: BreachIn, session: SessionDep, user: HQ) -> BreachOut:
    return breach_out(actions.record_breach(session, acting_user=user, data=body))


@router.get("/breaches/{breach_id}")
def get_breach(breach_id: int, session: SessionDep, user: HQ) -> BreachOut:
    return breach_out(queries.get_breach(session, breach_id))


@router.post("/breaches/{breach_id}/status")
def move_breach(breach_id: int, body: BreachMove, session: SessionDep, user: HQ) -> BreachOut:
    breach = queries.get_breach(session, breach_id)
    return breach_out(actions.move_breach(session, acting_user=user, breach=breach, data=body))


@router.get("/breaches/{breach_id}/notification.docx")
def notification_docx(breach_id: int, session: SessionDep, user: HQ) -> Response:
    """The draft notification to A05, Vietnamese then English, to complete and sign."""
    breach = queries.get_breach(session, breach_id)
    return Response(
        draft.docx_bytes(breach),
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="breach-{breach.id}-a05.docx"'},
    )


@router.get("/processing")
def list_activities(session: SessionDep, user: HQ) -> list[ActivityOut]:
    return [ActivityOut.model_validate(a) for a in queries.activities(session)]


@router.put("/processing/{code}")
def update_activity(code: str, body: ActivityIn, session: SessionDep, user: Admin) -> ActivityOut:
    activity = queries.get_activity(session, code)
    updated = actions.update_activity(session, acting_user=user, activity=activity, data=body)
    return ActivityOut.model_validate(updated)
