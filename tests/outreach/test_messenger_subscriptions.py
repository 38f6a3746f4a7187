"""Subscribers on messengers: a Telegram chat or a Zalo follower asks for Japan's news, gets a
code through that messenger, confirms it, and receives the next bulletin there."""

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kieubao.outreach.models import Bulletin
from kieubao.platform.settings import get_settings
from tests.outbox.providers import Fake, Telegram, Zalo, serving

CHAT_ID, ZALO_USER = "5550000042", "8443000000042"

MESSENGERS = {
    "telegram": (
        Telegram,
        lambda url: {"telegram_base_url": url, "telegram_bot_token": Telegram.token},
        CHAT_ID,
    ),
    "zalo": (Zalo, lambda url: {"zalo_base_url": url, "zalo_access_token": Zalo.token}, ZALO_USER),
}


def _text(received: dict[str, Any]) -> str:
    return str(received.get("text") or received["message"]["text"])


@pytest.fixture(params=list(MESSENGERS))
def messenger(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, Fake, str]]:
    channel: str = request.param
    make, settings, address = MESSENGERS[channel]
    fake = make()
    with serving(fake) as url:
        for name, value in settings(url).items():
            monkeypatch.setattr(get_settings(), name, value)
        monkeypatch.setitem(get_settings().outbox_rates, channel, 0.0)
        yield channel, fake, address


def _subscribe(client: TestClient, channel: str, address: str) -> None:
    """Asks for Japan's bulletins; the code sent through the messenger."""
    answer = client.post(
        "/api/v1/subscriptions",
        json={
            "channel": channel,
            channel: address,
            "countries": ["JP"],
            "topics": ["bulletins"],
            "language": "en",
        },
    )
    assert answer.status_code == 202, answer.text


def test_a_messenger_subscriber_confirms_with_the_code_and_gets_the_bulletin(
    app_client: TestClient,
    messenger: tuple[str, Fake, str],
    publish_bulletin: Callable[..., Bulletin],
) -> None:
    channel, fake, address = messenger
    _subscribe(app_client, channel, address)
    assert len(fake.received) == 1
    code = re.findall(r"\d{6}", _text(fake.received[0]))[-1]
    confirm = {"channel": channel, "address": address, "code": code}
    wrong = {**confirm, "code": f"{(int(code) + 1) % 10**6:06d}"}
    refused = app_client.post("/api/v1/subscriptions/messenger/confirm", json=wrong)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    confirmed = app_client.post("/api/v1/subscriptions/messenger/confirm", json=confirm)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["active"] is True and confirmed.json()["channel"] == channel

    publish_bulletin()
    assert len(fake.received) == 2
    text = _text(fake.received[1])
    assert "Beware of job scams in Japan" in text and "/unsubscribe/" in text


def test_nothing_but_the_code_reaches_an_unconfirmed_messenger(
    app_client: TestClient,
    messenger: tuple[str, Fake, str],
    publish_bulletin: Callable[..., Bulletin],
) -> None:
    channel, fake, address = messenger
    _subscribe(app_client, channel, address)
    publish_bulletin()
    assert len(fake.received) == 1 and "Beware" not in _text(fake.received[0])


@pytest.mark.parametrize(
    "body",
    [
        {"channel": "telegram"},
        {"channel": "telegram", "telegram": "@someone"},
        {"channel": "zalo", "zalo": "-42"},
        {"channel": "zalo", "telegram": CHAT_ID},
    ],
)
def test_a_messenger_subscription_needs_an_id_of_its_kind(
    app_client: TestClient, body: dict[str, str]
) -> None:
    answer = app_client.post(
        "/api/v1/subscriptions", json={**body, "countries": ["JP"], "topics": ["bulletins"]}
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_a_code_for_sms_is_no_code_for_a_messenger(app_client: TestClient) -> None:
    answer = app_client.post(
        "/api/v1/subscriptions/messenger/confirm",
        json={"channel": "sms", "address": "819087654321", "code": "123456"},
    )
    assert answer.status_code == 422


def test_the_subscribe_page_takes_a_messenger_and_its_code(
    app_client: TestClient, messenger: tuple[str, Fake, str]
) -> None:
    channel, fake, address = messenger
    form = {"channel": channel, channel: address, "countries": "JP", "topics": "bulletins"}
    sent = app_client.post("/subscribe?lang=en", data=form)
    assert sent.status_code == 200
    assert f"We sent a six-digit code by {channel.capitalize()}." in sent.text
    assert f'name="address" value="{address}"' in sent.text
    code = re.findall(r"\d{6}", _text(fake.received[0]))[-1]
    answer = {"channel": channel, "address": address}
    wrong = app_client.post("/subscribe/code?lang=en", data={**answer, "code": "00000x"})
    assert wrong.status_code == 422 and "This code is not valid." in wrong.text
    done = app_client.post("/subscribe/code?lang=en", data={**answer, "code": code})
    assert done.status_code == 200 and "/subscriptions/" in done.text


def test_the_subscribe_page_asks_for_the_missing_messenger_id(app_client: TestClient) -> None:
    form = {"channel": "telegram", "countries": "JP", "topics": "bulletins"}
    page = app_client.post("/subscribe?lang=en", data=form)
    assert page.status_code == 422 and "a Telegram subscription needs a chat id" in page.text
