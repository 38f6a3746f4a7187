"""Protection's background work: new cases are settled (their people matched to the
registry, a life at risk escalated); steps that pass their deadline escalate; messages that
wait unread too long are flagged to the duty officers."""

from huey import crontab

from kieubao.platform import audit
from kieubao.platform.db import session_scope
from kieubao.platform.jobs import exclusive, job
from kieubao.protection.actions import alert_unread, escalate_overdue
from kieubao.protection.actions.settling import escalate_new, settle, settle_missed

SYSTEM = audit.System("protection")


@job(schedule=crontab(minute="*/5"))
def escalate_overdue_steps() -> None:
    """Every five minutes; a step escalates once, so a second run finds nothing to do."""
    with exclusive("protection-overdue"), session_scope() as session:
        escalate_overdue(session, acting_user=SYSTEM)


@job(schedule=crontab(minute="*"))
def alert_oldest_unread() -> None:
    """Every minute; each message alerts once, so a second run finds nothing to do."""
    with exclusive("protection-unread"), session_scope() as session:
        alert_unread(session, acting_user=SYSTEM)


@job()
def settle_cases(*, case_ids: list[int]) -> None:
    """Queued once per commit of new cases, whatever their number (settling.settle_later)."""
    with session_scope() as session:
        settle(session, acting_user=SYSTEM, case_ids=case_ids)


@job()
def escalate_cases(*, case_ids: list[int]) -> None:
    """Queued urgent with a commit of new cases of a life at risk (settling.escalate_later):
    in a surge their settling waits its turn behind thousands, their escalation must not."""
    with session_scope() as session:
        escalate_new(session, acting_user=SYSTEM, case_ids=case_ids)


@job(schedule=crontab(minute="*/5"))
def settle_missed_cases() -> None:
    """Every five minutes: a server killed after its commit never queued its settling."""
    with exclusive("protection-settle"), session_scope() as session:
        settle_missed(session, acting_user=SYSTEM)
