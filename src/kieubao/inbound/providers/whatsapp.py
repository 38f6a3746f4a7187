"""WhatsApp Cloud API: X-Hub-Signature-256 is "sha256=" + HMAC-SHA256 (hex) of the raw body
with the app secret; subscribing answers hub.challenge when hub.verify_token is ours.
https://developers.facebook.com/docs/graph-api/webhooks/getting-started

An image, document, voice note or video comes as a media id: GET /<media id> with the access
token gives a short-lived URL on Meta's file host, fetched with the same token.
https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media"""

from typing import Any
from urllib.parse import quote

import httpx

from kieubao.inbound.providers import (
    Forged,
    Media,
    Received,
    Unfetchable,
    answered,
    download,
    hmac_hex,
    hosts_of,
    json_object,
    require,
    same,
)
from kieubao.platform.errors import Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.platform.settings import get_settings
from kieubao.protection.actions import Inbound, IncomingFile
from kieubao.protection.models import Channel

NAME = "whatsapp"
# Where the Cloud API keeps media files, beside the Graph API itself.
FILE_HOSTS = ("lookaside.fbsbx.com",)
# The message types that carry a file, with the name it has when it says none.
FILES = {"image": "image", "document": "document", "audio": "audio", "video": "video"}


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
    kind = str(message.get("type") or "")
    found = message.get(kind)
    body: dict[str, Any] = found if isinstance(found, dict) else {}
    text = ""
    media: tuple[Media, ...] = ()
    location: tuple[float, float] | None = None
    if kind == "text":
        text = str(body.get("body") or "")
    elif kind == "button":
        text = str(body.get("text") or "")
    elif kind in FILES and body.get("id"):
        text = str(body.get("caption") or "")
        name = str(body.get("filename") or FILES[kind])
        kind_of = str(body.get("mime_type") or "").split(";", 1)[0].strip()
        media = (Media(str(body["id"]), name, kind_of, str(body.get("sha256") or "")),)
    elif kind == "location":
        location = _location(body)
        text = ", ".join(str(body[k]) for k in ("name", "address") if body.get(k))
    sender, msg_id = str(message.get("from") or ""), str(message.get("id") or "")
    if not (text.strip() or media or location) or not sender or not msg_id:
        return None
    return Received(
        provider=NAME,
        message=Inbound(
            channel=Channel.whatsapp,
            sender=sender,
            provider_id=msg_id,
            text=text,
            location=location,
        ),
        name=names.get(sender, ""),
        media=media,
    )


def _location(body: dict[str, Any]) -> tuple[float, float] | None:
    try:
        latitude, longitude = float(body["latitude"]), float(body["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    return (latitude, longitude) if -90 <= latitude <= 90 and -180 <= longitude <= 180 else None


def hosts() -> set[str]:
    return hosts_of(get_settings().whatsapp_base_url) | set(FILE_HOSTS)


def fetch(media: Media, http: httpx.Client) -> IncomingFile:
    settings = get_settings()
    if not settings.whatsapp_token:
        raise Unfetchable(
            _("no {provider} credentials are set on this server").format(provider="WhatsApp")
        )
    bearer = {"Authorization": f"Bearer {settings.whatsapp_token}"}
    found = http.get(
        f"{settings.whatsapp_base_url.rstrip('/')}/{quote(media.reference, safe='')}",
        headers=bearer,
    )
    answered(found)
    url = str(found.json().get("url") or "")
    if not url:
        raise httpx.DecodingError(
            _("{provider} gave no address for this file").format(provider="WhatsApp")
        )
    return download(http, url, media, headers=bearer)
