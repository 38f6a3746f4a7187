"""Protection's background work: steps that pass their deadline escalate."""

from huey import crontab

from kieubao.platform import audit
from kieubao.platform.db import session_scope
from kieubao.platform.jobs import exclusive, job
from kieubao.protection.actions import escalate_overdue

SYSTEM = audit.System("protection")


@job(schedule=crontab(minute="*/5"))
def escalate_overdue_steps() -> None:
    """Every five minutes; a step escalates once, so a second run finds nothing to do."""
    with exclusive("protection-overdue"), session_scope() as session:
        escalate_overdue(session, acting_user=SYSTEM)
