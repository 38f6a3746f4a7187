"""Outreach's jobs: scheduled bulletins whose time has come, and crisis alerts."""

from huey import crontab

from kieubao.outreach import bulletins, sending
from kieubao.platform import audit
from kieubao.platform.db import commit, session_scope
from kieubao.platform.jobs import job


@job(retries=0, schedule=crontab(minute="*"))
def send_scheduled_bulletins() -> None:
    with session_scope() as session:
        bulletins.send_due(session, acting_user=audit.System("scheduler"))


@job(retries=3)
def announce_crisis(*, crisis_id: int, title: str, country_codes: list[str]) -> None:
    """Subscribers of crisis alerts hear of a crisis opened in their countries; queued once
    per crisis (the outbox keys make a second run queue nothing)."""
    with session_scope() as session:
        sending.send_crisis_alert(
            session, crisis_id=crisis_id, title=title, country_codes=country_codes
        )
        commit(session)
