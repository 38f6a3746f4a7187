"""Outreach's minute: scheduled bulletins whose time has come go out."""

from huey import crontab

from kieubao.outreach import bulletins
from kieubao.platform import audit
from kieubao.platform.db import session_scope
from kieubao.platform.jobs import job


@job(retries=0, schedule=crontab(minute="*"))
def send_scheduled_bulletins() -> None:
    with session_scope() as session:
        bulletins.send_due(session, acting_user=audit.System("scheduler"))
