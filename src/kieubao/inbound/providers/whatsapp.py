"""WhatsApp Cloud API: X-Hub-Signature-256 is "sha256=" + HMAC-SHA256 (hex) of the raw body
with the app secret; subscribing answers hub.challenge when hub.verify_token is ours.
https://developers.facebook.com/docs/graph-api/webhooks/getting-started"""

from typing import Any

from kieubao.inbound.providers import Forged, hmac_hex, json_object, require, same
from kieubao.inbound.routing import Received
from kieubao.platform.errors import Invalid
from kieubao.platform.settings import get_settings
from kieubao.protection.actions import Inbound
from kieubao.protection.models import Channel

NAME = "whatsapp"


def challenge(mode: str, token: str, value: str) -> str:
    expected = require(get_settings().whatsapp_verify_token, NAME)
    if mode != "subscribe" or not same(token, expected):
        raise Forged("hub.verify_token does not match")
    return value


def verify(body: bytes, header: str | None) -> None:
    secret = require(get_settings().whatsapp_app_secret, NAME)
    if not header or not same(header, "sha256=" + hmac_hex(secret, body)):
        raise Forged("X-Hub-Signature-256 does not match this request")


def parse(body: bytes) -> list[Received]:
    data = json_object(body)
    if data.get("object") != "whatsapp_business_account":
        raise Invalid("object", "not a WhatsApp Business Account notification")
    found: list[Received | None] = []
    for entry in data.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            names = {
                str(c.get("wa_id")): str((c.get("profile") or {}).get("name") or "")
                for c in value.get("contacts") or []
            }
            # Delivery statuses come in "statuses"; only "messages" are people writing.
            found.extend(_message(m, names) for m in value.get("messages") or [])
    return [r for r in found if r is not None]


def _message(message: dict[str, Any], names: dict[str, str]) -> Received | None:
    kind = message.get("type")
    text = ""
    if kind == "text":
        text = str((message.get("text") or {}).get("body") or "")
    elif kind == "button":
        text = str((message.get("button") or {}).get("text") or "")
    sender, msg_id = str(message.get("from") or ""), str(message.get("id") or "")
    if not text.strip() or not sender or not msg_id:
        return None
    return Received(
        provider=NAME,
        message=Inbound(channel=Channel.whatsapp, sender=sender, provider_id=msg_id, text=text),
        name=names.get(sender, ""),
    )
