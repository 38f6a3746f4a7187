"""Contingency plans: a mission keeps its countries' plans; a crisis page opens them."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kieubao.crisis import actions, queries
from kieubao.platform.errors import Forbidden
from kieubao.platform.models import User

PLAN = {
    "contacts": "Trực ban: +81 90 0000 0000",
    "assembly_points": "Tổng lãnh sự quán, 4-2-15 Awaza, Osaka",
    "partner_embassies": "Đại sứ quán Philippines",
    "host_authorities": "Osaka Prefectural Police, phòng đối ngoại",
}


def test_a_mission_keeps_its_own_countries_plans(
    session: Session, tokyo_officer: User, berlin_officer: User
) -> None:
    plan = actions.save_plan(session, acting_user=tokyo_officer, country="JP", texts=PLAN)
    assert plan.reviewed_by_id == tokyo_officer.id and plan.assembly_points.startswith("Tổng")
    with pytest.raises(Forbidden):
        actions.save_plan(session, acting_user=berlin_officer, country="JP", texts=PLAN)
    again = actions.save_plan(
        session, acting_user=tokyo_officer, country="JP", texts=PLAN | {"contacts": ""}
    )
    assert again.id == plan.id and again.contacts == ""
    assert queries.plans_for(session, ["JP", "KR"]) == [plan]


def test_the_crisis_page_opens_the_plans_of_its_countries(
    session: Session,
    hq_officer: User,
    tokyo_officer: User,
    berlin_officer: User,
    osaka_residents: list[Any],
    api: Callable[[User | None], Any],
) -> None:
    actions.save_plan(session, acting_user=tokyo_officer, country="JP", texts=PLAN)
    area = {"circles": [{"lat": 34.69, "lon": 135.5, "radius_km": 60}], "polygons": []}
    crisis = actions.open_crisis(session, acting_user=hq_officer, title="Kansai", area=area)
    client = api(tokyo_officer)
    client.headers["Accept"] = "text/html"
    page = client.get(f"/console/crisis/crises/{crisis.id}?lang=en")
    assert 'href="/console/crisis/plans/JP"' in page.text
    plan_page = client.get("/console/crisis/plans/jp?lang=en")
    assert "Awaza" in plan_page.text and "<textarea" in plan_page.text
    berlin = api(berlin_officer)
    berlin.headers["Accept"] = "text/html"
    read_only = berlin.get("/console/crisis/plans/JP?lang=en")
    assert "Awaza" in read_only.text and "<textarea" not in read_only.text
    assert berlin.post("/console/crisis/plans/JP", data=PLAN).status_code == 403
    assert berlin.get("/console/crisis/plans/XX").status_code == 404
