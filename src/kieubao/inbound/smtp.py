"""The mail server of intake (``kieubao intake smtp``): every mail to it is read and routed
before it is answered, so "250" means it is on disk and anything else says why not."""

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller

from kieubao.inbound import mail, routing
from kieubao.platform.db import session_scope
from kieubao.platform.errors import Problem
from kieubao.platform.settings import get_settings
from kieubao.platform.smtp_sink import Serving
from kieubao.protection.actions import TooLarge

log = logging.getLogger(__name__)

# Base64 makes attachments a third larger on the wire than on disk.
WIRE_OVERHEAD = 4 / 3
HEADROOM = 256 * 1024


class IntakeHandler:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes):
            raw = str(raw).encode()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, take, raw, str(envelope.mail_from or ""))


def take(raw: bytes, envelope_from: str) -> str:
    """One mail in; the SMTP reply to give."""
    try:
        received = mail.read(raw, envelope_from=envelope_from)
    except mail.Refused as exc:
        return exc.reply
    with session_scope() as session:
        try:
            outcome = routing.receive(session, received)
        except TooLarge as exc:
            session.rollback()
            return f"552 5.3.4 {exc.detail}"
        except Problem as exc:
            session.rollback()
            return f"550 5.6.0 {exc.detail}"
        except Exception:
            session.rollback()
            log.exception("mail from %s could not be taken in", envelope_from)
            return "451 4.3.0 the message could not be stored now, try again later"
    if outcome.kind == "safety_reply":
        return "250 2.0.0 your answer is recorded"
    return f"250 2.0.0 {outcome.kind} {outcome.case_number or ''}".strip()


class IntakeServer(Serving):
    """``with IntakeServer(port=2525):`` serves until the block ends."""

    def __init__(self, host: str = "127.0.0.1", port: int = 2525) -> None:
        limit = int(get_settings().inbound_max_bytes * WIRE_OVERHEAD) + HEADROOM
        self.port = port
        self.controller = Controller(
            IntakeHandler(), hostname=host, port=port, data_size_limit=limit
        )
