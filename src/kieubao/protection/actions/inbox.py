"""The inbox at surge time: reading, claiming the next message, telling duty officers
when a message has waited too long."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from kieubao.platform import audit, i18n, outbox
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import User
from kieubao.platform.settings import get_settings
from kieubao.protection import inbox
from kieubao.protection.models import INBOX_KINDS, Case, CaseEvent, Notification
from kieubao.protection.notices import recipients


def _read(case: Case, officer: User, now: datetime) -> int:
    events = [e for e in case.events if e.kind in INBOX_KINDS and e.read_at is None]
    for event in events:
        event.read_at = now
        event.read_by_id = officer.id
    return len(events)


def mark_read(session: Session, *, acting_user: User, case: Case) -> int:
    """Every unread message of the case is read now, by this officer; returns how many."""
    count = _read(case, acting_user, utcnow())
    if count:
        audit.record(
            session, acting_user, "case.read", "case", case.number, after={"messages": count}
        )
    commit(session)
    return count


def claim_next(session: Session, *, acting_user: User) -> Case | None:
    """The oldest unread message nobody else holds: its case becomes this officer's (if
    nobody had it), and what it received is read. None when the queue is empty."""
    event = inbox.next_unclaimed(session, acting_user)
    if event is None:
        return None
    case = event.case
    if case.assignee_id is None:
        case.assignee_id = acting_user.id
        case.events.append(
            CaseEvent(kind="assigned", data={"officer": acting_user.email}, actor_id=acting_user.id)
        )
    count = _read(case, acting_user, utcnow())
    audit.record(
        session,
        acting_user,
        "case.claimed",
        "case",
        case.number,
        after={"assignee": case.assignee_id, "messages": count},
    )
    commit(session)
    return case


def alert_unread(session: Session, *, acting_user: Actor, now: datetime | None = None) -> int:
    """Tell the duty officers of each mission whose oldest unread message has waited longer
    than the setting, in the app and by email; once per message. Returns how many alerts."""
    now = now or utcnow()
    minutes = get_settings().protection_unread_alert_minutes
    alerted = 0
    for event in inbox.oldest_unread_per_mission(session, now - timedelta(minutes=minutes)):
        case = event.case
        waited = int((now - event.at).total_seconds() // 60)
        messages = []
        for user in recipients(session, case):
            with i18n.speaking(user.locale):
                text = _("A message of case {number} has waited {minutes} minutes unread").format(
                    number=case.number, minutes=waited
                )
            session.add(Notification(user_id=user.id, case_id=case.id, text=text))
            messages.append(
                outbox.Message(
                    key=f"unread-alert-{event.id}-{user.id}",
                    channel="email",
                    address=user.email,
                    language=user.locale,
                )
            )
        if messages:
            outbox.queue(
                session,
                send_key=f"unread-alert-{event.id}",
                kind="unread_alert",
                context={"number": case.number, "minutes": waited},
                messages=messages,
            )
        event.alerted_at = now
        audit.record(
            session,
            acting_user,
            "case.unread_alert",
            "case",
            case.number,
            after={"event": event.id, "minutes": waited, "told": len(messages)},
        )
        alerted += 1
    commit(session)
    return alerted
