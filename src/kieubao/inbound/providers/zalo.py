"""Zalo Official Account webhooks: X-ZEvent-Signature is "mac=" + SHA-256 (hex) of
app_id + raw body + timestamp + the OA secret key, app_id and timestamp read from the body.
https://developers.zalo.me/docs/official-account/webhook/tong-quan"""

from typing import Any

from kieubao.inbound.providers import Forged, require, same, sha256_hex
from kieubao.inbound.routing import Received
from kieubao.platform.settings import get_settings
from kieubao.protection.actions import Inbound
from kieubao.protection.models import Channel

NAME = "zalo"


def signature(secret: str, body: bytes, data: dict[str, Any]) -> str:
    signed = f"{data.get('app_id', '')}".encode() + body
    signed += f"{data.get('timestamp', '')}{secret}".encode()
    return "mac=" + sha256_hex(signed)


def verify(body: bytes, data: dict[str, Any], header: str | None) -> None:
    secret = require(get_settings().zalo_oa_secret_key, NAME)
    given = (header or "").strip()
    # Sent as "mac=<hex>"; some OA gateways pass the bare digest on.
    if given and not given.startswith("mac="):
        given = "mac=" + given
    if not header or not same(given, signature(secret, body, data)):
        raise Forged("X-ZEvent-Signature does not match this request")


def parse(data: dict[str, Any]) -> list[Received]:
    if data.get("event_name") != "user_send_text":
        return []  # follows, reads, stickers: nothing a person wrote
    message = data.get("message") or {}
    sender = str((data.get("sender") or {}).get("id") or "")
    msg_id, text = str(message.get("msg_id") or ""), str(message.get("text") or "")
    if not sender or not msg_id or not text.strip():
        return []
    return [
        Received(
            provider=NAME,
            message=Inbound(channel=Channel.zalo, sender=sender, provider_id=msg_id, text=text),
        )
    ]
