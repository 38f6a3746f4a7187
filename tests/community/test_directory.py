"""Community editors keep the associations and experts; partner agencies see only figures."""

from collections.abc import Callable
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.community.schemas import ExpertIn
from kieubao.platform.audit import AuditEntry
from kieubao.platform.db import utcnow
from kieubao.platform.models import Role, User
from kieubao.registry.models import Citizen
from tests.community.roles import assert_refused
from tests.personas import make_user

Api = Callable[[User | None], TestClient]

OSAKA_ASSOCIATION = {
    "name_vi": "Hội người Việt Nam tại Osaka",
    "name_local": "大阪ベトナム人協会",
    "country": "Nhật Bản",
    "city": "Osaka",
    "kind": "general",
    "leaders": [{"name": "Trần Thị Mai", "role": "Chủ tịch", "email": "mai@example.jp"}],
    "members_count": 1200,
    "relationship_status": "regular",
}


def expert(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "full_name": "Lê Quang Huy",
        "date_of_birth": "1975-03-02",
        "country": "DE",
        "city": "München",
        "email": "huy.le@example.de",
        "fields": ["Artificial intelligence", "Robotics"],
        "affiliations": ["TU München"],
        "degrees": ["PhD"],
        "languages": ["vi", "de", "en"],
        "contributions": ["advice", "technology_transfer"],
        "consent_listing": True,
    }
    values.update(overrides)
    return values


def test_an_editor_records_an_association_and_a_mission_logs_its_contacts(
    session: Session, api: Api, community_editor: User, tokyo_officer: User
) -> None:
    created = api(community_editor).post("/api/v1/community/associations", json=OSAKA_ASSOCIATION)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["country"] == "JP" and body["leaders"][0]["name"] == "Trần Thị Mai"
    url = f"/api/v1/community/associations/{body['id']}"
    contact = {"contacted_on": "2026-02-10", "channel": "meeting", "summary": "Tết gathering"}
    logged = api(tokyo_officer).post(f"{url}/contacts", json=contact)
    assert logged.status_code == 201, logged.text
    assert api(tokyo_officer).get(url).json()["contacts"][0]["summary"] == "Tết gathering"
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"association.saved", "association.contacted"} <= actions


def test_bad_association_input_names_each_field(api: Api, community_editor: User) -> None:
    bad = OSAKA_ASSOCIATION | {"country": "Atlantis", "kind": "club", "members_count": -3}
    response = api(community_editor).post("/api/v1/community/associations", json=bad)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"country", "kind", "members_count"} <= fields


def test_a_contact_in_the_future_is_refused(api: Api, community_editor: User) -> None:
    created = api(community_editor).post("/api/v1/community/associations", json=OSAKA_ASSOCIATION)
    url = f"/api/v1/community/associations/{created.json()['id']}/contacts"
    future = {"contacted_on": "2999-01-01", "channel": "call", "summary": "x"}
    response = api(community_editor).post(url, json=future)
    assert response.status_code == 422
    assert "future" in response.text


def test_an_expert_who_is_a_registered_citizen_is_linked_to_the_record(
    api: Api, community_editor: User, make_citizen: Callable[..., Citizen]
) -> None:
    citizen = make_citizen(full_name="Lê Quang Huy", date_of_birth="1975-03-02", country="DE")
    linked = api(community_editor).post("/api/v1/community/experts", json=expert())
    assert linked.status_code == 201, linked.text
    assert linked.json()["citizen_id"] == citizen.id
    origin = expert(full_name="Phạm Minh Đức", date_of_birth="1968-11-20", country="US")
    not_a_citizen = api(community_editor).post("/api/v1/community/experts", json=origin)
    assert not_a_citizen.json()["citizen_id"] is None


def test_experts_are_searched_by_field_and_country_and_exported_with_consent_only(
    api: Api, community_editor: User, hq_officer: User
) -> None:
    editor = api(community_editor)
    editor.post("/api/v1/community/experts", json=expert())
    editor.post(
        "/api/v1/community/experts",
        json=expert(full_name="Vũ Thị Hạnh", fields=["Robotics"], consent_listing=False),
    )
    editor.post(
        "/api/v1/community/experts",
        json=expert(full_name="Đỗ Văn Nam", country="FR", fields=["Medicine"]),
    )
    hq = api(hq_officer)
    found = hq.get("/api/v1/community/experts", params={"field": "robot", "country": "Đức"})
    assert sorted(e["full_name"] for e in found.json()) == ["Lê Quang Huy", "Vũ Thị Hạnh"]
    sheet = hq.get("/api/v1/community/experts.xlsx", params={"field": "robot"})
    assert sheet.status_code == 200
    rows = list(load_workbook(BytesIO(sheet.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert [r[0] for r in rows][1:] == ["Lê Quang Huy"]
    assert rows[1][4] == "Artificial intelligence; Robotics"


def test_partner_agencies_see_country_figures_and_no_person(
    api: Api, community_editor: User, partner_analyst: User
) -> None:
    editor = api(community_editor)
    editor.post("/api/v1/community/associations", json=OSAKA_ASSOCIATION)
    editor.post("/api/v1/community/experts", json=expert(country="JP"))
    profile = {
        "country": "JP",
        "estimated_size": 600000,
        "size_source": "Ministry of Justice of Japan",
        "size_year": 2025,
        "main_cities": ["Tokyo", "Osaka"],
    }
    assert editor.put("/api/v1/community/profiles", json=profile).status_code == 200
    partner = api(partner_analyst)
    (seen,) = partner.get("/api/v1/community/profiles").json()
    assert seen["estimated_size"] == 600000 and seen["associations"] == 1 and seen["experts"] == 1
    assert partner.get("/api/v1/community/experts").status_code == 403
    assert partner.get("/api/v1/community/associations").status_code == 403
    assert partner.get("/api/v1/community/experts.xlsx").status_code == 403
    future = profile | {"size_year": 2999}
    assert api(community_editor).put("/api/v1/community/profiles", json=future).status_code == 422


EDITS = [
    ("post", "/api/v1/community/associations"),
    ("put", "/api/v1/community/associations/1"),
    ("post", "/api/v1/community/experts"),
    ("put", "/api/v1/community/experts/1"),
    ("put", "/api/v1/community/profiles"),
]
READS = [
    ("get", "/api/v1/community/associations"),
    ("get", "/api/v1/community/associations/1"),
    ("post", "/api/v1/community/associations/1/contacts"),
    ("get", "/api/v1/community/experts"),
    ("get", "/api/v1/community/experts/1"),
    ("get", "/api/v1/community/experts.xlsx"),
]


@pytest.mark.parametrize(("method", "url"), EDITS)
def test_only_community_editors_change_the_directories(
    api: Api,
    method: str,
    url: str,
    hq_officer: User,
    tokyo_officer: User,
    partner_analyst: User,
    session: Session,
) -> None:
    citizen = make_user(session, "an.nguyen@example.jp", Role.citizen)
    assert_refused(api, method, url, hq_officer, tokyo_officer, partner_analyst, citizen)


@pytest.mark.parametrize(("method", "url"), READS)
def test_partner_agencies_and_citizens_never_read_a_person(
    api: Api, method: str, url: str, partner_analyst: User, session: Session
) -> None:
    citizen = make_user(session, "an.nguyen@example.jp", Role.citizen)
    assert_refused(api, method, url, partner_analyst, citizen)


def test_citizens_do_not_read_profiles(api: Api, session: Session) -> None:
    citizen = make_user(session, "an.nguyen@example.jp", Role.citizen)
    assert api(citizen).get("/api/v1/community/profiles").status_code == 403


@given(st.text(max_size=12))
def test_any_typed_birth_date_is_accepted_as_a_past_day_or_refused(text: str) -> None:
    try:
        parsed = ExpertIn.model_validate(expert(date_of_birth=text))
    except ValidationError as exc:
        refused = exc.errors()
    else:
        assert parsed.date_of_birth == text
        assert date.fromisoformat(text) <= utcnow().date()
        return
    assert [e["loc"] for e in refused] == [("date_of_birth",)]


def test_bad_input_is_explained_in_vietnamese_when_asked(api: Api, community_editor: User) -> None:
    response = api(community_editor).post(
        "/api/v1/community/associations",
        json=OSAKA_ASSOCIATION | {"country": "Atlantis"},
        headers={"Accept-Language": "vi"},
    )
    assert response.status_code == 422
    reasons = {e["field"]: e["reason"] for e in response.json()["errors"]}
    assert "không rõ quốc gia 'Atlantis'" in reasons["country"]
