"""Records age: trips end, residents re-confirm every year. Nothing is deleted silently."""

from datetime import date, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from kieubao.platform import audit, mail
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, on_commit, utcnow
from kieubao.platform.i18n import gettext as _
from kieubao.platform.jobs import enqueue
from kieubao.platform.settings import get_settings
from kieubao.registry.models import Citizen, RecordStatus, StayStatus, Trip

CONFIRM_EVERY = timedelta(days=365)
REMIND_AGAIN = timedelta(days=30)


def expire_trips(session: Session, *, acting_user: Actor, today: date) -> int:
    """Travellers whose every trip ended more than 30 days ago are marked expired, not deleted."""
    travellers = session.scalars(
        select(Citizen).where(
            Citizen.status == RecordStatus.active,
            Citizen.stay_status == StayStatus.tourist,
            Citizen.trips.any(),
            ~Citizen.trips.any(Trip.expires_on >= today),
        )
    ).all()
    for citizen in travellers:
        citizen.status = RecordStatus.expired
        audit.record(session, acting_user, "citizen.trip_expired", "citizen", citizen.id)
    commit(session)
    return len(travellers)


def mark_stale_and_remind(session: Session, *, acting_user: Actor, batch: int = 500) -> int:
    """Residents not confirmed for a year are marked stale and asked by email to re-confirm."""
    now = utcnow()
    due = session.scalars(
        select(Citizen)
        .where(
            Citizen.status.in_([RecordStatus.active, RecordStatus.stale]),
            Citizen.stay_status != StayStatus.tourist,
            Citizen.last_confirmed_at < now - CONFIRM_EVERY,
            or_(
                Citizen.reminder_sent_at.is_(None),
                and_(Citizen.reminder_sent_at < now - REMIND_AGAIN),
            ),
        )
        .limit(batch)
    ).all()
    url = f"{get_settings().base_url}/login/citizen?next=/me"
    for citizen in due:
        citizen.status = RecordStatus.stale
        citizen.reminder_sent_at = now
        audit.record(session, acting_user, "citizen.reconfirmation_asked", "citizen", citizen.id)
        if citizen.email:
            body = _(
                "Please check that your registration with the Vietnamese mission is still "
                "right, and confirm it here:"
            )
            on_commit(
                session,
                enqueue,
                mail.send_mail,
                to=citizen.email,
                subject=_("Is your registration still right?"),
                body=f"{body}\n\n{url}\n",
                message_id=mail.new_message_id(),
            )
    commit(session)
    return len(due)
