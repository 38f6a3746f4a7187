"""The servers the suite runs against besides SQLite, and the rule for when they are missing:
skip with the reason on a developer's machine, fail under CI."""

import os

import pytest

POSTGRES_URL = os.environ.get(
    "KIEUBAO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# A Redis database per test process (gw0 → 15, gw1 → 14, ...): one flushing its queue must
# not empty another's.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("KIEUBAO_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - _WORKER % 16}")


def unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable ({error.__class__.__name__}: {error})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; under CI it must run")
    pytest.skip(message)


def postgres_available() -> None:
    import psycopg

    try:
        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), connect_timeout=3):
            pass
    except Exception as exc:
        unavailable("PostgreSQL", exc)


def redis_available() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        unavailable("Redis", exc)
