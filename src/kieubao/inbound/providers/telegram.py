"""Telegram bots: the secret_token given to setWebhook comes back in
X-Telegram-Bot-Api-Secret-Token; the body is one Update.
https://core.telegram.org/bots/api#setwebhook

A photo, document or voice note comes as a file_id: getFile gives its file_path, fetched
from /file/bot<token>/<file_path>. https://core.telegram.org/bots/api#getfile"""

from typing import Any

import httpx

from kieubao.inbound.providers import (
    Forged,
    Media,
    Received,
    Unfetchable,
    answered,
    download,
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

NAME = "telegram"
# The message fields that carry a file, with the type and name it has when they say none.
FILES = {
    "document": ("", "document"),
    "voice": ("audio/ogg", "voice.ogg"),
    "audio": ("audio/mpeg", "audio.mp3"),
    "video": ("video/mp4", "video.mp4"),
    "video_note": ("video/mp4", "video-note.mp4"),
}


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
    media, location = _media(message), _location(message)
    if not (text.strip() or media or location) or "id" not in chat:
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
                location=location,
            ),
            name=name,
            media=media,
        )
    ]


def _media(message: dict[str, Any]) -> tuple[Media, ...]:
    found: list[Media] = []
    photo = message.get("photo")
    if isinstance(photo, list) and photo and isinstance(photo[-1], dict):
        # The sizes of one photo, smallest first: the largest is the photo.
        largest = photo[-1]
        if largest.get("file_id"):
            found.append(Media(str(largest["file_id"]), "photo.jpg", "image/jpeg"))
    for field, (kind, default_name) in FILES.items():
        item = message.get(field)
        if isinstance(item, dict) and item.get("file_id"):
            name = str(item.get("file_name") or default_name)
            found.append(Media(str(item["file_id"]), name, str(item.get("mime_type") or kind)))
    return tuple(found)


def _location(message: dict[str, Any]) -> tuple[float, float] | None:
    where = message.get("location")
    if not isinstance(where, dict):
        return None
    try:
        latitude, longitude = float(where["latitude"]), float(where["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    valid = -90 <= latitude <= 90 and -180 <= longitude <= 180
    return (latitude, longitude) if valid else None


def hosts() -> set[str]:
    return hosts_of(get_settings().telegram_base_url)


def fetch(media: Media, http: httpx.Client) -> IncomingFile:
    settings = get_settings()
    token = settings.telegram_bot_token
    if not token:
        raise Unfetchable(
            _("no {provider} credentials are set on this server").format(provider="Telegram")
        )
    base = settings.telegram_base_url.rstrip("/")
    found = http.get(f"{base}/bot{token}/getFile", params={"file_id": media.reference})
    answer = (
        found.json() if found.headers.get("content-type", "").startswith("application/json") else {}
    )
    if not answer.get("ok"):
        if found.status_code == 400:
            # "file is too big" (bots may fetch 20 MB at most) or an unknown file id.
            raise Unfetchable(f"Telegram: {str(answer.get('description') or 'Bad Request')[:200]}")
        answered(found)
        raise httpx.DecodingError(
            _("{provider} gave no address for this file").format(provider="Telegram")
        )
    path = str((answer.get("result") or {}).get("file_path") or "")
    if not path or ".." in path.split("/"):
        raise Unfetchable(_("{provider} gave no address for this file").format(provider="Telegram"))
    return download(http, f"{base}/file/bot{token}/{path}", media)
