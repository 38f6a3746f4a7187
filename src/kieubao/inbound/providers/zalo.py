"""Zalo Official Account webhooks: X-ZEvent-Signature is "mac=" + SHA-256 (hex) of
app_id + raw body + timestamp + the OA secret key, app_id and timestamp read from the body.
https://developers.zalo.me/docs/official-account/webhook/tong-quan

Images, files, voice notes and videos (user_send_image, _file, _audio, _video) carry
attachments whose payload has the file's address on Zalo's file hosts; a shared position
(user_send_location) carries coordinates."""

from typing import Any

import httpx

from kieubao.inbound.providers import (
    Forged,
    Media,
    Received,
    download,
    hosts_of,
    require,
    same,
    sha256_hex,
)
from kieubao.platform.settings import get_settings
from kieubao.protection.actions import Inbound, IncomingFile
from kieubao.protection.models import Channel

NAME = "zalo"
EVENTS = frozenset(
    {
        "user_send_text",
        "user_send_image",
        "user_send_file",
        "user_send_audio",
        "user_send_video",
        "user_send_location",
    }
)
# Where Zalo keeps what users send (photo-*.zdn.vn, *.zadn.vn, dl*.zalo.me ...).
FILE_HOSTS = ("zdn.vn", "zadn.vn", "zalo.me", "zaloapp.com")
# Attachment types that are files, with their type and name when the payload says none.
FILES = {
    "image": ("image/jpeg", "zalo-image.jpg"),
    "file": ("", "zalo-file"),
    "audio": ("audio/aac", "zalo-voice.aac"),
    "video": ("video/mp4", "zalo-video.mp4"),
}


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
    if data.get("event_name") not in EVENTS:
        return []  # follows, reads, stickers: nothing a person wrote
    message = data.get("message")
    if not isinstance(message, dict):
        return []
    sender = str((data.get("sender") or {}).get("id") or "")
    msg_id, text = str(message.get("msg_id") or ""), str(message.get("text") or "")
    given = message.get("attachments")
    attachments = [a for a in given if isinstance(a, dict)] if isinstance(given, list) else []
    media = tuple(m for a in attachments if (m := _media(a)) is not None)
    location = next((p for a in attachments if (p := _location(a)) is not None), None)
    if not sender or not msg_id or not (text.strip() or media or location):
        return []
    return [
        Received(
            provider=NAME,
            message=Inbound(
                channel=Channel.zalo,
                sender=sender,
                provider_id=msg_id,
                text=text,
                location=location,
            ),
            media=media,
        )
    ]


def _media(attachment: dict[str, Any]) -> Media | None:
    kind = str(attachment.get("type") or "")
    payload = attachment.get("payload") or {}
    url = str(payload.get("url") or "") if isinstance(payload, dict) else ""
    if kind not in FILES or not url:
        return None
    content_type, name = FILES[kind]
    return Media(url, str(payload.get("name") or name), content_type)


def _location(attachment: dict[str, Any]) -> tuple[float, float] | None:
    payload = attachment.get("payload") or {}
    if attachment.get("type") != "location" or not isinstance(payload, dict):
        return None
    where = payload.get("coordinates") or {}
    try:
        # Zalo writes the numbers as strings.
        latitude, longitude = float(where["latitude"]), float(where["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    return (latitude, longitude) if -90 <= latitude <= 90 and -180 <= longitude <= 180 else None


def hosts() -> set[str]:
    return hosts_of(get_settings().zalo_base_url) | set(FILE_HOSTS)


def fetch(media: Media, http: httpx.Client) -> IncomingFile:
    # The address is Zalo's own, from a signed event: nothing to authenticate with.
    return download(http, media.reference, media)
