"""Polling a feed source: what came, what it changed, and when to ask again."""

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis.actions.ingest import IngestResult, ingest
from kieubao.crisis.feeds import FeedError
from kieubao.crisis.feeds.reports import Rejection
from kieubao.crisis.fetch import Fetched, FetchError, fetch
from kieubao.crisis.models import FeedSource, HazardReportRecord
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow

MAX_BACKOFF = timedelta(hours=6)
# CAP documents an index points to, fetched per poll at the most.
MAX_LINKS = 50

Fetcher = Callable[..., Fetched]


def poll_source(
    session: Session, *, acting_user: Actor, source: FeedSource, fetcher: Fetcher = fetch
) -> IngestResult:
    """Fetch a source (conditionally) and ingest what changed. A failure is recorded and
    the next poll put off twice as long each time, up to six hours.

    No transaction is open while the network answers: on SQLite a transaction holds the
    one write lock, and a slow or dead server must not stop everyone else writing."""
    now = utcnow()
    url, etag, last_modified, kind = source.url, source.etag, source.last_modified, source.kind
    commit(session)
    try:
        got = fetcher(url, etag=etag, last_modified=last_modified)
        result = IngestResult(kind=kind)
        if got.body is not None:
            result = ingest(session, acting_user=acting_user, body=got.body, kind=kind)
            _follow_links(session, acting_user, result, fetcher)
    except (FetchError, FeedError) as exc:
        # Both come before anything is written: the fetch, or the parse of the whole body.
        source.last_polled_at = now
        source.failures += 1
        source.last_error = str(exc)[:500]
        source.next_poll_at = now + min(
            timedelta(seconds=source.poll_seconds * 2**source.failures), MAX_BACKOFF
        )
        commit(session)
        raise
    source.last_polled_at = now
    source.etag, source.last_modified = got.etag, got.last_modified
    source.failures = 0
    source.last_error = None
    source.last_result = {k: v for k, v in result.as_dict().items() if k != "links"} | {
        "links": len(result.links),
        "not_modified": got.body is None,
    }
    source.next_poll_at = now + timedelta(seconds=source.poll_seconds)
    commit(session)
    return result


def _follow_links(session: Session, actor: Actor, result: IngestResult, fetcher: Fetcher) -> None:
    """Fetch the CAP alerts an index lists that we have not read yet."""
    known = set(
        session.scalars(
            select(HazardReportRecord.url).where(HazardReportRecord.url.in_(result.links))
        )
    )
    commit(session)
    for url in [u for u in result.links if u not in known][:MAX_LINKS]:
        try:
            got = fetcher(url)
            assert got.body is not None
            result.add(ingest(session, acting_user=actor, body=got.body, kind="cap"))
        except (FetchError, FeedError) as exc:
            result.rejected.append(Rejection(item=url, reason=str(exc)))


def due_sources(session: Session) -> list[FeedSource]:
    now = utcnow()
    return list(
        session.scalars(
            select(FeedSource).where(
                FeedSource.enabled.is_(True),
                (FeedSource.next_poll_at.is_(None)) | (FeedSource.next_poll_at <= now),
            )
        )
    )
