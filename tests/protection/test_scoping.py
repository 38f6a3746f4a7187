"""A mission sees its own cases, HQ all of them, a partner agency the counts only."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kieubao.platform.models import Role, User
from kieubao.protection.actions.intake import Intake
from tests.personas import make_user

STEP = "contact_authority"
BODIES: dict[str, dict[str, Any]] = {
    "triage": {},
    "status": {"status": "escalated"},
    "notes": {"text": "ghi chú"},
    "liaisons": {"kind": "call", "authority": "Osaka police", "on": "2026-11-20"},
    "assign": {"officer_email": "minh.tokyo@mofa.gov.vn"},
}


def every_endpoint(number: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    base = f"/api/v1/cases/{number}"
    writes = [("post", f"{base}/{name}", body) for name, body in BODIES.items()]
    return [
        ("get", "/api/v1/cases", None),
        ("get", base, None),
        *writes,
        ("post", f"{base}/steps/{STEP}/done", None),
    ]


def call(client: TestClient, method: str, url: str, body: dict[str, Any] | None) -> Any:
    return client.request(method, url, json=body)


def test_berlin_cannot_see_or_touch_a_tokyo_case(
    api: Callable[[User | None], TestClient],
    open_case: Callable[..., Intake],
    berlin_officer: User,
) -> None:
    number = open_case().case.number
    client = api(berlin_officer)
    for method, url, body in every_endpoint(number):
        answer = call(client, method, url, body)
        if url == "/api/v1/cases":
            assert answer.status_code == 200 and answer.json() == []
        else:
            assert answer.status_code == 404, (url, answer.text)
    assert client.get("/api/v1/cases/counts").json()["by_type"] == {}


@pytest.mark.parametrize("who", ["tokyo_officer", "hq_officer"])
def test_the_mission_and_hq_work_the_case(
    api: Callable[[User | None], TestClient],
    open_case: Callable[..., Intake],
    who: str,
    request: pytest.FixtureRequest,
    tokyo_officer: User,
) -> None:
    number = open_case().case.number
    client = api(request.getfixturevalue(who))
    for method, url, body in every_endpoint(number):
        answer = call(client, method, url, body)
        assert answer.status_code in (200, 201), (url, answer.text)
    listed = client.get("/api/v1/cases").json()
    assert [c["number"] for c in listed] == [number]


@pytest.mark.parametrize("who", ["partner_analyst", "community_editor", "citizen"])
def test_others_get_counts_at_most(
    api: Callable[[User | None], TestClient],
    open_case: Callable[..., Intake],
    who: str,
    request: pytest.FixtureRequest,
    session: Session,
) -> None:
    number = open_case().case.number
    if who == "citizen":
        user = make_user(session, "an.nguyen@example.jp", Role.citizen)
    else:
        user = request.getfixturevalue(who)
    client = api(user)
    for method, url, body in every_endpoint(number):
        assert call(client, method, url, body).status_code == 403, url
    counts = client.get("/api/v1/cases/counts")
    if who == "partner_analyst":
        assert counts.json()["by_type"] == {"arrest_detention": 1}
        assert number not in counts.text
    else:
        assert counts.status_code == 403
