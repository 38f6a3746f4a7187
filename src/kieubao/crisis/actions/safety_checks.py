"""Safety checks: "are you safe?" to everyone on a roster not heard from, each with their own
reply link, through the outbox (durable, once per person)."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.crisis.actions.roster import reply_link_token, require_open
from kieubao.crisis.models import Crisis, RosterEntry, SafetyCheck
from kieubao.platform import audit, outbox
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow
from kieubao.platform.models import User
from kieubao.platform.settings import get_settings
from kieubao.registry.models import Citizen, Consent, Purpose


def send_safety_check(
    session: Session,
    *,
    acting_user: Actor,
    crisis: Crisis,
    follow_up_of: SafetyCheck | None = None,
) -> SafetyCheck:
    """A new round to those still unaccounted for who agreed to crisis messages: by email
    when they gave one, else by SMS. Those who cannot be asked are counted, for the call list.

    A follow-up of an earlier round asks by the other channel (SMS after email, email after
    SMS); whoever has only the one channel is left to the officers' call list."""
    require_open(crisis)
    rounds = session.scalar(
        select(func.count()).where(SafetyCheck.crisis_id == crisis.id)
    )  # fmt: skip
    round_ = (rounds or 0) + 1
    latest = (
        select(Consent.citizen_id, func.max(Consent.id).label("consent_id"))
        .where(Consent.purpose == Purpose.crisis_alerts)
        .group_by(Consent.citizen_id)
        .subquery()
    )
    rows = session.execute(
        select(RosterEntry, Citizen, Consent.granted)
        .join(Citizen, Citizen.id == RosterEntry.citizen_id)
        .outerjoin(latest, latest.c.citizen_id == Citizen.id)
        .outerjoin(Consent, Consent.id == latest.c.consent_id)
        .where(RosterEntry.crisis_id == crisis.id, RosterEntry.status == "unaccounted")
        .order_by(RosterEntry.id)
    ).all()
    base = get_settings().base_url.rstrip("/")
    messages, not_asked = [], 0
    for entry, citizen, consent in rows:
        channel, address = _reach(citizen, second=follow_up_of is not None)
        if not consent or channel is None:
            not_asked += 1
            continue
        messages.append(
            outbox.Message(
                key=f"safety-check-{crisis.id}-{round_}-{entry.id}",
                channel=channel,
                address=address,
                fields={"name": citizen.full_name, "link": f"{base}/r/{reply_link_token(entry)}"},
            )
        )
    send_key = f"safety-check-{crisis.id}-{round_}"
    if messages:
        outbox.queue(
            session,
            send_key=send_key,
            kind="safety_check",
            context={"title": crisis.title},
            messages=messages,
        )
    check = SafetyCheck(
        crisis_id=crisis.id,
        round=round_,
        send_key=send_key,
        sent_at=utcnow(),
        sent_by_id=acting_user.id if isinstance(acting_user, User) else None,
        recipients=len(messages),
        not_asked=not_asked,
        follow_up_of=follow_up_of.id if follow_up_of else None,
    )
    if follow_up_of is not None:
        follow_up_of.followed_up_at = check.sent_at
    session.add(check)
    session.flush()
    audit.record(
        session,
        acting_user,
        "crisis.safety_check",
        "crisis",
        crisis.id,
        after={"round": round_, "recipients": len(messages), "not_asked": not_asked},
    )
    commit(session)
    return check


def follow_up_due(session: Session, *, acting_user: Actor) -> int:
    """Ask again, by the other channel, those a first round has not heard from in the time
    set; returns how many rounds were sent."""
    wait = timedelta(minutes=get_settings().safety_check_follow_up_minutes)
    due = session.scalars(
        select(SafetyCheck)
        .join(Crisis, Crisis.id == SafetyCheck.crisis_id)
        .where(
            Crisis.status == "open",
            SafetyCheck.follow_up_of.is_(None),
            SafetyCheck.followed_up_at.is_(None),
            SafetyCheck.sent_at <= utcnow() - wait,
        )
    ).all()
    for check in due:
        crisis = session.get(Crisis, check.crisis_id)
        assert crisis is not None  # joined above
        send_safety_check(session, acting_user=acting_user, crisis=crisis, follow_up_of=check)
    return len(due)


def _reach(citizen: Citizen, *, second: bool = False) -> tuple[str | None, str]:
    ways = []
    if citizen.email:
        ways.append(("email", citizen.email))
    if citizen.phones:
        ways.append(("sms", citizen.phones[0]))
    if second:
        return ways[1] if len(ways) > 1 else (None, "")
    return ways[0] if ways else (None, "")
