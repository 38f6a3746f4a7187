"""Signing in: officers with password and TOTP, citizens with a link; deny by default."""

import re
import time
from collections.abc import Callable

import pyotp
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kieubao.platform import accounts, deps, security
from kieubao.platform.models import User
from tests.personas import PASSWORD, SYSTEM, mails_to


def _sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    response = client.post(
        "/login", data={"email": email, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_an_officer_enrols_totp_then_signs_in_with_it(
    app_client: TestClient, hq_officer: User, session: Session
) -> None:
    assert _sign_in(app_client, hq_officer.email).startswith("/login/totp/enrol")
    page = app_client.get("/login/totp/enrol")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret, "the enrolment page shows the key to type by hand"
    assert "<svg" in page.text, "and a QR code to scan"
    # Before the second factor, the console is closed.
    assert app_client.get("/console", follow_redirects=False).status_code == 303
    code = pyotp.TOTP(secret[1]).now()
    done = app_client.post(
        "/login/totp",
        data={"code": code, "next": "/console"},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/console"
    assert app_client.get("/console").status_code == 200

    app_client.post("/logout")
    assert _sign_in(app_client, hq_officer.email).startswith("/login/totp?")
    # The code just used is refused: one code, one sign-in (the same code, even when the
    # clock has moved on to the next 30 s step meanwhile).
    replay = app_client.post("/login/totp", data={"code": code})
    assert replay.status_code == 401


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    app_client: TestClient, hq_officer: User
) -> None:
    wrong = app_client.post(
        "/login", data={"email": hq_officer.email, "password": "nope nope nope"}
    )
    unknown = app_client.post("/login", data={"email": "nobody@mofa.gov.vn", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401


def test_totp_codes_are_checked_against_time_and_replay() -> None:
    secret = security.new_totp_secret()
    now = time.time()
    code = pyotp.TOTP(secret).at(now)
    step = security.totp_step(secret, code, last_step=0, now=now)
    assert step is not None
    assert security.totp_step(secret, code, last_step=step, now=now) is None
    assert security.totp_step(secret, "000000" if code != "000000" else "111111", 0, now) is None
    assert security.totp_step(secret, "12ab56", 0, now) is None


def test_a_citizen_signs_in_with_a_one_time_link(app_client: TestClient, session: Session) -> None:
    response = app_client.post("/login/citizen", data={"email": "hoa.tran@example.de"})
    assert response.status_code == 200
    body = mails_to("hoa.tran@example.de")[-1]
    link = re.search(r"http://testserver(/login/link/\S+)", body)
    assert link
    first = app_client.get(link[1], follow_redirects=False)
    assert first.status_code == 303
    assert app_client.get(link[1], follow_redirects=False).status_code == 410


def test_api_tokens_authenticate_and_can_be_revoked(
    api: Callable[[User | None], TestClient], hq_officer: User, session: Session
) -> None:
    client = api(hq_officer)
    assert client.get("/api/v1/registry/figures").status_code == 200
    token = client.headers["Authorization"].split()[1]
    row = accounts.token_user(session, token)
    assert row is not None
    from sqlalchemy import select

    from kieubao.platform.models import ApiToken

    token_id = session.scalar(
        select(ApiToken.id).where(ApiToken.token_digest == security.token_digest(token))
    )
    assert token_id is not None
    accounts.revoke_api_token(session, acting_user=SYSTEM, token_id=token_id)
    denied = client.get("/api/v1/registry/figures")
    assert denied.status_code == 401
    assert denied.headers["content-type"] == "application/problem+json"


def test_an_app_with_an_undeclared_route_does_not_start() -> None:
    app = FastAPI()
    router = APIRouter()

    @router.get("/open")
    def open_route() -> dict[str, str]:
        return {}

    app.include_router(router)
    with pytest.raises(RuntimeError, match="/open"):
        deps.check_declared(app)


def test_weak_passwords_are_refused(session: Session) -> None:
    from kieubao.platform.errors import Invalid
    from kieubao.platform.models import Role

    with pytest.raises(Invalid, match="12 characters"):
        accounts.create_user(
            session,
            acting_user=SYSTEM,
            email="x@mofa.gov.vn",
            role=Role.hq_officer,
            password="short",
        )
