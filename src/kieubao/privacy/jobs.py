"""Privacy's background work: request deadlines and the breach clock, checked hourly."""

from huey import crontab

from kieubao.platform import audit
from kieubao.platform.db import session_scope
from kieubao.platform.jobs import exclusive, job
from kieubao.privacy.actions import alert_breaches, remind_due

SYSTEM = audit.System("privacy")


@job(schedule=crontab(minute="*/15"))
def remind_request_deadlines() -> None:
    """Each reminder goes once, so a second run finds nothing to do."""
    with exclusive("privacy-requests"), session_scope() as session:
        remind_due(session, acting_user=SYSTEM)


@job(schedule=crontab(minute="*/15"))
def alert_breach_clock() -> None:
    """Every quarter hour: the 48 h and 66 h marks are never more than 15 minutes late."""
    with exclusive("privacy-breaches"), session_scope() as session:
        alert_breaches(session, acting_user=SYSTEM)
