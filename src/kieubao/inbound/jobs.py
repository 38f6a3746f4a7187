"""Inbound's background work: fetching the files messages announce."""

from huey import crontab

from kieubao.inbound import media
from kieubao.platform.db import session_scope
from kieubao.platform.jobs import enqueue, exclusive, job


@job()
def fetch_media(media_id: int) -> None:
    """One file, once at a time; safe to run twice (a file done is left alone)."""
    with exclusive(f"inbound-media-{media_id}"), session_scope() as session:
        media.fetch(session, media_id)


@job(schedule=crontab(minute="*"))
def fetch_due_media() -> None:
    """Every minute: the files whose next attempt is due, and any whose first job was lost."""
    with session_scope() as session:
        waiting = media.due(session)
    for media_id in waiting:
        enqueue(fetch_media, media_id=media_id)
