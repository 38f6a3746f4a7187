"""Who may call each coordination endpoint: every route, every persona."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kieubao.coordination import actions
from kieubao.coordination.models import Agency
from kieubao.coordination.schemas import MemberIn
from kieubao.platform.deps import api_routes
from kieubao.platform.models import Role, User
from tests.coordination.conftest import Api
from tests.personas import SYSTEM, make_user

HQ = {Role.admin, Role.hq_officer}
READERS = HQ | {Role.mission_officer, Role.partner_agency}
OFFICERS = HQ | {Role.mission_officer}
# (method, path) -> the roles the route lets in; every coordination route is listed.
ALLOWED: dict[tuple[str, str], set[Role]] = {
    ("POST", "/api/v1/coordination/agencies"): HQ,
    ("POST", "/api/v1/coordination/members"): HQ,
    ("GET", "/api/v1/coordination/programs"): READERS,
    ("POST", "/api/v1/coordination/programs"): HQ,
    ("GET", "/api/v1/coordination/tasks"): READERS,
    ("POST", "/api/v1/coordination/tasks"): HQ,
    ("PATCH", "/api/v1/coordination/tasks/{task_id}"): READERS,
    ("GET", "/api/v1/coordination/resolutions"): READERS,
    ("POST", "/api/v1/coordination/resolutions"): HQ,
    ("PUT", "/api/v1/coordination/indicators/{indicator_id}/values"): HQ,
    ("GET", "/api/v1/coordination/reviews"): READERS,
    ("POST", "/api/v1/coordination/reviews"): HQ,
    ("GET", "/api/v1/coordination/reviews/{review_id}"): READERS,
    ("PATCH", "/api/v1/coordination/reviews/{review_id}"): HQ,
    ("GET", "/api/v1/coordination/reviews/{review_id}/review.docx"): READERS,
    ("POST", "/api/v1/coordination/sitreps"): READERS,
    ("GET", "/api/v1/coordination/delegations"): READERS,
    ("POST", "/api/v1/coordination/delegations"): HQ,
    ("POST", "/api/v1/coordination/delegations/{delegation_id}/approval"): HQ,
    ("POST", "/api/v1/coordination/delegations/{delegation_id}/outcome"): HQ,
    ("GET", "/api/v1/coordination/notes"): OFFICERS,
    ("POST", "/api/v1/coordination/notes"): HQ,
    ("POST", "/api/v1/coordination/notes/{note_id}/status"): HQ,
    ("POST", "/api/v1/coordination/courses"): HQ,
    ("POST", "/api/v1/coordination/courses/{course_id}/attendance"): HQ,
    ("GET", "/api/v1/coordination/trained"): OFFICERS,
}


def test_every_coordination_route_is_listed(app_client: TestClient) -> None:
    routes = {
        (method, "/api/v1" + r.path)
        for r in api_routes(app_client.app.routes)  # type: ignore[attr-defined]
        if r.path.startswith("/coordination")
        for method in r.methods or ()
    }
    assert routes == set(ALLOWED)


@pytest.mark.parametrize("role", list(Role))
def test_each_persona_gets_in_only_where_allowed(
    session: Session, api: Api, role: Role, agencies: dict[str, Agency]
) -> None:
    mission = "JP-TYO-EMB" if role is Role.mission_officer else None
    user: User = make_user(session, f"{role.value}@example.vn", role, mission)
    if role is Role.partner_agency:
        # A partner account with no agency is refused even its reads (test_programs).
        link = MemberIn(user_id=user.id, agency="DVTW")
        actions.link_member(session, acting_user=SYSTEM, data=link)
    client = api(user)
    for (method, path), allowed in ALLOWED.items():
        url = path.format(task_id=1, indicator_id=1, review_id=1, delegation_id=1, note_id=1,
                          course_id=1)  # fmt: skip
        status = client.request(method, url, json={}).status_code
        if role in allowed:
            assert status != 403, (role, method, path)
        else:
            assert status == 403, (role, method, path, status)
    assert api(None).get("/api/v1/coordination/programs").status_code == 401
