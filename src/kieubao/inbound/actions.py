"""Writes of inbound beyond taking messages in: an erased person's threads forgotten."""

from collections.abc import Collection

from sqlalchemy import update
from sqlalchemy.orm import Session

from kieubao.inbound.models import InboundMessage
from kieubao.inbound.retention import FORGOTTEN
from kieubao.inbound.routing import thread_key
from kieubao.protection.models import Channel


def forget_senders(session: Session, *, addresses: Collection[str]) -> int:
    """As retention does it: the messages stay (a provider's retry is still known), who sent
    them goes, and a later message starts a new thread. The caller commits."""
    keys = sorted({thread_key(channel, a) for channel in Channel for a in addresses if a})
    result = session.execute(
        update(InboundMessage)
        .where(InboundMessage.thread_key.in_(keys))
        .values(thread_key=FORGOTTEN)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
