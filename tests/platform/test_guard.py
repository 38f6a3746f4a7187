"""Security headers on every response; state-changing requests from other sites refused."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kieubao.platform.models import User


def test_every_page_and_api_answer_carries_the_security_headers(app_client: TestClient) -> None:
    for path in ("/login", "/api/v1/advisories", "/no-such-page", "/static/kieubao.css"):
        answer = app_client.get(path)
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert "geolocation=(self)" in answer.headers["permissions-policy"]


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({"Sec-Fetch-Site": "same-origin"}, True),
        ({"Sec-Fetch-Site": "none"}, True),
        ({"Sec-Fetch-Site": "cross-site"}, False),
        ({"Sec-Fetch-Site": "same-site"}, False),
        ({"Origin": "http://testserver"}, True),
        ({"Origin": "https://evil.example"}, False),
        ({"Origin": "null"}, False),
        ({}, True),  # no browser's word either way: an API client or a webhook
    ],
)
def test_a_form_post_from_another_site_changes_nothing(
    app_client: TestClient, hq_officer: User, headers: dict[str, str], allowed: bool
) -> None:
    answer = app_client.post(
        "/login",
        data={"email": hq_officer.email, "password": "wrong password"},
        headers=headers,
        follow_redirects=False,
    )
    if allowed:
        assert answer.status_code != 403
    else:
        assert answer.status_code == 403
        assert answer.headers["content-type"] == "application/problem+json"
        assert "another site" in answer.json()["detail"]


def test_reads_from_another_site_still_work(app_client: TestClient) -> None:
    answer = app_client.get("/login", headers={"Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 200


def test_the_api_docs_page_may_load_its_own_scripts(app_client: Any) -> None:
    policy = app_client.get("/api/docs").headers["content-security-policy"]
    assert "cdn.jsdelivr.net" in policy
