"""The breach register: recorded → assessed → authority notified → subjects notified (if
required) → closed, with the 72-hour clock from discovery and HQ alerted as it runs out."""

from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Conflict, Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import User
from kieubao.privacy import notices, rules
from kieubao.privacy.models import Breach, BreachStatus
from kieubao.privacy.schemas import BreachIn, BreachMove

NEXT = {
    BreachStatus.recorded: {BreachStatus.assessed},
    BreachStatus.assessed: {BreachStatus.authority_notified},
    # Telling the subjects is required for some breaches only: one may close straight away.
    BreachStatus.authority_notified: {BreachStatus.subjects_notified, BreachStatus.closed},
    BreachStatus.subjects_notified: {BreachStatus.closed},
    BreachStatus.closed: set(),
}


def _state(breach: Breach) -> dict[str, object]:
    return {"status": breach.status.value, "reference": breach.authority_reference}


def record_breach(session: Session, *, acting_user: User, data: BreachIn) -> Breach:
    now = utcnow()
    if data.discovered_at > now:
        raise Invalid("discovered_at", _("a breach cannot be discovered in the future"))
    if data.occurred_at and data.occurred_at > data.discovered_at:
        raise Invalid("occurred_at", _("a breach cannot occur after it was discovered"))
    breach = Breach(**data.model_dump(), recorded_by_id=acting_user.id, alerted=[])
    session.add(breach)
    session.flush()
    audit.record(
        session, acting_user, "privacy.breach_recorded", "breach", breach.id, after=_state(breach)
    )
    commit(session)
    return breach


def move_breach(session: Session, *, acting_user: User, breach: Breach, data: BreachMove) -> Breach:
    if data.status not in NEXT[breach.status]:
        raise Conflict(
            _("a breach that is {now} cannot become {next}").format(
                now=breach.status.value, next=data.status.value
            )
        )
    at = data.at or utcnow()
    if at < breach.discovered_at or at > utcnow():
        raise Invalid("at", _("the date must lie between the discovery and now"))
    before = _state(breach)
    if data.status is BreachStatus.authority_notified:
        if not data.reference:
            raise Invalid("reference", _("give the reference the authority gave the notification"))
        breach.authority_notified_at = at
        breach.authority_reference = data.reference
    elif data.status is BreachStatus.subjects_notified:
        breach.subjects_notified_at = at
    elif data.status is BreachStatus.closed:
        breach.closed_at = at
    breach.status = data.status
    audit.record(
        session, acting_user, "privacy.breach_moved", "breach", breach.id,
        before=before, after=_state(breach),
    )  # fmt: skip
    commit(session)
    return breach


def alert_breaches(session: Session, *, acting_user: Actor, now: datetime | None = None) -> int:
    """HQ is alerted once at each mark (48 h, 66 h after discovery) while the authority has
    not been told. Safe to run twice."""
    now = now or utcnow()
    sent = 0
    waiting = session.scalars(
        select(Breach)
        .where(Breach.status.in_([BreachStatus.recorded, BreachStatus.assessed]))
        .order_by(Breach.discovered_at)
    ).all()
    hq = notices.headquarters(session)
    for breach in waiting:
        since = (now - breach.discovered_at).total_seconds() / 3600
        due = [m for m in rules.deadlines().breach_alerts if since >= m and m not in breach.alerted]
        if not due:
            continue
        breach.alerted = [*breach.alerted, *due]
        left = max(0, round(rules.deadlines().breach_hours - since))
        notices.notify(
            session,
            hq,
            partial(_clock, breach.id, breach.title, left),
            f"/console/privacy/breaches/{breach.id}",
        )
        audit.record(
            session,
            acting_user,
            "privacy.breach_alerted",
            "breach",
            breach.id,
            after={"marks": due},
        )
        sent += 1
    commit(session)
    return sent


def _clock(breach_id: int, title: str, hours: int) -> str:
    return _("Breach {id} “{title}”: {hours} hours left to notify the authority (A05)").format(
        id=breach_id, title=title, hours=hours
    )
