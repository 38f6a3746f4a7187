"""Delivery receipts and bounces from the providers."""

from fastapi import APIRouter

from kieubao.outbox.schemas import ReceiptIn, ReceiptOut
from kieubao.platform import channels, outbox
from kieubao.platform.deps import Admin, SessionDep
from kieubao.platform.errors import NotFound

router = APIRouter(prefix="/outbox", tags=["outbox"])


@router.post("/receipts/{channel}")
def receipt(channel: str, body: ReceiptIn, session: SessionDep, _user: Admin) -> ReceiptOut:
    """A provider reports delivered, failed or bounced for the message it gave an id to.
    Providers call with an admin's API token issued for that purpose."""
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
