"""The people the suite's stories are about, and factories for what they work with."""

from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from kieubao.platform import accounts, audit
from kieubao.platform.models import Role, User
from kieubao.registry import actions
from kieubao.registry.models import Citizen, Purpose
from kieubao.registry.schemas import CitizenIn

SYSTEM = audit.System("tests")
PASSWORD = "correct horse battery staple"


def messages_to(address: str) -> list[EmailMessage]:
    """Every email the platform wrote to an address (file backend), oldest first."""
    from email import message_from_bytes, policy

    from kieubao.platform.settings import get_settings

    found = []
    mail_dir = get_settings().var_dir / "mail"
    for path in sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            found.append(message)
    return found


def mails_to(address: str) -> list[str]:
    """The text of every email the platform wrote to an address (file backend), oldest first."""
    return [m.get_body(("plain",)).get_content() for m in messages_to(address)]  # type: ignore[union-attr]


def make_user(session: Session, email: str, role: Role, mission: str | None = None) -> User:
    return accounts.create_user(
        session,
        acting_user=SYSTEM,
        email=email,
        role=role,
        mission_code=mission,
        password=PASSWORD,
    )


def citizen_in(**overrides: Any) -> CitizenIn:
    values: dict[str, Any] = {
        "full_name": "Nguyễn Văn An",
        "sex": "male",
        "date_of_birth": "1990-05-17",
        "country": "JP",
        "city": "Osaka",
        "stay_status": "worker",
        "phones": ["+81 90 1234 5678"],
        "consents": {Purpose.consular_contact: True, Purpose.crisis_alerts: True},
    }
    values.update(overrides)
    return CitizenIn.model_validate(values)


@pytest.fixture
def make_citizen(session: Session) -> Callable[..., Citizen]:
    def make(**overrides: Any) -> Citizen:
        return actions.register_citizen(session, acting_user=SYSTEM, data=citizen_in(**overrides))

    return make


@pytest.fixture
def hq_officer(session: Session) -> User:
    return make_user(session, "lan.hq@mofa.gov.vn", Role.hq_officer)


@pytest.fixture
def admin(session: Session) -> User:
    return make_user(session, "admin@mofa.gov.vn", Role.admin)


@pytest.fixture
def tokyo_officer(session: Session) -> User:
    return make_user(session, "minh.tokyo@mofa.gov.vn", Role.mission_officer, "JP-TYO-EMB")


@pytest.fixture
def berlin_officer(session: Session) -> User:
    return make_user(session, "hoa.berlin@mofa.gov.vn", Role.mission_officer, "DE-BER-EMB")


@pytest.fixture
def partner_analyst(session: Session) -> User:
    return make_user(session, "analyst@danvan.vn", Role.partner_agency)


@pytest.fixture
def community_editor(session: Session) -> User:
    return make_user(session, "editor@mofa.gov.vn", Role.community_editor)


@pytest.fixture
def citizen_in_osaka(session: Session) -> Citizen:
    user = make_user(session, "an.nguyen@example.jp", Role.citizen)
    return actions.register_citizen(
        session,
        acting_user=user,
        data=citizen_in(email="an.nguyen@example.jp"),
        source="self",
        user_id=user.id,
    )


@pytest.fixture
def app_client(connection: Connection) -> TestClient:
    from kieubao.app import create_app

    return TestClient(create_app())


@pytest.fixture
def api(app_client: TestClient, session: Session) -> Callable[[User | None], TestClient]:
    """A client acting as a user through a bearer token (None: anonymous)."""

    def as_user(user: User | None) -> TestClient:
        app_client.headers.pop("Authorization", None)
        if user is not None:
            token = accounts.create_api_token(session, acting_user=SYSTEM, user=user)
            app_client.headers["Authorization"] = f"Bearer {token}"
        return app_client

    return as_user
