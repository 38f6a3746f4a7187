"""Events over JSON: sessions, invitations, public registration, approval, badges, check-in,
attendance and the follow-up of recommendations."""

from fastapi import APIRouter, Response

from kieubao.community import actions, queries
from kieubao.community.api.roles import Editor, Reader
from kieubao.community.badges import badges_pdf
from kieubao.community.models import Delegate
from kieubao.community.schemas import (
    Attendance,
    Decision,
    DelegateIn,
    DelegateOut,
    EventIn,
    EventOut,
    FollowUpIn,
    FollowUpOut,
    InvitationOut,
    InvitationsIn,
    Registered,
    SessionIn,
    SessionOut,
)
from kieubao.platform import audit, openapi
from kieubao.platform.deps import Anyone, SessionDep, Staff

router = APIRouter()


def delegate_out(delegate: Delegate) -> DelegateOut:
    return DelegateOut.model_validate(
        {
            **{f: getattr(delegate, f) for f in DelegateOut.model_fields if f != "session_ids"},
            "session_ids": [s.id for s in delegate.sessions],
        }
    )


@router.get("/events", response_model=list[EventOut])
def list_events(session: SessionDep, user: Staff) -> list[EventOut]:
    return [EventOut.model_validate(e) for e in queries.events(session)]


@router.post("/events", response_model=EventOut, status_code=201)
def create_event(data: EventIn, session: SessionDep, user: Editor) -> EventOut:
    return EventOut.model_validate(actions.save_event(session, acting_user=user, data=data))


@router.put("/events/{event_id}", response_model=EventOut)
def update_event(event_id: int, data: EventIn, session: SessionDep, user: Editor) -> EventOut:
    event = queries.get_event(session, event_id)
    return EventOut.model_validate(
        actions.save_event(session, acting_user=user, data=data, event=event)
    )


@router.get("/events/{event_id}/sessions", response_model=list[SessionOut])
def list_sessions(event_id: int, session: SessionDep, user: Anyone) -> list[SessionOut]:
    """Public: the registration form offers them."""
    event = queries.get_event(session, event_id)
    return [SessionOut.model_validate(s) for s in event.sessions]


@router.post("/events/{event_id}/sessions", response_model=SessionOut, status_code=201)
def add_session(event_id: int, data: SessionIn, session: SessionDep, user: Editor) -> SessionOut:
    event = queries.get_event(session, event_id)
    return SessionOut.model_validate(
        actions.add_session(session, acting_user=user, event=event, data=data)
    )


@router.post("/events/{event_id}/delegates", response_model=Registered, status_code=201)
def register(event_id: int, data: DelegateIn, session: SessionDep, user: Anyone) -> Registered:
    """Anyone may ask to attend; an editor approves."""
    event = queries.get_event(session, event_id)
    acting = user or audit.System("public delegate registration")
    delegate = actions.register_delegate(session, acting_user=acting, event=event, data=data)
    return Registered(id=delegate.id, status=delegate.status)


@router.get("/events/{event_id}/delegates", response_model=list[DelegateOut])
def list_delegates(
    event_id: int, session: SessionDep, user: Reader, status: str | None = None
) -> list[DelegateOut]:
    event = queries.get_event(session, event_id)
    return [delegate_out(d) for d in queries.delegates(session, event, status=status)]


@router.post("/events/{event_id}/delegates/{delegate_id}/decision", response_model=DelegateOut)
def decide(
    event_id: int, delegate_id: int, data: Decision, session: SessionDep, user: Editor
) -> DelegateOut:
    delegate = queries.get_delegate(session, queries.get_event(session, event_id), delegate_id)
    actions.decide_delegate(session, acting_user=user, delegate=delegate, status=data.status)
    return delegate_out(delegate)


@router.get(
    "/events/{event_id}/badges.pdf", **openapi.document("application/pdf", "Badges to print.")
)
def badges(
    event_id: int, session: SessionDep, user: Editor, delegate: int | None = None
) -> Response:
    """Badges of the approved delegates, or of one of them."""
    event = queries.get_event(session, event_id)
    if delegate is not None:
        chosen = [queries.get_delegate(session, event, delegate)]
        chosen = [d for d in chosen if d.status == "approved"]
    else:
        chosen = queries.delegates(session, event, status="approved")
    name = f"badges-{event.id}" + (f"-{delegate}" if delegate else "")
    return Response(
        badges_pdf(event, chosen),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


@router.post("/checkin/{token}", response_model=DelegateOut)
def check_in(token: str, session: SessionDep, user: Reader) -> DelegateOut:
    delegate = queries.delegate_of_checkin(session, token)
    return delegate_out(actions.check_in(session, acting_user=user, delegate=delegate))


@router.post("/events/{event_id}/invitations", response_model=list[InvitationOut])
def invite(
    event_id: int, data: InvitationsIn, session: SessionDep, user: Editor
) -> list[InvitationOut]:
    """Adds to the invitation list; answers with those added now."""
    event = queries.get_event(session, event_id)
    made = actions.invite(session, acting_user=user, event=event, data=data)
    return [InvitationOut.model_validate(i) for i in made]


@router.get("/events/{event_id}/invitations", response_model=list[InvitationOut])
def invitations(event_id: int, session: SessionDep, user: Reader) -> list[InvitationOut]:
    event = queries.get_event(session, event_id)
    return [InvitationOut.model_validate(i) for i in queries.invitations(session, event)]


@router.get("/events/{event_id}/attendance", response_model=Attendance)
def attendance(event_id: int, session: SessionDep, user: Staff) -> Attendance:
    """Figures every staff role may see, partner agencies included."""
    return queries.attendance(session, queries.get_event(session, event_id))


@router.get("/events/{event_id}/follow-ups", response_model=list[FollowUpOut])
def follow_ups(event_id: int, session: SessionDep, user: Staff) -> list[FollowUpOut]:
    event = queries.get_event(session, event_id)
    return [FollowUpOut.model_validate(f) for f in queries.follow_ups(session, event)]


@router.post("/events/{event_id}/follow-ups", response_model=FollowUpOut, status_code=201)
def add_follow_up(
    event_id: int, data: FollowUpIn, session: SessionDep, user: Editor
) -> FollowUpOut:
    event = queries.get_event(session, event_id)
    return FollowUpOut.model_validate(
        actions.save_follow_up(session, acting_user=user, event=event, data=data)
    )


@router.put("/events/{event_id}/follow-ups/{follow_up_id}", response_model=FollowUpOut)
def update_follow_up(
    event_id: int, follow_up_id: int, data: FollowUpIn, session: SessionDep, user: Editor
) -> FollowUpOut:
    event = queries.get_event(session, event_id)
    row = queries.get_follow_up(session, event, follow_up_id)
    return FollowUpOut.model_validate(
        actions.save_follow_up(session, acting_user=user, event=event, data=data, follow_up=row)
    )
