"""API bearer tokens: made with an expiry, listed with their last use, revoked by their owner,
an administrator or the command line, and refused from the very next request, by every app
worker, with nothing anywhere keeping an answer given to them."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from kieubao.cli import build
from kieubao.platform import accounts, security
from kieubao.platform.db import utcnow
from kieubao.platform.errors import Invalid, NotFound
from kieubao.platform.models import ApiToken, User
from tests.personas import SYSTEM


def _row(session: Session, token: str) -> ApiToken:
    found = session.scalar(
        select(ApiToken).where(ApiToken.token_digest == security.token_digest(token))
    )
    assert found is not None
    return found


def _client(token: str) -> TestClient:
    """A client of an app of its own, as another worker behind the load balancer is."""
    from kieubao.app import create_app

    return TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})


def test_a_revoked_token_is_refused_at_once_by_every_worker(
    hq_officer: User, session: Session
) -> None:
    token = accounts.create_api_token(session, acting_user=SYSTEM, user=hq_officer, label="sync")
    first, second = _client(token), _client(token)
    for worker in (first, second):
        answer = worker.get("/api/v1/registry/figures")
        assert answer.status_code == 200
        # Nothing between the program and us may keep an answer given to a token.
        assert answer.headers["cache-control"] == "private, no-store"

    mine = first.get("/api/v1/tokens").json()
    assert [(t["label"], t["owner"]) for t in mine] == [("sync", hq_officer.email)]
    assert token.startswith(mine[0]["prefix"]) and "token" not in mine[0]
    revoked = first.delete(f"/api/v1/tokens/{mine[0]['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]

    for worker in (second, first):
        refused = worker.get("/api/v1/registry/figures")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"] == "Bearer"
    # A page answers an unknown bearer as it answers anyone: signed out.
    assert second.get("/console", follow_redirects=False).status_code == 303


def test_people_revoke_their_own_tokens_and_administrators_anyones(
    api: Callable[[User | None], TestClient],
    citizen_in_osaka: object,
    tokyo_officer: User,
    admin: User,
    session: Session,
) -> None:
    citizen = session.scalar(select(User).where(User.email == "an.nguyen@example.jp"))
    assert citizen is not None
    theirs = accounts.create_api_token(session, acting_user=SYSTEM, user=citizen, label="app")
    theirs_id = _row(session, theirs).id

    officer = api(tokyo_officer)
    assert [t["owner"] for t in officer.get("/api/v1/tokens").json()] == [tokyo_officer.email]
    # Another's token is not there for the officer: not listed, not revocable.
    assert officer.delete(f"/api/v1/tokens/{theirs_id}").status_code == 404
    assert officer.get("/api/v1/tokens/all").status_code == 403
    assert _row(session, theirs).revoked_at is None

    administrator = api(admin)
    owners = {t["owner"] for t in administrator.get("/api/v1/tokens/all").json()}
    assert {citizen.email, tokyo_officer.email, admin.email} <= owners
    assert administrator.delete(f"/api/v1/tokens/{theirs_id}").status_code == 200
    assert administrator.delete(f"/api/v1/tokens/{theirs_id}").status_code == 200  # no change
    assert _client(theirs).get("/api/v1/tokens").status_code == 401


def test_a_token_expires(hq_officer: User, session: Session) -> None:
    token = accounts.create_api_token(session, acting_user=SYSTEM, user=hq_officer, days=1)
    row = _row(session, token)
    assert row.expires_at is not None
    assert timedelta(hours=23) < row.expires_at - utcnow() <= timedelta(days=1)
    assert accounts.token_user(session, token) == hq_officer

    row.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert accounts.token_user(session, token) is None
    assert _client(token).get("/api/v1/registry/figures").status_code == 401
    listed = CliRunner().invoke(build(), ["tokens", "list", "--email", hq_officer.email])
    assert listed.output.rstrip().endswith("expired")

    forever = accounts.create_api_token(session, acting_user=SYSTEM, user=hq_officer, days=0)
    assert _row(session, forever).expires_at is None
    with pytest.raises(Invalid, match="days"):
        accounts.create_api_token(session, acting_user=SYSTEM, user=hq_officer, days=-1)


def test_a_deactivated_persons_tokens_are_refused(hq_officer: User, session: Session) -> None:
    token = accounts.create_api_token(session, acting_user=SYSTEM, user=hq_officer)
    hq_officer.is_active = False
    session.commit()
    assert _client(token).get("/api/v1/tokens").status_code == 401


def test_last_use_is_kept_to_the_minute_without_a_write_per_request(
    hq_officer: User, session: Session
) -> None:
    token = accounts.create_api_token(session, acting_user=SYSTEM, user=hq_officer)
    row = _row(session, token)
    assert row.last_used_at is None
    client = _client(token)
    client.get("/api/v1/tokens")
    session.refresh(row)
    first_use = row.last_used_at
    assert first_use is not None and utcnow() - first_use < timedelta(seconds=30)
    client.get("/api/v1/tokens")
    session.refresh(row)
    assert row.last_used_at == first_use

    row.last_used_at = first_use - accounts.LAST_USED_EVERY
    session.commit()
    listed = client.get("/api/v1/tokens").json()
    assert listed[0]["last_used_at"] is not None
    session.refresh(row)
    assert row.last_used_at is not None and row.last_used_at > first_use


def test_the_command_line_lists_and_revokes_tokens(hq_officer: User, session: Session) -> None:
    runner = CliRunner()
    made = runner.invoke(
        build(), ["tokens", "create", "--email", hq_officer.email, "--label", "etl", "--days", "7"]
    )
    assert made.exit_code == 0, made.output
    token = made.output.strip()
    row = _row(session, token)

    listed = runner.invoke(build(), ["tokens", "list", "--email", hq_officer.email])
    assert listed.exit_code == 0, listed.output
    line = next(line for line in listed.output.splitlines() if line.startswith(f"{row.id}\t"))
    assert row.prefix in line and "etl" in line and "active" in line and "last used never" in line

    revoked = runner.invoke(build(), ["tokens", "revoke", str(row.id)])
    assert revoked.exit_code == 0, revoked.output
    assert _client(token).get("/api/v1/tokens").status_code == 401
    assert "revoked" in runner.invoke(build(), ["tokens", "list"]).output

    unknown = runner.invoke(build(), ["tokens", "revoke", "999999"])
    assert unknown.exit_code == 1 and "token not found" in unknown.output
    with pytest.raises(NotFound):
        accounts.revoke_api_token(session, acting_user=hq_officer, token_id=999999)
