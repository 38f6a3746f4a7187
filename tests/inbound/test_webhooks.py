"""Providers post what citizens write; only calls signed by the provider are taken in, once."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.inbound.models import InboundMessage
from kieubao.inbound.providers import twilio
from kieubao.inbound.routing import UNKNOWN_SENDER
from kieubao.platform.models import User
from kieubao.protection.models import Case, CaseEvent
from tests.inbound.conftest import DATA, IDS, PROVIDERS, SENDERS, Provider, recorded, whatsapp_body

pytestmark = pytest.mark.usefixtures("case_types")


def post(
    client: TestClient, provider: Provider, sender: str, sid: str, text: str, forged: bool = False
) -> Any:
    body, kind = provider.build(sender, sid, text)
    headers = (provider.forge if forged else provider.sign)(body)
    return client.post(provider.path, content=body, headers={"Content-Type": kind, **headers})


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.name)
def test_a_citizen_writes_in_and_writes_again_in_the_same_thread(
    provider: Provider, session: Session, app_client: TestClient
) -> None:
    sender, other = SENDERS[provider.name]
    first = post(app_client, provider, sender, IDS[0], "Tôi bị mất hộ chiếu ở Osaka, xin giúp đỡ")
    assert first.status_code == 200, first.text
    (case,) = session.scalars(select(Case))
    assert case.channel == provider.name.replace("twilio", "sms").replace("gateway", "sms")
    opened = case.events[0]
    assert opened.kind == "opened" and opened.data["provider_id"] == IDS[0]
    assert "hộ chiếu" in case.description

    again = post(app_client, provider, sender, IDS[1], "Tôi đang ở đồn cảnh sát Namba")
    assert again.status_code == 200
    session.expire_all()
    assert count(session, Case) == 1
    inbound = [e for e in case.events if e.kind == "inbound"]
    assert [e.text for e in inbound] == ["Tôi đang ở đồn cảnh sát Namba"]
    assert inbound[0].public and inbound[0].data["provider_id"] == IDS[1]
    assert inbound[0].data["from"] == sender

    # Someone else's message is their own case.
    post(app_client, provider, other, IDS[2], "Chồng tôi bị tai nạn giao thông ở Kobe")
    assert count(session, Case) == 2


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.name)
def test_a_retried_delivery_changes_nothing(
    provider: Provider, session: Session, app_client: TestClient
) -> None:
    sender = SENDERS[provider.name][0]
    text = "Tôi bị mất hộ chiếu ở Osaka, xin giúp đỡ"
    assert post(app_client, provider, sender, IDS[0], text).status_code == 200
    assert post(app_client, provider, sender, IDS[0], text).status_code == 200
    assert count(session, Case) == 1
    assert count(session, InboundMessage) == 1
    assert session.scalar(select(func.count()).where(CaseEvent.kind == "inbound")) == 0


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.name)
def test_a_forged_call_is_refused_and_nothing_is_stored(
    provider: Provider, session: Session, app_client: TestClient
) -> None:
    sender = SENDERS[provider.name][0]
    response = post(app_client, provider, sender, IDS[0], "Gửi tiền vào tài khoản này", forged=True)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 403
    unsigned = app_client.post(provider.path, content=b"{}")
    assert unsigned.status_code == 403
    assert count(session, Case) == 0 and count(session, InboundMessage) == 0


def test_a_provider_not_set_up_is_refused(
    session: Session, app_client: TestClient, provider_secrets: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(provider_secrets, "telegram_webhook_secret", None)
    telegram = next(p for p in PROVIDERS if p.name == "telegram")
    response = post(app_client, telegram, "1111111", "5", "Xin chào")
    assert response.status_code == 403 and "not set up" in response.json()["detail"]


def test_twilio_signature_matches_the_documented_examples() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    for phone, expected in (
        ("+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
        ("+14158675310", "GvWf1cFY/Q7PnoempGyD5oXAezc="),
    ):
        params = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", phone),
            ("Digits", "1234"),
            ("From", phone),
            ("To", "+18005551212"),
        ]
        assert twilio.signature("12345", url, params) == expected


def test_the_recorded_twilio_sms_opens_a_case_in_the_senders_country(
    session: Session, app_client: TestClient
) -> None:
    twilio_provider = next(p for p in PROVIDERS if p.name == "twilio")
    body = (DATA / "twilio_sms.form").read_bytes()
    response = app_client.post(
        "/hooks/sms/twilio",
        content=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            **twilio_provider.sign(body),
        },
    )
    assert response.status_code == 200 and "<Response>" in response.text
    (case,) = session.scalars(select(Case))
    assert case.country == "US" and case.description.startswith("Hello from Twilio")
    assert case.reporters[0].phone == "+15017250604"


def test_whatsapp_subscription_is_answered_only_with_our_verify_token(
    app_client: TestClient,
) -> None:
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": ""}
    ok = app_client.get("/hooks/whatsapp", params={**query, "hub.verify_token": "whatsapp-verify"})
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = app_client.get("/hooks/whatsapp", params={**query, "hub.verify_token": "guess"})
    assert wrong.status_code == 403


def test_delivery_statuses_and_follows_are_not_messages(
    session: Session, app_client: TestClient
) -> None:
    whatsapp = next(p for p in PROVIDERS if p.name == "whatsapp")
    payload = recorded("whatsapp_text.json")
    value = payload["entry"][0]["changes"][0]["value"]
    del value["messages"], value["contacts"]
    value["statuses"] = [{"id": "wamid.X", "status": "delivered", "recipient_id": "1650"}]
    body = json.dumps(payload).encode()
    response = app_client.post(whatsapp.path, content=body, headers=whatsapp.sign(body))
    assert response.json() == {"received": 0, "duplicates": 0}
    zalo = next(p for p in PROVIDERS if p.name == "zalo")
    follow = recorded("zalo_user_send_text.json")
    follow["event_name"] = "follow"
    body = json.dumps(follow).encode()
    assert app_client.post(zalo.path, content=body, headers=zalo.sign(body)).json()["received"] == 0
    assert count(session, Case) == 0


def test_a_script_in_a_senders_name_is_not_taken_as_a_name(
    session: Session, app_client: TestClient, hq_officer: User, api: Any
) -> None:
    whatsapp = next(p for p in PROVIDERS if p.name == "whatsapp")
    body = whatsapp_body(
        "818012345678", "wamid.1", "Tôi cần giúp đỡ gấp", "<script>alert(1)</script>"
    )
    response = app_client.post(whatsapp.path, content=body, headers=whatsapp.sign(body))
    assert response.status_code == 200
    (case,) = session.scalars(select(Case))
    assert case.subjects[0].full_name == UNKNOWN_SENDER
    page = api(hq_officer).get(f"/console/cases/{case.number}")
    assert page.status_code == 200 and "<script>alert(1)" not in page.text


def test_bad_bodies_are_answered_with_what_is_wrong(app_client: TestClient) -> None:
    gateway = next(p for p in PROVIDERS if p.name == "gateway")
    body = b"not json"
    response = app_client.post(gateway.path, content=body, headers=gateway.sign(body))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body"
    huge = b"{" + b" " * (1024 * 1024 + 10) + b"}"
    assert (
        app_client.post(gateway.path, content=huge, headers=gateway.sign(huge)).status_code == 413
    )
    assert app_client.post("/hooks/sms/unknown", content=b"").status_code == 404


def test_a_whatsapp_message_opens_the_window_for_free_text_answers(
    session: Session, app_client: TestClient
) -> None:
    from kieubao.platform.db import utcnow
    from kieubao.platform.outbox_models import LastHeard

    whatsapp = next(p for p in PROVIDERS if p.name == "whatsapp")
    body = whatsapp_body("818012345678", "wamid.2", "Tôi an toàn", "Lan")
    assert app_client.post(whatsapp.path, content=body, headers=whatsapp.sign(body)).is_success
    heard = session.scalars(select(LastHeard).where(LastHeard.channel == "whatsapp")).one()
    assert heard.address == "818012345678"
    assert (utcnow() - heard.at).total_seconds() < 60
