"""Subscribers: Chị Hoa follows Japan by email, confirms, changes her mind, and leaves in one
click; an address that bounces is heard from no more."""

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.outreach import bulletin_queries, sending, subscriptions
from kieubao.outreach.bulletin_schemas import SmsConfirmIn, SubscribeIn
from kieubao.outreach.models import AdvisoryVersion, Subscriber
from kieubao.platform import outbox
from kieubao.platform.errors import Invalid
from kieubao.platform.outbox_models import OutboxMessage
from kieubao.platform.settings import get_settings
from tests.personas import mails_to, messages_to

HOA = "hoa.pham@example.org"


def token_in(text: str, path: str) -> str:
    match = re.search(rf"/{path}/(\S+)", text)
    assert match, text
    return match.group(1)


def test_nothing_reaches_an_unconfirmed_address_but_the_confirmation(
    subscribe: Callable[..., Subscriber], publish_advisory: Callable[..., AdvisoryVersion]
) -> None:
    subscribe(HOA, confirm=False)
    publish_advisory(level=3)

    texts = mails_to(HOA)
    assert len(texts) == 1
    assert "/subscribe/confirm/" in texts[0]


def test_a_confirmed_subscriber_gets_the_advisory_with_a_one_click_unsubscribe_header(
    app_client: TestClient,
    subscribe: Callable[..., Subscriber],
    publish_advisory: Callable[..., AdvisoryVersion],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # RFC 8058 one-click is offered for HTTPS addresses only, as the portal is served.
    monkeypatch.setattr(get_settings(), "base_url", "https://kieubao.example")
    subscribe(HOA, confirm=False)
    confirm = token_in(mails_to(HOA)[0], "subscribe/confirm")
    page = app_client.get(f"/subscribe/confirm/{confirm}?lang=en")
    assert page.status_code == 200
    assert "Subscription confirmed" in page.text

    publish_advisory(level=3)

    advisory = messages_to(HOA)[-1]
    assert "Japan, level 3" in str(advisory["Subject"]) or "Nhật Bản" in str(advisory["Subject"])
    assert advisory["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(advisory["List-Unsubscribe"])
    assert header.startswith("<https://kieubao.example/unsubscribe/")
    body = advisory.get_body().get_content()  # type: ignore[union-attr]
    assert "Theo dõi thông tin động đất" in body
    assert "/subscriptions/" in body


def test_the_rfc_8058_one_click_post_unsubscribes_and_a_get_does_not(
    session: Session,
    app_client: TestClient,
    subscribe: Callable[..., Subscriber],
    publish_advisory: Callable[..., AdvisoryVersion],
) -> None:
    hoa = subscribe(HOA)
    url = sending.link(sending.UNSUBSCRIBE, hoa.id).split("/", 3)[3]

    # Mail scanners follow links: the page only asks.
    assert app_client.get(f"/{url}").status_code == 200
    session.refresh(hoa)
    assert hoa.unsubscribed_at is None

    answer = app_client.post(
        f"/{url}",
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200
    session.refresh(hoa)
    assert hoa.unsubscribed_at is not None
    # Twice is no error.
    assert app_client.post(f"/{url}", data={"List-Unsubscribe": "One-Click"}).status_code == 200

    before = len(mails_to(HOA))
    publish_advisory(level=3)
    assert len(mails_to(HOA)) == before


def test_a_forged_or_wrong_purpose_token_finds_nothing(
    app_client: TestClient, subscribe: Callable[..., Subscriber]
) -> None:
    hoa = subscribe(HOA)
    manage = sending.link(sending.MANAGE, hoa.id).rsplit("/", 1)[1]
    assert app_client.post(f"/unsubscribe/{manage}").status_code == 404
    assert app_client.post(f"/unsubscribe/{hoa.id}.forged").status_code == 404
    answer = app_client.get("/api/v1/subscriptions/1.x")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_a_bounce_disables_the_address_and_the_report_counts_it(
    session: Session,
    subscribe: Callable[..., Subscriber],
    publish_bulletin: Callable[..., object],
) -> None:
    hoa = subscribe(HOA)
    subscribe("bounces@example.org")
    first = publish_bulletin()
    message = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.address == "bounces@example.org", OutboxMessage.key.like("bulletin-%")
        )
    )
    assert message is not None and message.provider_id
    outbox.record_receipt(
        session,
        channel="email",
        provider_id=message.provider_id,
        status=outbox.Status.bounced,
        reason="550 5.1.1 no such user",
        disable_address=True,
    )
    report = bulletin_queries.delivery_report(session, first)  # type: ignore[arg-type]
    assert (report.recipients, report.sent, report.bounced, report.failed) == (2, 2, 1, 0)
    assert report.opened is None

    bounced = session.scalar(select(Subscriber).where(Subscriber.address == "bounces@example.org"))
    assert bounced is not None
    assert not bulletin_queries.subscription_out(session, bounced).active
    assert bulletin_queries.subscription_out(session, hoa).active

    second = publish_bulletin()
    report = bulletin_queries.delivery_report(session, second)  # type: ignore[arg-type]
    assert (report.recipients, report.sent, report.failed) == (2, 1, 1)


def test_preferences_behind_the_signed_link(
    session: Session, app_client: TestClient, subscribe: Callable[..., Subscriber]
) -> None:
    hoa = subscribe(HOA)
    path = "/" + sending.link(sending.MANAGE, hoa.id).split("/", 3)[3]
    page = app_client.get(f"{path}?lang=vi")
    assert page.status_code == 200
    assert "Đăng ký của bạn" in page.text

    saved = app_client.post(path, data={"countries": ["KR", "TW"], "topics": ["advisories"]})
    assert saved.status_code == 200
    session.refresh(hoa)
    assert (hoa.countries, hoa.topics) == (["KR", "TW"], ["advisories"])

    refused = app_client.post(path, data={"countries": ["XX"], "topics": ["advisories"]})
    assert refused.status_code == 422
    session.refresh(hoa)
    assert hoa.countries == ["KR", "TW"]


def _sms_subscriber(session: Session) -> tuple[Subscriber, str]:
    data = SubscribeIn.model_validate(
        {
            "channel": "sms",
            "phone": "+81 90 8765 4321",
            "countries": ["JP"],
            "topics": ["bulletins"],
        }
    )
    subscriber = subscriptions.subscribe(session, acting_user=None, data=data)
    sms = session.scalar(select(OutboxMessage).where(OutboxMessage.address == "+819087654321"))
    assert sms is not None and sms.channel == "sms"
    return subscriber, re.findall(r"\d{6}", sms.body)[-1]


def test_an_sms_subscriber_confirms_with_the_code_sent(session: Session) -> None:
    subscriber, code = _sms_subscriber(session)
    assert subscriber.confirmed_at is None
    with pytest.raises(Invalid):
        subscriptions.confirm_code(
            session, data=SmsConfirmIn(phone="+819087654321", code=f"{(int(code) + 1) % 10**6:06d}")
        )
    confirmed = subscriptions.confirm_code(
        session, data=SmsConfirmIn(phone="+81 90 8765 4321", code=code)
    )
    assert confirmed.confirmed_at is not None


def test_guessing_the_sms_code_spends_it(session: Session) -> None:
    subscriber, code = _sms_subscriber(session)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(subscriptions.MAX_CODE_ATTEMPTS):
        with pytest.raises(Invalid):
            subscriptions.confirm_code(
                session, data=SmsConfirmIn(phone="+819087654321", code=wrong)
            )
    with pytest.raises(Invalid):
        subscriptions.confirm_code(session, data=SmsConfirmIn(phone="+819087654321", code=code))
    session.refresh(subscriber)
    assert subscriber.confirmed_at is None


def test_the_subscribe_form_in_both_languages_and_its_errors(app_client: TestClient) -> None:
    assert "Nhận khuyến cáo và tin tức" in app_client.get("/subscribe?lang=vi").text
    assert "Receive advisories and news" in app_client.get("/subscribe?lang=en").text
    bad = app_client.post("/subscribe?lang=en", data={"channel": "email", "countries": ["JP"]})
    assert bad.status_code == 422
    ok = app_client.post(
        "/subscribe?lang=en",
        data={"channel": "email", "email": HOA, "countries": ["JP"], "topics": ["bulletins"]},
    )
    assert ok.status_code == 200
    assert "confirmation link" in ok.text
    assert len(mails_to(HOA)) == 1


def test_the_form_cannot_flood_an_inbox_with_confirmations(app_client: TestClient) -> None:
    form = {"channel": "email", "email": HOA, "countries": ["JP"], "topics": ["bulletins"]}
    for _ in range(subscriptions.MAX_CONFIRMATIONS + 2):
        assert app_client.post("/subscribe", data=form).status_code == 200
    assert len(mails_to(HOA)) == subscriptions.MAX_CONFIRMATIONS
