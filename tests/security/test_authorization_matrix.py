"""Every route × every persona: who may call it, declared here independently of the code,
checked against what the running app does. A route not declared here fails the test until
someone says who may call it; an allow the table does not expect fails it too.

The table speaks of the world the fixture builds: a citizen (A) in Osaka and one (B) in
Berlin, a protection case and a crisis in Japan. Paths name those objects, so a Berlin
officer asking for the Japanese case, or citizen B for A's record, must be refused (a 404
counts as a refusal there: a record one may not see is not there for them).
"""

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.figures import record
from tests.security.world import (
    ADMIN,
    ANONYMOUS,
    BERLIN,
    EDITOR,
    HQ,
    PARTNER,
    PERSONAS,
    TOKYO,
    A,
    B,
    build_world,
)

# Who may call what does not depend on the database: asked of SQLite alone.
pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

EVERYONE = frozenset(PERSONAS)
CITIZENS = frozenset({A, B})
OFFICERS = frozenset({TOKYO, BERLIN, HQ, ADMIN})
JAPAN = frozenset({TOKYO, HQ, ADMIN})  # officers who answer for the world's Japanese things
STAFF = OFFICERS | {PARTNER, EDITOR}
HEADQUARTERS = frozenset({HQ, ADMIN})
EDITORS = frozenset({EDITOR, ADMIN})
READERS_OF_COMMUNITY = OFFICERS | {EDITOR}
# No persona opens it: a provider's signature does (webhooks).
NOBODY: frozenset[str] = frozenset()

# "METHOD path-pattern": who may call it. The first pattern that matches decides.
POLICY: list[tuple[str, frozenset[str]]] = [
    # Signing in, the public portal and its feeds
    ("* /healthz", EVERYONE),
    ("* /login*", EVERYONE),
    ("POST /logout", EVERYONE),
    ("GET /", EVERYONE),
    ("* /register", EVERYONE),
    ("* /me*", CITIZENS),
    # A case number and its PIN open the files sent to the reporter, not an account.
    ("POST /protection/track/files/*", NOBODY),
    ("* /protection/*", EVERYONE),
    ("* /r/*", EVERYONE),
    ("* /crises/*/here", EVERYONE),
    ("GET /advisories*", EVERYONE),
    ("GET /feeds/*", EVERYONE),
    ("GET /cap/*", EVERYONE),
    ("GET /map/advisories.svg", EVERYONE),
    ("GET /countries*", EVERYONE),
    ("GET /missions", EVERYONE),
    ("GET /help", EVERYONE),
    ("* /bulletins*", EVERYONE),
    ("* /subscribe*", EVERYONE),
    ("* /subscriptions/*", EVERYONE),
    ("* /unsubscribe/*", EVERYONE),
    ("* /events/*/register", EVERYONE),
    ("GET /events/badge/*", EVERYONE),
    ("* /hooks/*", NOBODY),
    # API tokens: one's own (the path names the editor's spare one), an administrator's all
    ("GET /api/v1/tokens", EVERYONE - {ANONYMOUS}),
    ("GET /api/v1/tokens/all", frozenset({ADMIN})),
    ("DELETE /api/v1/tokens/{token_id}", EDITORS),
    # Registry API
    ("* /api/v1/citizens/{citizen_id:int}*", JAPAN | {A}),
    ("* /api/v1/citizens*", OFFICERS),
    ("* /api/v1/duplicates*", OFFICERS),
    ("* /api/v1/merges/*", OFFICERS),
    ("POST /api/v1/households", OFFICERS),
    ("GET /api/v1/registry/figures", STAFF),
    # Protection API
    ("POST /api/v1/cases", EVERYONE),
    ("GET /api/v1/cases/track", EVERYONE),
    ("GET /api/v1/cases/counts", STAFF - {EDITOR}),
    ("POST /api/v1/cases/intake", OFFICERS),
    ("GET /api/v1/cases", OFFICERS),
    ("* /api/v1/cases/{number}*", JAPAN),
    # Break-glass: a mission officer asks for a record beyond their jurisdiction
    ("POST /api/v1/break-glass", frozenset({TOKYO, BERLIN})),
    # Outreach API
    ("GET /api/v1/advisories", EVERYONE),
    ("GET /api/v1/advisories/{country}", EVERYONE),
    ("* /api/v1/advisory-versions/*/approve", HEADQUARTERS),
    ("* /api/v1/advisory-versions/*/publish", HEADQUARTERS),
    ("* /api/v1/advisor*", OFFICERS),
    ("GET /api/v1/bulletins*", EVERYONE),
    ("POST /api/v1/bulletins", OFFICERS),
    ("* /api/v1/bulletin-drafts/*/approve", HEADQUARTERS),
    ("* /api/v1/bulletin-drafts/*/publish", HEADQUARTERS),
    ("* /api/v1/bulletin-drafts*", OFFICERS),
    ("* /api/v1/subscriptions*", EVERYONE),
    # Crisis API
    ("GET /api/v1/hazards*", STAFF),
    ("POST /api/v1/exposure", STAFF),
    ("* /api/v1/feeds/ingest", HEADQUARTERS),
    ("* /api/v1/feed-sources*", HEADQUARTERS),
    ("GET /api/v1/alert-rules", OFFICERS),
    ("* /api/v1/alert-rules*", HEADQUARTERS),
    ("* /api/v1/alerts*", OFFICERS),
    ("POST /api/v1/crises", OFFICERS),
    ("GET /api/v1/crises", STAFF),
    ("GET /api/v1/crises/{crisis_id}", STAFF),
    ("POST /api/v1/crises/*/self-reports", EVERYONE),
    ("GET /api/v1/crises/*/roster", OFFICERS),
    ("POST /api/v1/crises/*/roster/{entry_id}/status", JAPAN),
    ("POST /api/v1/outbox/receipts/*", EVERYONE),
    # Community API
    ("GET /api/v1/community/profiles", STAFF),
    ("GET /api/v1/community/figures", STAFF),
    ("GET /api/v1/community/events", STAFF),
    ("GET /api/v1/community/events/*/attendance", STAFF),
    ("GET /api/v1/community/events/*/follow-ups", STAFF),
    ("GET /api/v1/community/events/*/sessions", EVERYONE),
    ("GET /api/v1/community/events/*/badges.pdf", EDITORS),
    ("POST /api/v1/community/events/*/delegates", EVERYONE),
    ("POST /api/v1/community/checkin/*", READERS_OF_COMMUNITY),
    ("POST /api/v1/community/associations/*/contacts", READERS_OF_COMMUNITY),
    ("GET /api/v1/community/*", READERS_OF_COMMUNITY),
    ("* /api/v1/community/*", EDITORS),
    # Coordination API: partner agencies see programs, reviews and sitreps, and update their
    # own tasks; headquarters runs them
    ("GET /api/v1/coordination/notes", OFFICERS),
    ("GET /api/v1/coordination/trained", OFFICERS),
    ("PATCH /api/v1/coordination/tasks/*", OFFICERS | {PARTNER}),
    ("POST /api/v1/coordination/sitreps", OFFICERS | {PARTNER}),
    ("GET /api/v1/coordination/*", OFFICERS | {PARTNER}),
    ("* /api/v1/coordination/*", HEADQUARTERS),
    # Privacy API: a citizen's own requests, those of a mission's countries, HQ all of them;
    # the breach register and the record of processing are headquarters' (edited by admins)
    ("GET /api/v1/privacy/requests/{request_id}", JAPAN | {A}),
    ("* /api/v1/privacy/requests/{request_id}/*", JAPAN),
    ("* /api/v1/privacy/requests", OFFICERS | CITIZENS),
    ("* /api/v1/privacy/breaches*", HEADQUARTERS),
    ("GET /api/v1/privacy/processing", HEADQUARTERS),
    ("PUT /api/v1/privacy/processing/{code}", frozenset({ADMIN})),
    # Console: crisis figures are for all staff, their people for officers
    ("GET /console/crisis", STAFF),
    ("GET /console/crisis/map.json", STAFF),
    ("GET /console/crisis/stream", STAFF),
    ("GET /console/crisis/hazards/*", STAFF),
    ("GET /console/crisis/crises/{crisis_id}", STAFF),
    ("GET /console/crisis/crises/*/counts", STAFF),
    ("GET /console/crisis/crises/*/map.json", STAFF),
    ("* /console/crisis/crises/*/entries/{entry_id}*", JAPAN),
    ("* /console/crisis/crises/*/lists", JAPAN),
    ("POST /console/crisis/plans/{country}", JAPAN),
    ("* /console/crisis*", OFFICERS),
    ("GET /console/protection/dashboard*", OFFICERS | {PARTNER}),
    ("GET /console/protection/map.json", OFFICERS | {PARTNER}),
    ("GET /console/protection/report*", OFFICERS | {PARTNER}),
    ("GET /console/community", STAFF),
    ("GET /console/community/experts/new", EDITORS),
    ("GET /console/community/events/*/badge", EDITORS),
    ("GET /console/community/*", READERS_OF_COMMUNITY),
    ("* /console/community/checkin/*", READERS_OF_COMMUNITY),
    ("* /console/community/*", EDITORS),
    ("POST /console/coordination/reviews", HEADQUARTERS),
    ("* /console/coordination*", OFFICERS | {PARTNER}),
    ("* /console/cases/{number}*", JAPAN),
    ("* /console/break-glass", frozenset({TOKYO, BERLIN})),
    ("* /console/privacy/break-glass*", HEADQUARTERS),
    ("* /console/privacy/requests/{request_id}*", JAPAN),
    ("* /console/privacy/breaches*", HEADQUARTERS),
    ("POST /console/privacy/processing/{code}", frozenset({ADMIN})),
    ("GET /console/privacy/processing*", HEADQUARTERS),
    ("* /console/citizens/{citizen_id:int}", JAPAN),
    ("* /console*", OFFICERS),
]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as declared, {params} unfilled

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def endpoints(app: FastAPI) -> Iterator[Endpoint]:
    def walk(routes: list[Any], prefix: str) -> Iterator[Endpoint]:
        for route in routes:
            if isinstance(route, APIRoute):
                for method in sorted(route.methods - {"HEAD"}):
                    yield Endpoint(method, prefix + route.path)
            elif (router := getattr(route, "original_router", None)) is not None:
                yield from walk(router.routes, prefix + route.include_context.prefix)

    yield from walk(app.routes, "")


def allowed_by_policy(endpoint: Endpoint) -> frozenset[str] | None:
    for pattern, allowed in POLICY:
        method, path = pattern.split(" ", 1)
        if fnmatch.fnmatchcase(endpoint.method, method) and fnmatch.fnmatchcase(
            endpoint.path, path
        ):
            return allowed
    return None


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    return build_world(session)


def _fill(path: str, params: dict[str, str]) -> tuple[str, bool]:
    """The path with its parameters filled; True when every one names a world object. A
    parameter is named alone, or with the start of its path where names mean different
    things (a reply link's token is not a subscription's)."""
    named = True

    def value(match: re.Match[str]) -> str:
        nonlocal named
        name = match.group(1).split(":")[0]
        start = path[: match.end()]
        found = params.get(start, params.get(name))
        # A country is no record: a page about one with nothing to show may be a 404.
        named = named and found is not None and name != "country"
        return found or "1"

    return re.sub(r"\{([^}]+)\}", value, path), named


def test_every_route_is_declared(app_client: TestClient) -> None:
    undeclared = [e.key for e in endpoints(app_client.app) if allowed_by_policy(e) is None]  # type: ignore[arg-type]
    assert undeclared == [], "say who may call these routes in POLICY"


def test_every_route_answers_every_persona_as_declared(
    app_client: TestClient, world: dict[str, Any]
) -> None:
    surprises, failures = [], []
    cells = 0
    for endpoint in endpoints(app_client.app):  # type: ignore[arg-type]
        allowed = allowed_by_policy(endpoint)
        if allowed is None:
            continue
        path, named = _fill(endpoint.path, world["params"])
        for persona in PERSONAS:
            if endpoint.path.endswith("/stream") and persona in allowed:
                continue  # an allowed caller would get an endless event stream
            denied, status = _denied(app_client, endpoint.method, path, persona, world, named)
            if status == 422 and persona not in allowed:
                # The empty body was refused before the record was looked up: who may write
                # to which record is proved by each domain's scoping tests.
                continue
            cells += 1
            if status >= 500:
                failures.append(f"{endpoint.key} as {persona}: {status}")
            elif denied == (persona in allowed):
                verdict = "refused" if denied else "ALLOWED"
                surprises.append(f"{endpoint.key} as {persona}: {verdict} ({status})")
    record(
        "authorization_matrix",
        {
            "routes": len({e.key for e in endpoints(app_client.app)}),  # type: ignore[arg-type]
            "personas": len(PERSONAS),
            "cells_checked": cells,
            "server_errors": len(failures),
            "unexpected": len(surprises),
        },
    )
    assert not failures, "\n".join(failures)
    assert not surprises, "\n".join(surprises)


def _denied(
    client: TestClient,
    method: str,
    path: str,
    persona: str,
    world: dict[str, Any],
    named: bool,
) -> tuple[bool, int]:
    api = path.startswith("/api/")
    headers = {"Accept": "application/json" if api else "text/html"}
    if persona != ANONYMOUS:
        headers["Authorization"] = f"Bearer {world['tokens'][persona]}"
    body: dict[str, Any] = {"json": {}} if api else {"data": {}}
    answer = client.request(
        method,
        path,
        headers=headers,
        follow_redirects=False,
        **(body if method in ("POST", "PUT", "PATCH") else {}),
    )
    status = answer.status_code
    # Sent back to sign in, unless signing in is what the page is about (its next step).
    to_login = (
        status in (302, 303, 307)
        and answer.headers["location"].startswith("/login")
        and not path.startswith("/login")
    )
    return status in (401, 403) or to_login or (status == 404 and named), status


def test_the_policy_table_has_no_dead_lines(app_client: TestClient) -> None:
    """A pattern no route matches any more is a promise nobody checks."""
    keys = [e for e in endpoints(app_client.app)]  # type: ignore[arg-type]
    dead = [
        pattern
        for pattern, _allowed in POLICY
        if not any(
            fnmatch.fnmatchcase(e.method, pattern.split(" ", 1)[0])
            and fnmatch.fnmatchcase(e.path, pattern.split(" ", 1)[1])
            for e in keys
        )
    ]
    assert dead == []


@pytest.fixture
def app_client(session: Session) -> TestClient:
    from kieubao.app import create_app

    return TestClient(create_app(), raise_server_exceptions=False)
