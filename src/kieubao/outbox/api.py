"""Delivery receipts and bounces from the providers."""

import hmac
from typing import Annotated

from fastapi import APIRouter, Header

from kieubao.outbox.schemas import ReceiptIn, ReceiptOut
from kieubao.platform import channels, outbox
from kieubao.platform.deps import Anyone, SessionDep
from kieubao.platform.errors import Forbidden, NotFound
from kieubao.platform.settings import get_settings

router = APIRouter(prefix="/outbox", tags=["outbox"])


@router.post("/receipts/{channel}")
def receipt(
    channel: str,
    body: ReceiptIn,
    session: SessionDep,
    _caller: Anyone,
    token: Annotated[str, Header(alias="X-Receipt-Token")] = "",
) -> ReceiptOut:
    """A provider reports delivered, failed or bounced for the message it gave an id to.
    Providers are machines, not users: they prove themselves with the shared receipt secret."""
    secret = get_settings().outbox_receipt_secret
    if not secret or not hmac.compare_digest(token.encode(), secret.encode()):
        raise Forbidden("a receipt needs the provider's receipt token")
    if channel not in channels.CHANNELS:
        raise NotFound(f"channel {channel}")
    message = outbox.record_receipt(
        session,
        channel=channel,
        provider_id=body.provider_id,
        status=outbox.Status(body.status),
        reason=body.reason,
        disable_address=body.disable_address,
    )
    return ReceiptOut(key=message.key, status=message.status.value)
