"""Messaging apps: Zalo Official Account, Telegram bots, WhatsApp Cloud API. Each speaks its
provider's documented request and answer, and tells a final refusal (the person cannot be
reached there) from one worth trying again."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from kieubao.platform.channels.base import Connection, Outcome, Outgoing, Rejected, Unconfirmed
from kieubao.platform.channels.http import (
    DEFAULT_PAUSE_S,
    HttpConnection,
    by_status,
    json_of,
    number,
    unconfigured,
)
from kieubao.platform.db import session_scope, utcnow
from kieubao.platform.outbox_models import LastHeard
from kieubao.platform.settings import get_settings

# Zalo OA errors that will not clear for this person: invalid parameter (a bad user id),
# not a follower of the OA, blocked the OA, no interaction within the reply window.
ZALO_FINAL = {-201, -213, -217, -230}
ZALO_RATE_LIMITED = -32


class ZaloConnection(HttpConnection):
    """Zalo OA's customer-service message (API v3): JSON ``{recipient: {user_id}, message:
    {text}}`` with the OA's token in an ``access_token`` header, answered HTTP 200 with
    ``{error, message, data: {message_id}}``; ``error`` is 0 on success."""

    provider = "Zalo"

    def __init__(self) -> None:
        settings = get_settings()
        if not settings.zalo_access_token:
            raise unconfigured("Zalo OA")
        self.url = f"{settings.zalo_base_url.rstrip('/')}/v3.0/oa/message/cs"
        super().__init__(headers={"access_token": settings.zalo_access_token})

    def request(self, message: Outgoing) -> httpx.Response:
        payload = {"recipient": {"user_id": message.address}, "message": {"text": message.body}}
        return self.post(self.url, json=payload)

    def answer(self, response: httpx.Response) -> str:
        if response.status_code >= 400:
            raise by_status(self.provider, response, response.text[:200])
        data = json_of(response)
        code = number(data.get("error"))
        if code == 0:
            found = data.get("data")
            if isinstance(found, dict) and found.get("message_id"):
                return str(found["message_id"])
            raise Unconfirmed(f"Zalo answer without a message_id: {response.text[:200]}")
        if code is None:
            raise Unconfirmed(f"Zalo answer without an error code: {response.text[:200]}")
        reason = f"Zalo {data.get('error')}: {data.get('message', response.text[:200])}"[:500]
        if code == ZALO_RATE_LIMITED:
            raise Rejected(reason, permanent=False, retry_after=DEFAULT_PAUSE_S)
        raise Rejected(reason, permanent=code in ZALO_FINAL)


class TelegramConnection(HttpConnection):
    """The Bot API's sendMessage: JSON ``{chat_id, text}`` to ``/bot<token>/sendMessage``,
    answered ``{ok: true, result: {message_id}}`` or ``{ok: false, error_code,
    description, parameters: {retry_after}}``."""

    provider = "Telegram"

    def __init__(self) -> None:
        settings = get_settings()
        if not settings.telegram_bot_token:
            raise unconfigured("Telegram bot")
        base = settings.telegram_base_url.rstrip("/")
        self.url = f"{base}/bot{settings.telegram_bot_token}/sendMessage"
        super().__init__()

    def request(self, message: Outgoing) -> httpx.Response:
        payload = {"chat_id": message.address, "text": message.body}
        return self.post(self.url, json=payload)

    def answer(self, response: httpx.Response) -> str:
        data = json_of(response)
        result = data.get("result")
        if data.get("ok") is True and isinstance(result, dict) and "message_id" in result:
            chat = result.get("chat")
            chat_id = chat.get("id") if isinstance(chat, dict) else None
            # Message ids are only unique within a chat.
            return f"{chat_id}:{result['message_id']}"
        if response.status_code < 400 and data.get("ok") is not False:
            raise Unconfirmed(f"Telegram answer without a message: {response.text[:200]}")
        code = number(data.get("error_code")) or response.status_code
        reason = f"Telegram {code:g}: {data.get('description', response.text[:200])}"[:500]
        parameters = data.get("parameters")
        wait = number(parameters.get("retry_after")) if isinstance(parameters, dict) else None
        if wait is not None:
            raise Rejected(reason, permanent=False, retry_after=max(wait, 0.0))
        if code == 403 or code == 400:
            # Blocked by the user, chat not found, user deactivated: final for this person.
            raise Rejected(reason, permanent=True)
        raise Rejected(reason, permanent=False)


# Cloud API errors final for this person: not a WhatsApp user or undeliverable,
# re-engagement window closed (text needs the person to have written in 24 hours),
# not on the test allow-list, invalid parameter.
WHATSAPP_FINAL = {100, 131026, 131047, 131030, 131009, 131051}
WHATSAPP_RATE_LIMITED = {4, 80007, 130429, 131048, 131056}


# The Cloud API takes free text only within this long after the person last wrote.
WHATSAPP_WINDOW = timedelta(hours=24)


def whatsapp_number(address: str) -> str:
    """A number as the Cloud API spells it (and as its webhooks give the sender): digits."""
    return address.lstrip("+").replace(" ", "")


def whatsapp_template(kind: str, language: str, values: Mapping[str, str]) -> dict[str, Any] | None:
    """The configured template of a message type in a language, filled with a reader's
    values; None where none is configured."""
    configured = get_settings().whatsapp_templates.get(kind)
    if configured is None or language not in configured.names:
        return None
    return {
        "name": configured.names[language],
        "language": language,
        "parameters": [values.get(name, "") for name in configured.parameters],
    }


class WhatsAppConnection(HttpConnection):
    """The WhatsApp Cloud API: POST ``/<phone-number-id>/messages`` with a bearer token,
    answered with ``messages[0].id`` or ``{error: {message, type, code, error_data,
    fbtrace_id}}``. Free text (``type: "text"``) goes to whoever wrote to us in the last 24
    hours; anyone else is sent the message type's approved template (``type: "template"``,
    name, language, body parameters) when one is configured, else the text, which the API
    refuses (131047) so that a safety check moves on to the person's next channel."""

    provider = "WhatsApp"

    def __init__(self) -> None:
        settings = get_settings()
        if not (settings.whatsapp_token and settings.whatsapp_phone_number_id):
            raise unconfigured("WhatsApp")
        base = settings.whatsapp_base_url.rstrip("/")
        self.url = f"{base}/{settings.whatsapp_phone_number_id}/messages"
        self.in_window: set[str] = set()
        super().__init__(headers={"Authorization": f"Bearer {settings.whatsapp_token}"})

    def send(self, messages: list[Outgoing]) -> dict[int, Outcome]:
        numbers = {whatsapp_number(m.address) for m in messages if m.template}
        self.in_window = _heard_since(numbers, utcnow() - WHATSAPP_WINDOW) if numbers else set()
        return super().send(messages)

    def request(self, message: Outgoing) -> httpx.Response:
        to = whatsapp_number(message.address)
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
        }
        if message.template is None or to in self.in_window:
            payload.update(type="text", text={"preview_url": False, "body": message.body})
        else:
            template = message.template
            parameters = [{"type": "text", "text": value} for value in template["parameters"]]
            payload.update(
                type="template",
                template={
                    "name": template["name"],
                    "language": {"code": template["language"]},
                    "components": [{"type": "body", "parameters": parameters}],
                },
            )
        return self.post(self.url, json=payload)

    def answer(self, response: httpx.Response) -> str:
        data = json_of(response)
        error = data.get("error")
        if response.status_code < 400 and not error:
            messages = data.get("messages")
            first = messages[0] if isinstance(messages, list) and messages else None
            if isinstance(first, dict) and first.get("id"):
                return str(first["id"])
            raise Unconfirmed(f"WhatsApp answer without a message id: {response.text[:200]}")
        if not isinstance(error, dict):
            raise by_status(self.provider, response, response.text[:200])
        code = number(error.get("code"))
        reason = f"WhatsApp {error.get('code')}: {error.get('message', '')}"[:500]
        if code in WHATSAPP_RATE_LIMITED or response.status_code == 429:
            raise Rejected(reason, permanent=False, retry_after=DEFAULT_PAUSE_S)
        if code in WHATSAPP_FINAL:
            raise Rejected(reason, permanent=True)
        raise by_status(self.provider, response, reason)


class ZaloChannel:
    name = "zalo"

    def connect(self) -> Connection:
        return ZaloConnection()


class TelegramChannel:
    name = "telegram"

    def connect(self) -> Connection:
        return TelegramConnection()


class WhatsAppChannel:
    name = "whatsapp"

    def connect(self) -> Connection:
        return WhatsAppConnection()


def _heard_since(numbers: set[str], since: datetime) -> set[str]:
    """Which of these WhatsApp numbers wrote to us since then."""
    with session_scope() as session:
        return set(
            session.scalars(
                select(LastHeard.address).where(
                    LastHeard.channel == "whatsapp",
                    LastHeard.address.in_(sorted(numbers)),
                    LastHeard.at >= since,
                )
            )
        )
