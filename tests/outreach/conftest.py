"""Outreach stories: officers at a mission and at headquarters warning and informing citizens
about a country, and the people who subscribed to hear it."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kieubao.domains import install_templates
from kieubao.outreach import actions, bulletins, sending, subscriptions
from kieubao.outreach.bulletin_schemas import BulletinIn, SubscribeIn
from kieubao.outreach.models import AdvisoryVersion, Bulletin, Subscriber
from kieubao.outreach.schemas import AdvisoryIn
from kieubao.platform.models import Role, User
from tests.personas import make_user


@pytest.fixture(autouse=True)
def _message_templates() -> None:
    """Publishing renders outbox messages, as it does in the worker: the templates are needed."""
    install_templates()


def advisory_in(**overrides: Any) -> AdvisoryIn:
    values: dict[str, Any] = {
        "country": "JP",
        "level": 2,
        "reasons": ["disaster"],
        "advice_vi": "<p>Theo dõi thông tin động đất và sóng thần.</p>",
        "advice_en": "<p>Follow earthquake and tsunami warnings.</p>",
        "entry_vi": "<p>Miễn thị thực 15 ngày không áp dụng.</p>",
        "entry_en": "<p>A visa is required.</p>",
    }
    values.update(overrides)
    return AdvisoryIn.model_validate(values)


@pytest.fixture
def second_hq_officer(session: Session) -> User:
    return make_user(session, "tuan.hq@mofa.gov.vn", Role.hq_officer)


@pytest.fixture
def publish_advisory(
    session: Session, tokyo_officer: User, hq_officer: User
) -> Callable[..., AdvisoryVersion]:
    """Drafted at the Tokyo embassy, approved and published at headquarters."""

    def publish(**overrides: Any) -> AdvisoryVersion:
        version = actions.draft_advisory(
            session, acting_user=tokyo_officer, data=advisory_in(**overrides)
        )
        actions.submit_for_review(session, acting_user=tokyo_officer, version=version)
        actions.approve(session, acting_user=hq_officer, version=version)
        return actions.publish(session, acting_user=hq_officer, version=version)

    return publish


def bulletin_in(**overrides: Any) -> BulletinIn:
    values: dict[str, Any] = {
        "kind": "scam_warning",
        "title_vi": "Cảnh giác lừa đảo việc làm tại Nhật Bản",
        "title_en": "Beware of job scams in Japan",
        "body_vi": "<p>Không nộp tiền cho người môi giới không có giấy phép.</p>",
        "body_en": "<p>Do not pay brokers without a licence.</p>",
        "countries": ["JP"],
    }
    values.update(overrides)
    return BulletinIn.model_validate(values)


@pytest.fixture
def publish_bulletin(
    session: Session, tokyo_officer: User, hq_officer: User
) -> Callable[..., Bulletin]:
    """Drafted at the Tokyo embassy, approved and published at headquarters."""

    def publish(send_at: datetime | None = None, **overrides: Any) -> Bulletin:
        bulletin = bulletins.draft_bulletin(
            session, acting_user=tokyo_officer, data=bulletin_in(**overrides)
        )
        bulletins.submit_bulletin(session, acting_user=tokyo_officer, bulletin=bulletin)
        bulletins.approve_bulletin(session, acting_user=hq_officer, bulletin=bulletin)
        return bulletins.publish_bulletin(
            session, acting_user=hq_officer, bulletin=bulletin, send_at=send_at
        )

    return publish


@pytest.fixture
def subscribe(session: Session) -> Callable[..., Subscriber]:
    """Someone subscribes by email and (unless told not to) opens the confirmation link."""

    def make(email: str, *, confirm: bool = True, **overrides: Any) -> Subscriber:
        values: dict[str, Any] = {
            "email": email,
            "countries": ["JP"],
            "topics": ["advisories", "bulletins"],
        }
        values.update(overrides)
        subscriber = subscriptions.subscribe(
            session, acting_user=None, data=SubscribeIn.model_validate(values)
        )
        if confirm:
            token = sending.link(sending.CONFIRM, subscriber.id).rsplit("/", 1)[1]
            subscriptions.confirm_link(session, token=token)
        return subscriber

    return make
