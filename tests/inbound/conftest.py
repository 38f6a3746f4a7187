"""Inbound stories: citizens and relatives writing in by SMS, Zalo, Telegram, WhatsApp and mail."""

import base64
import copy
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlalchemy.orm import Session

from kieubao.platform.settings import Settings, get_settings
from kieubao.protection import actions, limits
from tests.crisis.conftest import fresh_index  # noqa: F401 - rosters read the exposure index
from tests.personas import SYSTEM

DATA = Path(__file__).parent.parent / "data" / "webhooks"
SECRETS = {
    "twilio_auth_token": "twilio-auth-token",
    "sms_gateway_inbound_secret": "gateway-secret",
    "zalo_oa_secret_key": "zalo-oa-secret",
    "telegram_webhook_secret": "telegram-secret-token",
    "whatsapp_app_secret": "whatsapp-app-secret",
    "whatsapp_verify_token": "whatsapp-verify",
}


@pytest.fixture(autouse=True)
def provider_secrets(monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = get_settings()
    for name, value in SECRETS.items():
        monkeypatch.setattr(settings, name, value)
    return settings


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    limits.intake.reset()
    yield
    limits.intake.reset()


@pytest.fixture
def case_types(session: Session) -> None:
    actions.load_case_types(session, acting_user=SYSTEM)


def recorded(name: str) -> Any:
    text = (DATA / name).read_text("utf-8")
    return json.loads(text) if name.endswith(".json") else parse_qsl(text)


@dataclass(frozen=True)
class Provider:
    """How a provider posts a message: its address, body and signature headers."""

    name: str
    path: str
    build: Callable[[str, str, str], tuple[bytes, str]]  # (sender, id, text) -> body, type
    sign: Callable[[bytes], dict[str, str]]
    forge: Callable[[bytes], dict[str, str]]


def _hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _twilio_body(sender: str, sid: str, text: str) -> tuple[bytes, str]:
    form = dict(recorded("twilio_sms.form"))
    form.update(From=sender, MessageSid=sid, SmsSid=sid, SmsMessageSid=sid, Body=text)
    return urlencode(form).encode(), "application/x-www-form-urlencoded"


def twilio_signature(body: bytes, token: str = SECRETS["twilio_auth_token"]) -> str:
    url = "http://testserver/hooks/sms/twilio"
    signed = url + "".join(k + v for k, v in sorted(parse_qsl(body.decode())))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _gateway_body(sender: str, sid: str, text: str) -> tuple[bytes, str]:
    body = {"id": sid, "from": sender, "to": "+84981848484", "text": text}
    return json.dumps(body).encode(), "application/json"


def _zalo_body(sender: str, sid: str, text: str) -> tuple[bytes, str]:
    event = recorded("zalo_user_send_text.json")
    event["sender"]["id"], event["message"] = sender, {"text": text, "msg_id": sid}
    return json.dumps(event, ensure_ascii=False).encode(), "application/json"


def zalo_signature(body: bytes, secret: str = SECRETS["zalo_oa_secret_key"]) -> str:
    event = json.loads(body)
    signed = event["app_id"].encode() + body + f"{event['timestamp']}{secret}".encode()
    return "mac=" + hashlib.sha256(signed).hexdigest()


def _telegram_body(sender: str, sid: str, text: str) -> tuple[bytes, str]:
    update = recorded("telegram_message.json")
    update["update_id"] = int(sid)
    update["message"]["chat"]["id"] = int(sender)
    update["message"]["text"] = text
    return json.dumps(update, ensure_ascii=False).encode(), "application/json"


def whatsapp_body(sender: str, sid: str, text: str, name: str = "Sheena Nelson") -> bytes:
    payload = copy.deepcopy(recorded("whatsapp_text.json"))
    value = payload["entry"][0]["changes"][0]["value"]
    value["contacts"][0].update(wa_id=sender, profile={"name": name})
    value["messages"][0].update({"from": sender, "id": sid, "text": {"body": text}})
    return json.dumps(payload, ensure_ascii=False).encode()


PROVIDERS = [
    Provider(
        "twilio",
        "/hooks/sms/twilio",
        _twilio_body,
        lambda b: {"X-Twilio-Signature": twilio_signature(b)},
        lambda b: {"X-Twilio-Signature": twilio_signature(b, token="guessed")},
    ),
    Provider(
        "gateway",
        "/hooks/sms/gateway",
        _gateway_body,
        lambda b: {"X-Kieubao-Signature": "sha256=" + _hmac_hex("gateway-secret", b)},
        lambda b: {"X-Kieubao-Signature": "sha256=" + _hmac_hex("guessed", b)},
    ),
    Provider(
        "zalo",
        "/hooks/zalo",
        _zalo_body,
        lambda b: {"X-ZEvent-Signature": zalo_signature(b)},
        lambda b: {"X-ZEvent-Signature": zalo_signature(b, secret="guessed")},
    ),
    Provider(
        "telegram",
        "/hooks/telegram",
        _telegram_body,
        lambda b: {"X-Telegram-Bot-Api-Secret-Token": "telegram-secret-token"},
        lambda b: {"X-Telegram-Bot-Api-Secret-Token": "guessed"},
    ),
    Provider(
        "whatsapp",
        "/hooks/whatsapp",
        lambda s, i, t: (whatsapp_body(s, i, t), "application/json"),
        lambda b: {"X-Hub-Signature-256": "sha256=" + _hmac_hex("whatsapp-app-secret", b)},
        lambda b: {"X-Hub-Signature-256": "sha256=" + _hmac_hex("guessed", b)},
    ),
]
# A sender address each provider would give: phone numbers, or chat ids.
SENDERS = {
    "twilio": ("+818012345678", "+818087654321"),
    "gateway": ("+818012345678", "+818087654321"),
    "zalo": ("246845883529197922", "246845883529197999"),
    "telegram": ("1111111", "2222222"),
    "whatsapp": ("818012345678", "818087654321"),
}
# Ids a provider gives its messages: digits fit every one (Telegram's update_id is a number).
IDS = ("10001", "10002", "10003")
