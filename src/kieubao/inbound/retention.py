"""What inbound forgets: who a message came from (its thread key holds a phone number or an
address) once it is older than settled outbox messages are kept. The message stays, so a
provider's late retry is still known; the sender's later messages start a new thread."""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kieubao.inbound.models import InboundMessage
from kieubao.platform.retention import Rule, limited, register
from kieubao.platform.settings import get_settings

FORGOTTEN = "-"


def _old_messages(session: Session, now: datetime, limit: int | None) -> list[int]:
    before = now - timedelta(days=get_settings().retention_outbox_days)
    query = (
        select(InboundMessage.id)
        .where(InboundMessage.received_at < before, InboundMessage.thread_key != FORGOTTEN)
        .order_by(InboundMessage.id)
    )
    return limited(session, query, limit)


def _forget_senders(session: Session, ids: list[int]) -> None:
    session.execute(
        update(InboundMessage).where(InboundMessage.id.in_(ids)).values(thread_key=FORGOTTEN)
    )


register(
    Rule(
        "inbound.senders",
        "who inbound messages came from, after the days settled messages are kept",
        _old_messages,
        _forget_senders,
    )
)
