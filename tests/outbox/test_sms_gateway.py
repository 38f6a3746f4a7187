"""Text messages through a generic HTTP gateway, against a local gateway that speaks its shape:
POST {to, text, reference} as JSON with a bearer token, answered with {"id": ...}."""

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import outbox
from kieubao.platform.db import commit
from kieubao.platform.outbox import Message, OutboxMessage, Status
from kieubao.platform.settings import get_settings
from kieubao.platform.smtp_sink import free_port
from tests.outbox.providers import Gateway, serving


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    fake = Gateway()
    with serving(fake) as url:
        monkeypatch.setattr(get_settings(), "sms_gateway_url", f"{url}/messages")
        monkeypatch.setattr(get_settings(), "sms_gateway_token", Gateway.token)
        monkeypatch.setitem(get_settings().outbox_rates, "sms", 0.0)
        yield fake


def _queue(session: Session, n: int = 2) -> list[OutboxMessage]:
    outbox.queue(
        session,
        send_key="sms-check",
        kind="notice",
        context={"title": "Safety check", "text": "Reply AN TOAN or CAN GIUP."},
        messages=[
            Message(f"sms-check:{i}", "sms", f"+8190000000{i}", "vi", {"name": f"Lan {i}"})
            for i in range(n)
        ],
    )
    commit(session)
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_text_messages_reach_the_gateway_once_each_with_its_ids_kept(
    session: Session, gateway: Gateway
) -> None:
    rows = _queue(session)
    # Sent side by side, they may arrive in either order: each row keeps the id it was given.
    given = {r["reference"]: f"gw-{n}" for n, r in enumerate(gateway.received, start=1)}
    by_reference = {r["reference"]: r for r in gateway.received}
    assert sorted(r["to"] for r in gateway.received) == ["+81900000000", "+81900000001"]
    assert by_reference["sms-check:0"]["to"] == "+81900000000"
    assert "Reply AN TOAN or CAN GIUP." in by_reference["sms-check:0"]["text"]
    assert [(r.status, r.provider_id) for r in rows] == [(Status.sent, given[r.key]) for r in rows]
    assert len(set(given.values())) == 2


@pytest.mark.parametrize(
    ("answer", "expected"), [(400, Status.failed), (503, Status.queued), (429, Status.queued)]
)
def test_a_gateway_refusal_fails_or_waits_for_a_retry(
    session: Session, gateway: Gateway, answer: int, expected: Status
) -> None:
    gateway.status = answer
    [row] = _queue(session, 1)
    assert row.status is expected and str(answer) in row.error


def test_an_unreachable_gateway_is_tried_again_later(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "sms_gateway_url", f"http://127.0.0.1:{free_port()}/")
    [row] = _queue(session, 1)
    assert row.status is Status.queued and "unreachable" in row.error
