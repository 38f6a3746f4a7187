"""Volunteers, programs and contributions: kept by editors, read by officers, counted for
partner agencies."""

from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from kieubao.platform.models import Role, User
from tests.community.roles import assert_refused
from tests.community.test_directory import OSAKA_ASSOCIATION, expert
from tests.personas import make_user

Api = Callable[[User | None], TestClient]
BASE = "/api/v1/community"


def volunteer(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "full_name": "Hoàng Văn Tùng",
        "country": "JP",
        "city": "Osaka",
        "phone": "+81 90 2222 3333",
        "skills": ["interpreter", "driver"],
        "languages": ["vi", "ja"],
        "availability": "weekends, evenings",
    }
    values.update(overrides)
    return values


def test_volunteers_are_found_by_skill_place_and_availability(
    api: Api, community_editor: User, tokyo_officer: User
) -> None:
    editor = api(community_editor)
    association = editor.post(f"{BASE}/associations", json=OSAKA_ASSOCIATION).json()
    made = editor.post(f"{BASE}/volunteers", json=volunteer(association_id=association["id"]))
    assert made.status_code == 201, made.text
    editor.post(f"{BASE}/volunteers", json=volunteer(full_name="Ngô Thị Thu", skills=["medical"]))
    away = volunteer(full_name="Lý Văn Sơn", skills=["medical"], available=False)
    editor.post(f"{BASE}/volunteers", json=away)
    officer = api(tokyo_officer)
    drivers = officer.get(f"{BASE}/volunteers", params={"skill": "driver", "country": "Nhật Bản"})
    assert [v["full_name"] for v in drivers.json()] == ["Hoàng Văn Tùng"]
    doctors = officer.get(f"{BASE}/volunteers", params={"skill": "medical", "available": True})
    assert [v["full_name"] for v in doctors.json()] == ["Ngô Thị Thu"]


def test_volunteer_input_is_checked(api: Api, community_editor: User) -> None:
    editor = api(community_editor)
    lone = editor.post(f"{BASE}/volunteers", json=volunteer(languages=["vi"]))
    assert lone.status_code == 422 and "two languages" in lone.text
    unknown = editor.post(f"{BASE}/volunteers", json=volunteer(skills=["juggler"]))
    assert unknown.status_code == 422
    orphan = editor.post(f"{BASE}/volunteers", json=volunteer(association_id=999))
    assert orphan.status_code == 404


def test_programs_and_contributions_add_up_for_partner_agencies(
    api: Api, community_editor: User, partner_analyst: User
) -> None:
    editor = api(community_editor)
    huy = editor.post(f"{BASE}/experts", json=expert()).json()
    classes = {
        "title": "Lớp tiếng Việt cuối tuần",
        "kind": "language_class",
        "country": "DE",
        "city": "Berlin",
        "teachers": ["Nguyễn Thị Hoa"],
        "starts_on": "2025-09-01",
        "participants": 45,
        "outcomes": "Two classes, 45 children",
    }
    assert editor.post(f"{BASE}/programs", json=classes).status_code == 201
    camp = classes | {"title": "Trại hè 2025", "kind": "summer_camp", "participants": 120}
    assert editor.post(f"{BASE}/programs", json=camp).status_code == 201
    backwards = classes | {"ends_on": "2025-01-01"}
    assert editor.post(f"{BASE}/programs", json=backwards).status_code == 422
    advice = {
        "kind": "advisory",
        "contributor": "Lê Quang Huy",
        "expert_id": huy["id"],
        "country": "DE",
        "area": "AI curriculum for Hanoi universities",
        "made_on": "2025-06-10",
        "follow_up": "Ministry of Education to reply",
    }
    assert editor.post(f"{BASE}/contributions", json=advice).status_code == 201
    donation = advice | {
        "kind": "donation",
        "expert_id": None,
        "contributor": "Hội người Việt Nam tại Đức",
        "area": "Flood relief, Yên Bái",
        "amount": "25000.50",
        "currency": "EUR",
    }
    assert editor.post(f"{BASE}/contributions", json=donation).status_code == 201
    no_currency = donation | {"currency": None}
    assert editor.post(f"{BASE}/contributions", json=no_currency).status_code == 422
    future = donation | {"made_on": "2999-01-01"}
    assert editor.post(f"{BASE}/contributions", json=future).status_code == 422
    figures = api(partner_analyst).get(f"{BASE}/figures", params={"country": "DE"}).json()
    assert figures["programs_by_kind"] == {"language_class": 1, "summer_camp": 1}
    assert figures["participants_by_kind"] == {"language_class": 45, "summer_camp": 120}
    assert figures["contributions_by_kind"] == {"advisory": 1, "donation": 1}
    assert float(figures["amounts_by_currency"]["EUR"]) == 25000.5


def test_the_invitation_workbook_writes_formulas_as_text(
    api: Api, community_editor: User, hq_officer: User
) -> None:
    hostile = expert(full_name='=HYPERLINK("http://evil","x")', affiliations=["+cmd|' /C calc'!A0"])
    assert api(community_editor).post(f"{BASE}/experts", json=hostile).status_code == 201
    sheet = api(hq_officer).get(f"{BASE}/experts.xlsx")
    row = list(load_workbook(BytesIO(sheet.content)).active.iter_rows(values_only=True))[1]  # type: ignore[union-attr]
    assert row[0] == '\'=HYPERLINK("http://evil","x")'
    assert row[5] == "'+cmd|' /C calc'!A0"


PERSONAL = [
    ("get", f"{BASE}/volunteers"),
    ("get", f"{BASE}/programs"),
    ("get", f"{BASE}/contributions"),
]
EDITS = [
    ("post", f"{BASE}/volunteers"),
    ("put", f"{BASE}/volunteers/1"),
    ("post", f"{BASE}/programs"),
    ("post", f"{BASE}/contributions"),
]


@pytest.mark.parametrize(("method", "url"), PERSONAL + EDITS)
def test_partner_agencies_and_citizens_only_see_the_figures(
    api: Api, method: str, url: str, partner_analyst: User, session: Session
) -> None:
    citizen = make_user(session, "an.nguyen@example.jp", Role.citizen)
    assert_refused(api, method, url, partner_analyst, citizen)
    assert api(partner_analyst).get(f"{BASE}/figures").status_code == 200
    assert api(citizen).get(f"{BASE}/figures").status_code == 403
