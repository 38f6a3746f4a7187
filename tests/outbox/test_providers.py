"""Each messaging provider's adapter against a local fake that speaks that provider's shape:
messages reach it once each with its ids kept, a person it cannot reach fails at once, a
refused credential and a rate limit wait (the latter as long as asked, without spending an
attempt), an unreachable provider is tried again."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import outbox
from kieubao.platform.db import commit, utcnow
from kieubao.platform.outbox import Message, OutboxMessage, Status
from kieubao.platform.settings import get_settings
from kieubao.platform.smtp_sink import free_port
from tests.outbox.providers import Fake, Telegram, Twilio, WhatsApp, Zalo, serving


@dataclass(frozen=True)
class Provider:
    channel: str
    fake: Callable[[], Fake]
    # The settings that point the adapter at a base URL, and one that spoils its credential.
    settings: Callable[[str], dict[str, Any]]
    bad_credential: dict[str, str]
    address: Callable[[int], str]
    # Who a request the fake accepted was for, as the provider spells it.
    recipient: Callable[[dict[str, Any]], str]
    id_prefix: str


PROVIDERS = [
    Provider(
        "sms",
        Twilio,
        lambda url: {
            "sms_provider": "twilio",
            "twilio_base_url": url,
            "twilio_account_sid": Twilio.sid,
            "twilio_auth_token": Twilio.token,
            "twilio_from": "+15005550006",
        },
        {"twilio_auth_token": "wrong"},
        lambda i: f"+8190123456{i:02d}",
        lambda r: str(r["To"]),
        "SM",
    ),
    Provider(
        "zalo",
        Zalo,
        lambda url: {"zalo_base_url": url, "zalo_access_token": Zalo.token},
        {"zalo_access_token": "expired"},
        lambda i: f"84430000000{i:02d}",
        lambda r: str(r["recipient"]["user_id"]),
        "",
    ),
    Provider(
        "telegram",
        Telegram,
        lambda url: {"telegram_base_url": url, "telegram_bot_token": Telegram.token},
        {"telegram_bot_token": "123456:revoked"},
        lambda i: f"5550000{i:02d}",
        lambda r: str(r["chat_id"]),
        "5550000",
    ),
    Provider(
        "whatsapp",
        WhatsApp,
        lambda url: {
            "whatsapp_base_url": url,
            "whatsapp_phone_number_id": WhatsApp.phone_number_id,
            "whatsapp_token": WhatsApp.token,
        },
        {"whatsapp_token": "expired"},
        lambda i: f"+8190987654{i:02d}",
        lambda r: "+" + str(r["to"]),
        "wamid.",
    ),
]


@pytest.fixture(params=PROVIDERS, ids=[p.channel for p in PROVIDERS])
def provider(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Provider, Fake]]:
    spec: Provider = request.param
    fake = spec.fake()
    with serving(fake) as url:
        for name, value in spec.settings(url).items():
            monkeypatch.setattr(get_settings(), name, value)
        monkeypatch.setitem(get_settings().outbox_rates, spec.channel, 0.0)
        yield spec, fake


def _queue(session: Session, spec: Provider, n: int) -> list[OutboxMessage]:
    outbox.queue(
        session,
        send_key="check",
        kind="notice",
        context={"title": "Safety check", "text": "Reply AN TOAN or CAN GIUP."},
        messages=[
            Message(f"check:{i}", spec.channel, spec.address(i), "vi", {"name": f"Lan {i}"})
            for i in range(n)
        ],
    )
    commit(session)
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_messages_reach_the_provider_once_each_with_its_ids_kept(
    session: Session, provider: tuple[Provider, Fake]
) -> None:
    spec, fake = provider
    rows = _queue(session, spec, 3)
    # Several requests are in flight at once, so they may arrive in any order.
    received = sorted(fake.received, key=spec.recipient)
    assert [spec.recipient(r) for r in received] == [spec.address(i) for i in range(3)]
    assert all(r.status is Status.sent for r in rows)
    ids = [r.provider_id or "" for r in rows]
    assert len(set(ids)) == 3 and all(i.startswith(spec.id_prefix) and len(i) > 5 for i in ids)
    assert "Lan 0" in str(received[0]) and "AN TOAN" in str(received[0])


def test_a_person_the_provider_cannot_reach_fails_at_once_and_the_others_go(
    session: Session, provider: tuple[Provider, Fake]
) -> None:
    spec, fake = provider
    # The Cloud API spells numbers without the "+".
    wire = spec.address(1).lstrip("+") if spec.channel == "whatsapp" else spec.address(1)
    fake.unreachable.add(wire)
    rows = _queue(session, spec, 3)
    assert [r.status for r in rows] == [Status.sent, Status.failed, Status.sent]
    assert rows[1].error and rows[1].provider_id is None


def test_a_refused_credential_is_the_operators_to_fix_so_the_message_waits(
    session: Session, provider: tuple[Provider, Fake], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, fake = provider
    for name, value in spec.bad_credential.items():
        monkeypatch.setattr(get_settings(), name, value)
    [row] = _queue(session, spec, 1)
    assert row.status is Status.queued and row.next_attempt_at > utcnow()
    assert fake.received == [] and row.error


def test_a_rate_limit_is_waited_out_without_spending_an_attempt_or_the_rest_of_the_batch(
    session: Session, provider: tuple[Provider, Fake], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, fake = provider
    # One request at a time: with several in flight, those sent before the answer came are
    # answered by the provider on their own.
    monkeypatch.setattr(get_settings(), "outbox_http_concurrency", 1)
    fake.throttled = 1
    rows = _queue(session, spec, 3)
    assert fake.received == []  # the others were not sent into the limit
    assert all(r.status is Status.queued and r.attempts == 0 for r in rows)
    wait = rows[0].next_attempt_at - utcnow()
    assert timedelta(seconds=2) < wait <= timedelta(seconds=30)


def test_an_unreachable_provider_is_tried_again_later(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = PROVIDERS[2]
    for name, value in spec.settings(f"http://127.0.0.1:{free_port()}").items():
        monkeypatch.setattr(get_settings(), name, value)
    monkeypatch.setitem(get_settings().outbox_rates, spec.channel, 0.0)
    [row] = _queue(session, spec, 1)
    assert row.status is Status.queued and "unreachable" in row.error
