"""Events and their delegates: lists for editors, figures for everyone else."""

from collections.abc import Collection
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from kieubao.community.models import Delegate, Event, FollowUp, Invitation
from kieubao.community.schemas import Attendance, DelegateIn, EventsHeld, HeldEvent
from kieubao.platform import crypto
from kieubao.platform.errors import NotFound
from kieubao.platform.settings import get_settings
from kieubao.platform.text import fold
from kieubao.registry.dates import parse_birth_date
from kieubao.registry.matching import parse_query_date
from kieubao.registry.names import read_name
from kieubao.registry.scoring import date_agreement, name_fit

CHECKIN = "delegate-checkin"
BADGE = "delegate-badge"


def events(session: Session) -> list[Event]:
    return list(session.scalars(select(Event).order_by(Event.starts_on.desc(), Event.id)))


def get_event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound("event")
    return event


def get_delegate(session: Session, event: Event, delegate_id: int) -> Delegate:
    delegate = session.get(Delegate, delegate_id)
    if delegate is None or delegate.event_id != event.id:
        raise NotFound("delegate")
    return delegate


def get_follow_up(session: Session, event: Event, follow_up_id: int) -> FollowUp:
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None or follow_up.event_id != event.id:
        raise NotFound("follow-up")
    return follow_up


def delegates(session: Session, event: Event, *, status: str | None = None) -> list[Delegate]:
    query = select(Delegate).where(Delegate.event_id == event.id)
    if status:
        query = query.where(Delegate.status == status)
    return list(session.scalars(query.order_by(Delegate.country, Delegate.full_name)))


def delegates_count(session: Session, event: Event) -> int:
    """Those holding a place: pending and approved registrations."""
    count = session.scalar(
        select(func.count())
        .select_from(Delegate)
        .where(Delegate.event_id == event.id, Delegate.status != "rejected")
    )
    return count or 0


def same_delegate(session: Session, event: Event, data: DelegateIn) -> Delegate | None:
    """A registration of the same person for this event: the same email, or a name the
    registry's matcher takes for the same person's with a birth date that agrees."""
    words = read_name(data.full_name)
    readings = parse_query_date(data.date_of_birth)
    email = data.email.casefold()
    for other in delegates(session, event):
        if other.status == "rejected":
            continue
        if other.email.casefold() == email:
            return other
        fit = name_fit(words, read_name(other.full_name))
        dates = date_agreement(readings, parse_birth_date(other.date_of_birth))
        if fit.same and (
            dates in ("exact", "swapped") or _unknown_in_same_place(dates, data, other)
        ):
            return other
    return None


def _unknown_in_same_place(dates: str, data: DelegateIn, other: Delegate) -> bool:
    # Without birth dates, the same name from the same city of the same country.
    return (
        dates == "unknown"
        and data.country == other.country
        and bool(data.city and other.city)
        and fold(data.city or "") == fold(other.city or "")
    )


def checkin_url(delegate: Delegate) -> str:
    """What a badge's QR code holds: a signed link an officer's phone opens at the door."""
    token = crypto.signed(CHECKIN, str(delegate.id))
    return f"{get_settings().base_url.rstrip('/')}/console/community/checkin/{token}"


def delegate_of_checkin(session: Session, token: str) -> Delegate:
    value = crypto.unsigned(CHECKIN, token)
    delegate = session.get(Delegate, int(value)) if value and value.isdigit() else None
    if delegate is None:
        raise NotFound("delegate")
    return delegate


def badge_url(delegate: Delegate) -> str:
    """The delegate's own link to her badge, to show on her phone at the door."""
    token = crypto.signed(BADGE, str(delegate.id))
    return f"{get_settings().base_url.rstrip('/')}/events/badge/{token}"


def delegate_of_badge(session: Session, token: str) -> Delegate:
    value = crypto.unsigned(BADGE, token)
    delegate = session.get(Delegate, int(value)) if value and value.isdigit() else None
    if delegate is None or delegate.status != "approved":
        raise NotFound("badge")
    return delegate


def invitations(session: Session, event: Event) -> list[Invitation]:
    query = select(Invitation).where(Invitation.event_id == event.id)
    return list(session.scalars(query.order_by(Invitation.country, Invitation.name)))


def follow_ups(session: Session, event: Event) -> list[FollowUp]:
    query = select(FollowUp).where(FollowUp.event_id == event.id)
    return list(session.scalars(query.order_by(FollowUp.due_on, FollowUp.id)))


def attendance(session: Session, event: Event) -> Attendance:
    rows = session.execute(
        select(Delegate.status, Delegate.country, Delegate.checked_in_at.is_not(None), func.count())
        .where(Delegate.event_id == event.id)
        .group_by(Delegate.status, Delegate.country, Delegate.checked_in_at.is_not(None))
    ).all()
    by_country: dict[str, int] = {}
    registered = approved = checked_in = 0
    for status, country, came, count in rows:
        registered += count if status != "rejected" else 0
        if status == "approved":
            approved += count
            by_country[country] = by_country.get(country, 0) + count
        checked_in += count if came else 0
    tasks: dict[str, int] = dict(
        session.execute(
            select(FollowUp.status, func.count())
            .where(FollowUp.event_id == event.id)
            .group_by(FollowUp.status)
        ).all()
    )
    return Attendance(
        event_id=event.id,
        capacity=event.capacity,
        registered=registered,
        approved=approved,
        checked_in=checked_in,
        by_country=dict(sorted(by_country.items())),
        follow_ups=tasks,
    )


def events_held(
    session: Session, *, start: date, end: date, countries: Collection[str] | None = None
) -> EventsHeld:
    """Events starting within the period (so one that spans two periods is counted once), in
    the given countries if any, each with its approved and checked-in delegates counted."""
    approved = Delegate.status == "approved"
    came = and_(approved, Delegate.checked_in_at.is_not(None))
    query = (
        select(
            Event.id,
            Event.title,
            Event.kind,
            Event.country,
            Event.city,
            Event.venue,
            Event.starts_on,
            Event.ends_on,
            func.coalesce(func.sum(case((approved, 1), else_=0)), 0).label("approved"),
            func.coalesce(func.sum(case((came, 1), else_=0)), 0).label("checked_in"),
        )
        .outerjoin(Delegate, Delegate.event_id == Event.id)
        .where(Event.starts_on >= start, Event.starts_on <= end)
        .group_by(Event.id)
        .order_by(Event.starts_on, Event.id)
    )
    if countries is not None:
        query = query.where(Event.country.in_(countries))
    held = [HeldEvent.model_validate(dict(row._mapping)) for row in session.execute(query)]
    return EventsHeld(
        events=len(held),
        approved=sum(e.approved for e in held),
        checked_in=sum(e.checked_in for e in held),
        held=held,
    )
