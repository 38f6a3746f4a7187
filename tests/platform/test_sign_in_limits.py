"""Guessing is slow: accounts lock after wrong passwords or codes in a row, addresses are
limited, and passwords known from breaches are refused."""

from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import accounts
from kieubao.platform.audit import AuditEntry
from kieubao.platform.db import utcnow
from kieubao.platform.errors import Invalid
from kieubao.platform.limits import TooMany
from kieubao.platform.models import Role, User
from kieubao.platform.pages import attempts_per_address
from kieubao.platform.security import password_problem
from tests.personas import SYSTEM

PASSWORD = "a long and quiet river 7"


@pytest.fixture
def lan(session: Session) -> User:
    return accounts.create_user(
        session,
        acting_user=SYSTEM,
        email="lan@mofa.gov.vn",
        role=Role.hq_officer,
        password=PASSWORD,
    )


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    attempts_per_address.reset()


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    session: Session, lan: User
) -> None:
    for _ in range(accounts.LOCK_AFTER):
        assert accounts.authenticate(session, email=lan.email, password="wrong guess") is None
    with pytest.raises(TooMany):
        accounts.authenticate(session, email=lan.email, password=PASSWORD)
    assert session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "user.locked", AuditEntry.target_id == str(lan.id)
        )
    )
    # The lock lifts by itself.
    lan.locked_until = utcnow() - timedelta(seconds=1)
    assert accounts.authenticate(session, email=lan.email, password=PASSWORD) == lan


def test_a_right_password_starts_the_count_again(session: Session, lan: User) -> None:
    for _ in range(accounts.LOCK_AFTER - 1):
        accounts.authenticate(session, email=lan.email, password="wrong guess")
    assert accounts.authenticate(session, email=lan.email, password=PASSWORD) == lan
    for _ in range(accounts.LOCK_AFTER - 1):
        accounts.authenticate(session, email=lan.email, password="wrong guess")
    assert accounts.authenticate(session, email=lan.email, password=PASSWORD) == lan


def test_wrong_second_factor_codes_lock_the_account_too(session: Session, lan: User) -> None:
    token = accounts.start_session(session, user=lan, stage="password")
    secret = accounts.begin_totp_enrolment(session, user=lan)
    for _ in range(accounts.LOCK_AFTER):
        assert not accounts.verify_second_factor(session, user=lan, token=token, code="000000")
    with pytest.raises(TooMany):
        accounts.verify_second_factor(session, user=lan, token=token, code=pyotp.TOTP(secret).now())


def test_the_sign_in_page_says_too_many_without_telling_which_accounts_exist(
    app_client: TestClient, lan: User
) -> None:
    for email in (lan.email, "nobody@mofa.gov.vn"):
        answers = [
            app_client.post("/login?lang=en", data={"email": email, "password": "wrong guess"})
            for _ in range(accounts.LOCK_AFTER + 1)
        ]
        assert [a.status_code for a in answers[:-1]] == [401] * accounts.LOCK_AFTER
        last = answers[-1]
        if email == lan.email:
            assert last.status_code == 429 and "Too many attempts" in last.text
        else:
            assert last.status_code == 401


def test_one_address_cannot_guess_across_many_accounts(app_client: TestClient) -> None:
    answers = [
        app_client.post("/login", data={"email": f"x{i}@mofa.gov.vn", "password": "guess"})
        for i in range(attempts_per_address.attempts + 1)
    ]
    assert answers[-2].status_code == 401 and answers[-1].status_code == 429


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("anhyeuem2026!!", True),  # a Vietnamese favourite with its usual padding
        ("qwertyuiop123", True),
        ("123456789012", True),
        ("password1234", True),
        ("a long and quiet river 7", False),
    ],
)
def test_passwords_known_from_breaches_are_refused(password: str, refused: bool) -> None:
    assert (password_problem(password) is not None) is refused


def test_an_account_cannot_be_created_with_a_breached_password(session: Session) -> None:
    with pytest.raises(Invalid):
        accounts.create_user(
            session,
            acting_user=SYSTEM,
            email="weak@mofa.gov.vn",
            role=Role.hq_officer,
            password="iloveyou1234",
        )
