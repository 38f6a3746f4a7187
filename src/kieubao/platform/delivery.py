"""Delivery: workers claim due outbox rows, send them through their channel, record the outcome.

The guarantee: every message reaches its provider at least once, each attempt under the same
key, and the provider or reader that honours the key keeps it exactly once. In steps:

* A claim moves a batch of due rows from "queued" to "sending" under the worker's name in
  one UPDATE ... RETURNING, committed before any byte leaves (``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL; SQLite has a single writer), so two live workers never hold the same row.
* The adapter sends the batch whole and reads each answer; the answers are committed in one
  executemany: "sent" with the provider's id only once the provider said it took the message,
  so nothing is ever marked sent that was not accepted (no loss).
* Rows held by a worker that is gone (its process no longer exists on this host, or its
  claim is older than ``outbox_lease_s``) go back to "queued" and are sent again. A message
  sent twice is one the provider accepted after the dead worker's last commit: at most the
  batch each of its delivery jobs had in flight. It goes again with the same key: SMTP's
  Message-ID (``<key@kieubao>``), which our sink honours and mail readers use to fold
  copies into one; the SMS gateway's Idempotency-Key header. Zalo, Telegram and WhatsApp
  take no key: there a repeat is possible for the messages of one unrecorded group, and
  paced channels record each message as soon as it is answered, so the group is one.
* No answer after the whole message went (a dropped connection) counts as not sent: it is
  tried again later under the same key.

Why not mark "sent" before the last byte (at most once): a safety check that never arrives
is invisible and may cost a life; one that arrives twice carries its key and is folded.
"""

import logging
import os
import socket
import time
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, Table, Update, bindparam, or_, select, update
from sqlalchemy.orm import Session

from kieubao.platform import channels
from kieubao.platform.db import commit, session_scope, utcnow
from kieubao.platform.jobs import enqueue, job, on_worker_start
from kieubao.platform.outbox_models import OutboxMessage, Status
from kieubao.platform.settings import get_settings

log = logging.getLogger(__name__)

RETRY_CAP_S = 6 * 3600


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(session: Session, channel: str, limit: int) -> list[channels.Outgoing]:
    """Take up to ``limit`` due rows of a channel for this worker, committed."""
    now = utcnow()
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == Status.queued,
            OutboxMessage.channel == channel,
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()), OutboxMessage.status == Status.queued)
        .values(
            status=Status.sending,
            claimed_by=worker_name(),
            claimed_at=now,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(
            OutboxMessage.id,
            OutboxMessage.key,
            OutboxMessage.address,
            OutboxMessage.subject,
            OutboxMessage.body,
            OutboxMessage.unsubscribe_url,
            OutboxMessage.template,
        )
    ).all()
    commit(session)
    return sorted((channels.Outgoing(*row) for row in rows), key=lambda m: m.id)


def _changed(session: Session, statement: Update) -> int:
    """How many rows an UPDATE changed."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def _retry_at(attempts: int) -> datetime:
    base = get_settings().outbox_retry_base_s
    return utcnow() + timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), RETRY_CAP_S))


def _record_refusal(session: Session, message_id: int, refusal: channels.Rejected) -> None:
    row = session.get(OutboxMessage, message_id, populate_existing=True)
    assert row is not None
    if row.status is not Status.sending or row.claimed_by != worker_name():
        return  # taken back meanwhile: its new holder says what became of it
    row.error = refusal.reason[:2000]
    row.claimed_by = None
    if refusal.retry_after is not None:
        # The provider asked for a pause (a rate limit): waiting is no failed attempt.
        row.status = Status.queued
        row.attempts = max(row.attempts - 1, 0)
        row.next_attempt_at = utcnow() + timedelta(seconds=min(refusal.retry_after, RETRY_CAP_S))
    elif refusal.permanent or row.attempts >= get_settings().outbox_max_attempts:
        row.status = Status.failed
    else:
        row.status = Status.queued
        row.next_attempt_at = _retry_at(row.attempts)


class Pacer:
    """Keeps one worker's pace on a channel at or under ``rate`` messages a second."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


def send_batch(
    session: Session,
    connection: channels.Connection,
    batch: list[channels.Outgoing],
    pacer: Pacer,
) -> int:
    """Send a claimed batch over an open connection; the number of messages accepted."""
    # A paced channel goes a message at a time; an unpaced one hands the adapter the batch.
    step = 1 if pacer.interval else len(batch)
    accepted = 0
    for start in range(0, len(batch), step):
        part = batch[start : start + step]
        for _ in part:
            pacer.wait()
        accepted += _record(session, connection.send(part))
    return accepted


_TABLE = cast(Table, OutboxMessage.__table__)
# An acceptance is a fact whoever holds the row now: recorded unless the row is settled, so
# a row taken back from a slow worker that got it through is not sent again.
_ACCEPTED = (
    update(_TABLE)
    .where(
        _TABLE.c.id == bindparam("message_id"),
        or_(_TABLE.c.status == Status.queued, _TABLE.c.status == Status.sending),
    )
    .values(
        status=Status.sent,
        provider_id=bindparam("provider_id"),
        sent_at=bindparam("at"),
        updated_at=bindparam("at"),
        claimed_by=None,
        error="",
    )
)


def _record(session: Session, outcomes: dict[int, channels.Outcome]) -> int:
    """One commit for a group's answers; the number accepted."""
    now = utcnow()
    accepted = [
        {"message_id": i, "provider_id": outcome[:200], "at": now}
        for i, outcome in outcomes.items()
        if isinstance(outcome, str)
    ]
    if accepted:
        # On the connection: the ORM would look each row up in its identity map.
        session.connection().execute(_ACCEPTED, accepted)
    for message_id, outcome in outcomes.items():
        if isinstance(outcome, channels.Rejected):
            _record_refusal(session, message_id, outcome)
        elif isinstance(outcome, channels.Unconfirmed):
            # It may have arrived: tried again under the same key, which folds a repeat.
            _record_refusal(
                session, message_id, channels.Rejected(f"unconfirmed: {outcome}", permanent=False)
            )
    commit(session)
    return len(accepted)


def release_abandoned(session: Session) -> int:
    """Give back rows held by workers that are gone; safe at any time (see the module)."""
    host = socket.gethostname()
    stale = utcnow() - timedelta(seconds=get_settings().outbox_lease_s)
    holders = session.scalars(
        select(OutboxMessage.claimed_by).where(OutboxMessage.status == Status.sending).distinct()
    ).all()
    gone = [h for h in holders if h and _dead_here(h, host)]
    released = _changed(
        session,
        update(OutboxMessage)
        .where(
            OutboxMessage.status == Status.sending,
            or_(OutboxMessage.claimed_by.in_(gone), OutboxMessage.claimed_at < stale),
        )
        .values(status=Status.queued, claimed_by=None, next_attempt_at=utcnow()),
    )
    commit(session)
    if released:
        log.warning("took back %d outbox messages from workers that went away", released)
    return int(released)


def _dead_here(holder: str, host: str) -> bool:
    name, _, pid = holder.rpartition(":")
    if name != host or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def drain(channel_name: str, *, batch_size: int | None = None) -> int:
    """Send every due message of a channel; the number accepted. One connection serves
    every batch, so SMTP sessions and HTTP keep-alives outlive a claim."""
    channel = channels.get(channel_name)
    settings = get_settings()
    rate = settings.outbox_rates.get(channel_name, 0.0)
    pacer = Pacer(rate)
    # A paced batch stays claimed while it is sent: ten seconds' worth leaves the rest to
    # other workers.
    batch_size = batch_size or (max(int(rate * 10), 1) if rate > 0 else settings.outbox_batch)
    total = 0
    connection: channels.Connection | None = None
    with session_scope() as session:
        try:
            while batch := claim(session, channel_name, batch_size):
                if connection is None:
                    try:
                        connection = channel.connect()
                    except channels.Rejected as refusal:
                        _record(session, {m.id: refusal for m in batch})
                        continue
                total += send_batch(session, connection, batch, pacer)
        finally:
            if connection is not None:
                connection.close()
    return total


def channels_due(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(OutboxMessage.channel)
            .where(OutboxMessage.status == Status.queued, OutboxMessage.next_attempt_at <= utcnow())
            .distinct()
        )
    )


@job(retries=5)
def deliver(*, channel: str) -> None:
    """Drain a channel; any number of these may run at once."""
    drain(channel)


@on_worker_start
def sweep() -> None:
    """Take back what dead workers held and start sending what is due: when a worker
    starts, and every minute (retries come due, claims go stale)."""
    with session_scope() as session:
        release_abandoned(session)
        due = channels_due(session)
    for name in due:
        enqueue(deliver, channel=name)
