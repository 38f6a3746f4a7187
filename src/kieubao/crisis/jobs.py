"""The crisis domain's background work: polling feeds, calling duty-phone gateways."""

import time
from contextlib import suppress

from huey import crontab
from sqlalchemy import select

from kieubao.crisis.actions.polling import due_sources, poll_source
from kieubao.crisis.actions.safety_checks import follow_up_due
from kieubao.crisis.actions.self_reports import place_pending
from kieubao.crisis.feeds import FeedError
from kieubao.crisis.fetch import FetchError
from kieubao.crisis.models import Alert, Crisis, FeedSource, SelfReport
from kieubao.platform import audit, safe_http
from kieubao.platform.db import session_scope
from kieubao.platform.jobs import enqueue, exclusive, job

SYSTEM = audit.System("early warning")
# How long the placing of self-registrations leaves the database to others between batches.
YIELD_S = 0.1


@job(schedule=crontab(minute="*"))
def poll_due_feeds() -> None:
    """Every minute: each source whose time has come is polled, one job each."""
    with session_scope() as session:
        for source in due_sources(session):
            enqueue(poll_feed, source_id=source.id)


@job(retries=0)  # a failed poll is put off by the source's own back-off, not retried now
def poll_feed(*, source_id: int) -> None:
    with exclusive(f"feed-{source_id}"), session_scope() as session:
        source = session.get(FeedSource, source_id)
        if source is None or not source.enabled:
            return
        # A failure is recorded on the source, with its next attempt: nothing to retry here.
        with suppress(FetchError, FeedError):
            poll_source(session, acting_user=SYSTEM, source=source)


@job(retries=5)
def call_webhook(*, alert_id: int, raised: int) -> None:
    """Tell a duty-phone gateway; the key lets it drop a repeat of the same raising."""
    with session_scope() as session:
        alert = session.get(Alert, alert_id)
        if alert is None or alert.times_raised != raised or not alert.rule.webhook_url:
            return
        payload = {
            "idempotency_key": f"alert-{alert.id}-{raised}",
            "alert_id": alert.id,
            "hazard": {"id": alert.hazard_id, "title": alert.hazard.title},
            "exposed": alert.exposed,
            "by_country": alert.by_country,
            "level": alert.level_rank,
            "message_vi": alert.message_vi,
            "message_en": alert.message_en,
        }
        url = alert.rule.webhook_url
    with safe_http.client(timeout=10) as http:
        http.post(url, json=payload).raise_for_status()


@job(schedule=crontab(minute="*"))
def sweep_self_reports() -> None:
    """Every minute: any open crisis with a self-registration still waiting is placed."""
    with session_scope() as session:
        crisis_ids = session.scalars(
            select(SelfReport.crisis_id).where(SelfReport.processed_at.is_(None)).distinct()
        )
        for crisis_id in list(crisis_ids):
            enqueue(place_self_reports, crisis_id=crisis_id)


@job(retries=3)
def place_self_reports(*, crisis_id: int) -> None:
    """Place every waiting self-registration of a crisis; one runner at a time per crisis,
    and a surge of submissions asks for this many times over: later runs find nothing."""
    with exclusive(f"self-reports-{crisis_id}"), session_scope() as session:
        crisis = session.get(Crisis, crisis_id)
        if crisis is None:
            return
        while place_pending(session, crisis=crisis):
            # The intake in other processes waits for SQLite's write lock in sleeps of up to
            # 100 ms: a loop that took it again at once would starve the intake in a surge.
            time.sleep(YIELD_S)


@job(schedule=crontab(minute="*/5"))
def follow_up_safety_checks() -> None:
    """Every five minutes: those a round did not reach, or did not hear from in time, are asked
    again by their next channel."""
    with exclusive("safety-check-follow-up"), session_scope() as session:
        follow_up_due(session, acting_user=SYSTEM)
