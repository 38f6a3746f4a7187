"""Events: sessions, invitations from the directories, delegates from registration to check-in,
and the follow-up of the event's recommendations."""

from itertools import pairwise

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.community import queries
from kieubao.community.actions.rows import assign, fields_of
from kieubao.community.models import (
    Association,
    Delegate,
    DelegateSession,
    Event,
    EventSession,
    Expert,
    FollowUp,
    Invitation,
)
from kieubao.community.schemas import (
    DelegateIn,
    EventIn,
    FollowUpIn,
    InvitationsIn,
    SessionIn,
)
from kieubao.platform import audit, outbox
from kieubao.platform.audit import System
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Conflict, Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import User
from kieubao.registry import matching


def save_event(
    session: Session, *, acting_user: User, data: EventIn, event: Event | None = None
) -> Event:
    if event is not None:
        outside = [s.title for s in event.sessions if not _within(data, s)]
        if outside:
            raise Invalid(
                "ends_on",
                _("sessions fall outside these dates: {names}").format(names=", ".join(outside)),
            )
    before = fields_of(event, data) if event else None
    event = event or Event()
    assign(event, data)
    session.add(event)
    session.flush()
    audit.record(
        session,
        acting_user,
        "event.saved",
        "event",
        event.id,
        before=before,
        after=fields_of(event, data),
    )
    commit(session)
    return event


def _within(event: EventIn | Event, s: SessionIn | EventSession) -> bool:
    return event.starts_on <= s.starts_at.date() and s.ends_at.date() <= event.ends_on


def add_session(
    session: Session, *, acting_user: User, event: Event, data: SessionIn
) -> EventSession:
    """A session lies within the event's days, fits in the event, and shares its room with no
    session at the same time."""
    if not _within(event, data):
        raise Invalid("starts_at", _("the session is outside the event's dates"))
    if data.capacity > event.capacity:
        raise Invalid(
            "capacity",
            _("a session cannot hold more than the event ({capacity})").format(
                capacity=event.capacity
            ),
        )
    clash = session.scalar(
        select(EventSession.title).where(
            EventSession.event_id == event.id,
            func.lower(EventSession.room) == data.room.lower(),
            EventSession.starts_at < data.ends_at,
            EventSession.ends_at > data.starts_at,
        )
    )
    if clash is not None:
        raise Conflict(
            _("the room {room} is taken at that time by \u201c{title}\u201d").format(
                room=data.room, title=clash
            )
        )
    row = EventSession(**data.model_dump())
    event.sessions.append(row)
    session.flush()
    audit.record(
        session,
        acting_user,
        "event.session_added",
        "event",
        event.id,
        after={"session_id": row.id, "title": row.title},
    )
    commit(session)
    return row


def register_delegate(
    session: Session, *, acting_user: User | System, event: Event, data: DelegateIn
) -> Delegate:
    """A registration waits for approval. The same person twice (the registry's matcher on
    name and birth date, or the same email) is refused, and so are sessions that are full or
    at the same time as each other."""
    if not event.registration_open:
        raise Conflict(_("registration for this event is closed"))
    if queries.delegates_count(session, event) >= event.capacity:
        raise Conflict(_("the event is full"))
    twin = queries.same_delegate(session, event, data)
    if twin is not None:
        raise Conflict(
            _("this person is already registered for the event (registration {id})").format(
                id=twin.id
            )
        )
    chosen = _sessions(session, event, data.sessions)
    delegate = Delegate(**data.model_dump(exclude={"sessions"}), event_id=event.id)
    found = matching.match(
        session, name=data.full_name, date_of_birth=data.date_of_birth, country=data.country
    )
    delegate.citizen_id = found.best.id if found.best else None
    delegate.sessions = chosen
    session.add(delegate)
    session.flush()
    audit.record(
        session,
        acting_user,
        "delegate.registered",
        "delegate",
        delegate.id,
        after={"event_id": event.id, "sessions": [s.id for s in chosen]},
    )
    commit(session)
    return delegate


def _sessions(session: Session, event: Event, ids: list[int]) -> list[EventSession]:
    by_id = {s.id: s for s in event.sessions}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise Invalid(
            "sessions",
            _("not sessions of this event: {ids}").format(ids=", ".join(map(str, unknown))),
        )
    chosen = sorted({by_id[i] for i in ids}, key=lambda s: s.starts_at)
    for first, second in pairwise(chosen):
        if second.starts_at < first.ends_at:
            raise Invalid(
                "sessions",
                _("\u201c{a}\u201d and \u201c{b}\u201d are at the same time").format(
                    a=first.title, b=second.title
                ),
            )
    for s in chosen:
        taken = (
            session.scalar(
                select(func.count())
                .select_from(DelegateSession)
                .join(Delegate)
                .where(DelegateSession.session_id == s.id, Delegate.status != "rejected")
            )
            or 0
        )
        if taken >= s.capacity:
            raise Conflict(_("the session \u201c{title}\u201d is full").format(title=s.title))
    return chosen


def decide_delegate(
    session: Session, *, acting_user: User, delegate: Delegate, status: str
) -> Delegate:
    """An approved delegate is sent, in her language, the link to her badge."""
    if delegate.checked_in_at is not None:
        raise Conflict(_("a delegate who has checked in cannot be decided again"))
    before = delegate.status
    delegate.status = status
    audit.record(session, acting_user, "delegate.decided", "delegate", delegate.id,
                 before={"status": before}, after={"status": status})  # fmt: skip
    if status == "approved" and before != "approved":
        event = queries.get_event(session, delegate.event_id)
        key = f"delegate-approved-{delegate.id}"
        message = outbox.Message(
            key=key,
            channel="email",
            address=delegate.email,
            language=delegate.language,
            fields={"name": delegate.full_name, "link": queries.badge_url(delegate)},
        )
        outbox.queue(session, send_key=key, kind="delegate_approved",
                     context={"title": event.title}, messages=[message])  # fmt: skip
    commit(session)
    return delegate


def check_in(session: Session, *, acting_user: User, delegate: Delegate) -> Delegate:
    """At the door: approved delegates only, once; a second scan says when the first was."""
    if delegate.status != "approved":
        raise Conflict(_("this delegate is not approved"))
    if delegate.checked_in_at is not None:
        return delegate
    delegate.checked_in_at = utcnow()
    audit.record(
        session,
        acting_user,
        "delegate.checked_in",
        "delegate",
        delegate.id,
        after={"event_id": delegate.event_id},
    )
    commit(session)
    return delegate


def invite(
    session: Session, *, acting_user: User, event: Event, data: InvitationsIn
) -> list[Invitation]:
    """The invitation list built from the directories; those already invited are kept once."""
    made: list[Invitation] = []
    countries: list[str | None] = [*data.countries] or [None]
    for country in countries:
        if data.experts:
            for expert in queries.experts(
                session, field=data.field, country=country, listed_only=True
            ):
                made += _invite(session, event, expert=expert)
        if data.associations:
            for association in queries.associations(session, country=country):
                made += _invite(session, event, association=association)
    session.flush()
    audit.record(
        session,
        acting_user,
        "event.invited",
        "event",
        event.id,
        after={"invitations": [i.id for i in made]},
    )
    commit(session)
    return made


def _invite(
    session: Session,
    event: Event,
    *,
    expert: Expert | None = None,
    association: Association | None = None,
) -> list[Invitation]:
    column, row = (
        (Invitation.expert_id, expert) if expert else (Invitation.association_id, association)
    )
    assert row is not None
    exists = session.scalar(
        select(Invitation.id).where(Invitation.event_id == event.id, column == row.id)
    )
    if exists is not None:
        return []
    if expert is not None:
        invitation = Invitation(
            event_id=event.id,
            expert_id=expert.id,
            name=expert.full_name,
            country=expert.country,
            email=expert.email,
        )
    else:
        assert association is not None
        leader_email = next((p.get("email") for p in association.leaders if p.get("email")), None)
        invitation = Invitation(
            event_id=event.id,
            association_id=association.id,
            name=association.name_vi,
            country=association.country,
            email=leader_email,
        )
    session.add(invitation)
    return [invitation]


def save_follow_up(
    session: Session,
    *,
    acting_user: User,
    event: Event,
    data: FollowUpIn,
    follow_up: FollowUp | None = None,
) -> FollowUp:
    before = fields_of(follow_up, data) if follow_up else None
    follow_up = follow_up or FollowUp(event_id=event.id)
    assign(follow_up, data)
    session.add(follow_up)
    session.flush()
    audit.record(
        session,
        acting_user,
        "event.follow_up_saved",
        "event",
        event.id,
        before=before,
        after=fields_of(follow_up, data) | {"follow_up_id": follow_up.id},
    )
    commit(session)
    return follow_up
