"""Fetching the files messages announce, once their webhook has been answered: from the
provider's own hosts only, no larger than the inbound limit, of a kind a case keeps.

A failure that may pass (a timeout, the provider's "slow down" or its trouble) is tried
again later, a few times; a failure that will not pass, or the last one, is written on the
case with its reason, so no file is lost without anyone knowing."""

from datetime import datetime, timedelta
from types import ModuleType

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.inbound.models import InboundMedia
from kieubao.inbound.providers import Media, Unfetchable, telegram, twilio, whatsapp, zalo
from kieubao.platform import audit, safe_http
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Problem
from kieubao.platform.i18n import gettext as _
from kieubao.protection import actions as protection
from kieubao.protection import queries as cases

PROVIDERS: dict[str, ModuleType] = {p.NAME: p for p in (telegram, twilio, whatsapp, zalo)}
# Waits between attempts: the last failure after these is written on the case.
RETRY_AFTER = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
TIMEOUT = httpx.Timeout(30, connect=10)


def fetch(session: Session, media_id: int, *, now: datetime | None = None) -> str:
    """One attempt at one file; returns its state after it. A file already fetched or
    given up is left alone, so the job may run twice."""
    media = session.get(InboundMedia, media_id)
    if media is None or media.status != "pending":
        return media.status if media else "gone"
    case = cases.case_by_number(session, media.case_number)
    if case is None:
        # The case was erased under retention: nothing to keep the file with.
        media.status, media.last_error = "failed", "the case no longer exists"
        commit(session)
        return media.status
    actor = audit.System(f"inbound {media.provider}")
    provider = PROVIDERS[media.provider]
    announced = Media(media.reference, media.filename, media.content_type, media.sha256)
    try:
        with safe_http.client(
            hosts=provider.hosts(), timeout=TIMEOUT, follow_redirects=True
        ) as http:
            file = provider.fetch(announced, http)
        # Fetched and kept in one commit: a second run finds it done.
        media.status = "fetched"
        protection.attach_fetched(
            session, acting_user=actor, case=case, event_id=media.event_id, file=file
        )
    except (Unfetchable, Problem, safe_http.UnsafeAddress) as exc:
        session.rollback()
        _give_up(session, media, actor, _reason(exc))
    except (httpx.HTTPError, ValueError) as exc:
        # ValueError: an answer that was not the JSON the provider documents.
        session.rollback()
        _later(session, media, actor, _reason(exc), now or utcnow())
    return media.status


def due(session: Session, now: datetime | None = None) -> list[int]:
    """Files waiting for their next attempt."""
    return list(
        session.scalars(
            select(InboundMedia.id)
            .where(
                InboundMedia.status == "pending", InboundMedia.next_attempt_at <= (now or utcnow())
            )
            .order_by(InboundMedia.next_attempt_at)
            .limit(500)
        )
    )


def _later(
    session: Session, media: InboundMedia, actor: audit.Actor, reason: str, now: datetime
) -> None:
    media.attempts += 1
    media.last_error = reason[:500]
    if media.attempts > len(RETRY_AFTER):
        _give_up(session, media, actor, reason)
        return
    media.next_attempt_at = now + RETRY_AFTER[media.attempts - 1]
    commit(session)


def _give_up(session: Session, media: InboundMedia, actor: audit.Actor, reason: str) -> None:
    media.status, media.last_error = "failed", reason[:500]
    case = cases.case_by_number(session, media.case_number)
    if case is None:
        commit(session)
        return
    protection.fetch_failed(
        session,
        acting_user=actor,
        case=case,
        event_id=media.event_id,
        filename=media.filename,
        reason=reason,
    )


def _reason(exc: BaseException) -> str:
    """Why, in words that never repeat an address (a bot token sits in Telegram's)."""
    if isinstance(exc, Problem):
        return exc.detail
    if isinstance(exc, Unfetchable | safe_http.UnsafeAddress | httpx.DecodingError):
        return str(exc)
    if isinstance(exc, httpx.HTTPStatusError):
        return _("the provider answered HTTP {status}").format(status=exc.response.status_code)
    if isinstance(exc, httpx.TimeoutException):
        return _("the provider did not answer in time")
    if isinstance(exc, httpx.TransportError):
        return _("the provider could not be reached ({error})").format(error=type(exc).__name__)
    return _("the provider's answer could not be read ({error})").format(error=type(exc).__name__)
