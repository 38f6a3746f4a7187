"""Channel adapters: how rendered messages leave the outbox (see :mod:`.base` for the rule
every adapter follows)."""

from kieubao.platform.channels.base import (
    Channel,
    Connection,
    LogChannel,
    OneByOne,
    Outcome,
    Outgoing,
    Rejected,
    Unconfirmed,
)
from kieubao.platform.channels.email import EmailChannel, message_id, mime_bytes, smtp_data
from kieubao.platform.channels.messengers import (
    TelegramChannel,
    WhatsAppChannel,
    ZaloChannel,
    whatsapp_template,
)
from kieubao.platform.channels.sms import SmsChannel

__all__ = [
    "CHANNELS",
    "Channel",
    "Connection",
    "LogChannel",
    "OneByOne",
    "Outcome",
    "Outgoing",
    "Rejected",
    "Unconfirmed",
    "get",
    "message_id",
    "mime_bytes",
    "smtp_data",
    "whatsapp_template",
]

CHANNELS: dict[str, Channel] = {
    c.name: c
    for c in (
        EmailChannel(),
        SmsChannel(),
        ZaloChannel(),
        TelegramChannel(),
        WhatsAppChannel(),
        LogChannel(),
    )
}


def get(name: str) -> Channel:
    return CHANNELS[name]
