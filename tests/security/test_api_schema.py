"""The API keeps the promises of its OpenAPI document, whoever calls it: schemathesis sends
every operation generated requests, well formed and malformed, as each role with a bearer
token (and as nobody), and every one of its checks must pass: no server error, only
declared status codes, content types, headers and bodies matching the schema, malformed
input refused and well-formed input not refused for its form.

The app runs in process on a seeded SQLite database (the security world: citizens, a case,
a crisis), rolled back afterwards. Examples per operation are few, so that every operation
is covered as every role within a few minutes; ``KIEUBAO_SCHEMA_EXAMPLES`` raises them.
"""

import os
import time
from collections import Counter
from contextlib import suppress
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from sqlalchemy.orm import Session

from tests.figures import record
from tests.security.world import ADMIN, ANONYMOUS, EDITOR, HQ, PARTNER, TOKYO, A, build_world

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

ROLES = (ANONYMOUS, A, TOKYO, HQ, PARTNER, EDITOR, ADMIN)
EXAMPLES = int(os.environ.get("KIEUBAO_SCHEMA_EXAMPLES", "1"))
SCHEMA = "/api/v1/openapi.json"
# The schema gives the form of the input. Rules about its meaning (a country that exists, a
# name without numbers, a period that ends after it starts, exactly one of a circle or a
# polygon, a confirmation code that was sent) are answered 422 with the fields at fault:
# well-formed input may meet them, and must meet nothing worse.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
            }
        }
    }
)


def _all_checks() -> list[Any]:
    load_all_checks()
    return list(CHECKS.get_all())


def _exercise(operation: Any, headers: dict[str, str], checks: list[Any]) -> tuple[int, list[str]]:
    """Run generated cases of one operation, well formed then malformed; (cases, failures)."""
    ran, failures = 0, []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        cases, found = _cases(operation, mode, headers, checks)
        ran, failures = ran + cases, failures + found
    return ran, failures


def _cases(
    operation: Any, mode: GenerationMode, headers: dict[str, str], checks: list[Any]
) -> tuple[int, list[str]]:
    ran, failures = 0, []

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        nonlocal ran
        ran += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except (AssertionError, BaseExceptionGroup) as exc:
            failures.append(
                f"{operation.label} [{mode.value}] {response.status_code} "
                f"{response.content[:160]!r}: {_describe(exc)}"
            )

    # Nothing in an operation without parameters or body can be malformed.
    with suppress(hypothesis.errors.Unsatisfiable):
        run()
    return ran, failures


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_describe(e) for e in exc.exceptions)
    title = getattr(exc, "title", None) or type(exc).__name__
    return f"{title}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]


def test_every_operation_keeps_its_schema_for_every_role(
    app_client: TestClient, session: Session
) -> None:
    world = build_world(session)
    schema = schemathesis.openapi.from_asgi(SCHEMA, app_client.app, config=CONFIG)
    # A role revoking its own token (or, for the administrator, anyone's) does so last.
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda operation: operation.path.startswith("/api/v1/tokens"),
    )
    checks = _all_checks()
    started = time.monotonic()
    cases: Counter[str] = Counter()
    failed: dict[str, list[str]] = {}
    for role in ROLES:
        headers = {} if role == ANONYMOUS else {"Authorization": f"Bearer {world['tokens'][role]}"}
        failed[role] = []
        for operation in operations:
            ran, failures = _exercise(operation, headers, checks)
            cases[role] += ran
            failed[role] += failures
    record(
        "schemathesis",
        {
            "operations": len(operations),
            "roles": len(ROLES),
            "checks": sorted(c.__name__ for c in checks),
            "examples_per_operation_and_mode": EXAMPLES,
            "cases": sum(cases.values()),
            "cases_per_role": dict(cases),
            "failures_per_role": {role: len(f) for role, f in failed.items()},
            "seconds": round(time.monotonic() - started, 1),
        },
    )
    problems = [f"{role}: {f}" for role, found in failed.items() for f in found]
    assert not problems, f"{len(problems)} failures:\n" + "\n".join(problems)


def test_the_document_declares_refusals_and_who_must_sign_in(app_client: TestClient) -> None:
    document = app_client.get(SCHEMA).json()
    register = document["paths"]["/api/v1/citizens"]["post"]
    assert register["security"] == [{"bearer": []}]
    assert register["responses"]["401"] == {"$ref": "#/components/responses/Problem401"}
    assert register["responses"]["422"] == {"$ref": "#/components/responses/Problem422"}
    invalid = document["components"]["responses"]["Problem422"]["content"]
    assert invalid == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    # Anyone may read the advisories: no token asked for, none refused.
    advisories = document["paths"]["/api/v1/advisories"]["get"]
    assert "security" not in advisories and "401" not in advisories["responses"]
    assert document["paths"]["/api/v1/citizens/{citizen_id}"]["get"]["security"]
    workbook = document["paths"]["/api/v1/community/experts.xlsx"]["get"]["responses"]["200"]
    assert list(workbook["content"]) == [
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ]
    assert not [p for p in document["paths"] if p.startswith("/console")]


@pytest.fixture
def app_client(session: Session) -> TestClient:
    from kieubao.app import create_app

    return TestClient(create_app(), raise_server_exceptions=False)
