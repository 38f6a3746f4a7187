"""Delivery: workers claim due outbox rows, send them through their channel, record the outcome.

The guarantee, exactly:

* A claim moves a batch of due rows from "queued" to "sending" under the worker's name in
  one committed transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has a single
  writer), so two workers never hold the same row.
* The adapter brings a group of messages to the point where only their last byte is left
  (the SMTP end-of-data, the HTTP request). Those rows then move from "sending" (still held
  by this worker) to "sent" in one commit, and the last byte is written only for the rows
  that update took. A row in "sending" therefore never reached the provider, and taking it
  back after its worker died can never send it twice.
* Rows held by a worker that is gone (its process no longer exists on this host, or its
  claim is older than ``outbox_lease_s``) go back to "queued".
* What can be lost: the messages of the one group whose worker was killed between that
  commit and the write of their last bytes (a few microseconds); they are marked sent and
  never sent twice. A refusal the provider gives after the last byte turns the row to
  failed, or back to queued when it is temporary.
"""

import logging
import os
import socket
import time
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, Update, or_, select, update
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
    ids = list(session.scalars(due))
    if not ids:
        commit(session)
        return []
    rows = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == Status.queued)
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
    row.error = refusal.reason[:2000]
    row.claimed_by = None
    if refusal.permanent or row.attempts >= get_settings().outbox_max_attempts:
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
    session: Session, channel: channels.Channel, batch: list[channels.Outgoing], pacer: Pacer
) -> int:
    """Send a claimed batch over one connection; the number of messages handed over."""
    me = worker_name()
    taken: set[int] = set()

    def handed_over(ids: list[int]) -> set[int]:
        mine = _mark_sent(session, me, ids)
        taken.update(mine)
        return mine

    try:
        connection = channel.connect()
    except channels.Rejected as refusal:
        _record(session, {m.id: refusal for m in batch})
        return 0
    # A paced channel goes a message at a time; an unpaced one hands the adapter the batch.
    step = 1 if pacer.interval else len(batch)
    try:
        for start in range(0, len(batch), step):
            part = batch[start : start + step]
            for _ in part:
                pacer.wait()
            _record(session, connection.send(part, handed_over))
    finally:
        connection.close()
    return len(taken)


def _mark_sent(session: Session, me: str, ids: list[int]) -> set[int]:
    """The commit before the last byte: of these rows, the ones this worker still holds."""
    if not ids:
        return set()
    mine = session.scalars(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(ids),
            OutboxMessage.status == Status.sending,
            OutboxMessage.claimed_by == me,
        )
        .values(status=Status.sent, sent_at=utcnow(), error="")
        .returning(OutboxMessage.id)
    ).all()
    commit(session)
    return set(mine)


def _record(session: Session, outcomes: dict[int, channels.Outcome]) -> None:
    accepted = [{"id": i, "provider_id": p} for i, p in outcomes.items() if isinstance(p, str)]
    if accepted:
        session.execute(update(OutboxMessage), accepted)
    for message_id, outcome in outcomes.items():
        if isinstance(outcome, channels.Rejected):
            _record_refusal(session, message_id, outcome)
        elif isinstance(outcome, channels.Unconfirmed):
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(error=f"unconfirmed: {outcome}"[:2000])
            )
    commit(session)


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
    """Send every due message of a channel; the number handed over."""
    channel = channels.get(channel_name)
    settings = get_settings()
    pacer = Pacer(settings.outbox_rates.get(channel_name, 0.0))
    total = 0
    with session_scope() as session:
        while batch := claim(session, channel_name, batch_size or settings.outbox_batch):
            total += send_batch(session, channel, batch, pacer)
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
