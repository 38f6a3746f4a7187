"""Who may not call an endpoint: each persona refused, anonymous callers asked to sign in."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from kieubao.platform.models import User


def assert_refused(
    api: Callable[[User | None], TestClient], method: str, url: str, *users: User
) -> None:
    for user in users:
        assert api(user).request(method, url, json={}).status_code == 403, user.role
    assert api(None).request(method, url, json={}).status_code == 401
