"""The outbox's minute: retries that came due and claims gone stale are sent on."""

from huey import crontab

from kieubao.platform import delivery
from kieubao.platform.jobs import job


@job(retries=0, schedule=crontab(minute="*"))
def sweep_outbox() -> None:
    delivery.sweep()
