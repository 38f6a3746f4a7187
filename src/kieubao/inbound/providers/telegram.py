"""Telegram bots: the secret_token given to setWebhook comes back in
X-Telegram-Bot-Api-Secret-Token; the body is one Update.
https://core.telegram.org/bots/api#setwebhook"""

from kieubao.inbound.providers import Forged, json_object, require, same
from kieubao.inbound.routing import Received
from kieubao.platform.errors import Invalid
from kieubao.platform.settings import get_settings
from kieubao.protection.actions import Inbound
from kieubao.protection.models import Channel

NAME = "telegram"


def verify(header: str | None) -> None:
    secret = require(get_settings().telegram_webhook_secret, NAME)
    if not header or not same(header, secret):
        raise Forged("X-Telegram-Bot-Api-Secret-Token does not match")


def parse(body: bytes) -> list[Received]:
    update = json_object(body)
    if "update_id" not in update:
        raise Invalid("body", "not a Telegram Update")
    message = update.get("message")
    if not isinstance(message, dict):
        return []  # edits, channel posts, callbacks
    text = str(message.get("text") or message.get("caption") or "")
    chat = message.get("chat") or {}
    if not text.strip() or "id" not in chat:
        return []
    person = message.get("from") or {}
    name = " ".join(str(person.get(k) or "") for k in ("first_name", "last_name")).strip()
    return [
        Received(
            provider=NAME,
            message=Inbound(
                channel=Channel.telegram,
                sender=str(chat["id"]),
                # Unique per bot: a retried delivery repeats it.
                provider_id=str(update["update_id"]),
                text=text,
            ),
            name=name,
        )
    ]
