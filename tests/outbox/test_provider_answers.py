"""Whatever a provider answers, its adapter reads it as an id, a refusal or "no word": never
a crash that would leave the message in doubt."""

import json
from collections.abc import Callable
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kieubao.platform.channels import Outcome, Rejected, Unconfirmed
from kieubao.platform.channels.http import HttpConnection, retry_after
from kieubao.platform.channels.messengers import (
    TelegramConnection,
    WhatsAppConnection,
    ZaloConnection,
)
from kieubao.platform.channels.sms import SmsGatewayConnection, TwilioConnection
from kieubao.platform.db import utcnow
from kieubao.platform.settings import get_settings

CONFIGURED = {
    "sms_gateway_url": "http://127.0.0.1:9/messages",
    "twilio_account_sid": "AC1",
    "twilio_auth_token": "t",
    "twilio_from": "+15005550006",
    "zalo_access_token": "t",
    "telegram_bot_token": "1:t",
    "whatsapp_token": "t",
    "whatsapp_phone_number_id": "1",
}
CONNECTIONS: list[Callable[[], HttpConnection]] = [
    SmsGatewayConnection,
    TwilioConnection,
    ZaloConnection,
    TelegramConnection,
    WhatsAppConnection,
]

KEYS = st.sampled_from(["id", "message_id", "retry_after", "chat", "code", "message"])
scalars = st.none() | st.booleans() | st.integers(-300, 200_000) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(KEYS, inner, max_size=2),
    max_leaves=4,
)
# The fields the providers' answers are read by.
FIELDS = """ok result error error_code parameters data messages sid status code id""".split()
# Answers shaped like the providers' own, with any values in them.
shaped = st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, json_values))


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[HttpConnection]:
    for name, value in CONFIGURED.items():
        monkeypatch.setattr(get_settings(), name, value)
    return [make() for make in CONNECTIONS]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150)
@given(status=st.sampled_from([200, 201, 400, 401, 403, 404, 429, 500, 503]), body=shaped)
@example(status=200, body={"ok": None, "id": ""})
def test_any_answer_is_an_id_a_refusal_or_no_word(
    connections: list[HttpConnection], status: int, body: dict[str, Any]
) -> None:
    for connection in connections:
        outcome = _read(connection, httpx.Response(status, content=json.dumps(body).encode()))
        if isinstance(outcome, Rejected):
            assert outcome.reason and (outcome.retry_after is None or outcome.retry_after >= 0)
        elif isinstance(outcome, str):
            assert outcome and status < 400


def test_a_gateway_answer_whose_id_is_empty_or_null_is_unconfirmed(
    connections: list[HttpConnection],
) -> None:
    gateway = connections[CONNECTIONS.index(SmsGatewayConnection)]
    for body in ({"id": ""}, {"id": None}, {"id": False}, {"id": []}):
        answer = httpx.Response(200, content=json.dumps(body).encode())
        assert isinstance(_read(gateway, answer), Unconfirmed)
    assert _read(gateway, httpx.Response(200, content=b'{"id": 7}')) == "7"


def _read(connection: HttpConnection, response: httpx.Response) -> Outcome:
    try:
        return connection.answer(response)
    except (Rejected, Unconfirmed) as failure:
        return failure


def test_retry_after_reads_seconds_and_dates_and_falls_back_on_nonsense() -> None:
    def wait(value: str) -> float:
        return retry_after(httpx.Response(429, headers={"Retry-After": value}))

    assert wait("12") == 12
    in_a_minute = format_datetime(utcnow() + timedelta(seconds=60), usegmt=True)
    assert 50 < wait(in_a_minute) <= 60
    assert wait("Mon, 01 Jan 2001 00:00:00 -0000") == 0
    assert wait("soon") == 30
