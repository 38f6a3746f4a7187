"""Diaspora volunteers from the community directory on the tasks of a crisis."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kieubao.community import actions as community
from kieubao.community.schemas import VolunteerIn
from kieubao.crisis import actions, queries
from kieubao.crisis.models import Crisis
from kieubao.platform.errors import Conflict, Invalid
from kieubao.platform.models import User

AREA = {"circles": [{"lat": 34.69, "lon": 135.5, "radius_km": 60}], "polygons": []}


@pytest.fixture
def kansai(session: Session, hq_officer: User) -> Crisis:
    return actions.open_crisis(
        session, acting_user=hq_officer, title="Kansai", area=AREA, countries=["JP"]
    )


def volunteer(session: Session, editor: User, **overrides: Any) -> int:
    values: dict[str, Any] = {
        "full_name": "Hoàng Văn Tùng",
        "country": "JP",
        "city": "Osaka",
        "phone": "+81 90 2222 3333",
        "skills": ["interpreter"],
        "languages": ["vi", "ja"],
    }
    values.update(overrides)
    data = VolunteerIn.model_validate(values)
    return community.save_volunteer(session, acting_user=editor, data=data).id


def test_an_interpreter_from_osaka_is_asked_confirms_and_is_released(
    session: Session, kansai: Crisis, tokyo_officer: User, community_editor: User
) -> None:
    tung = volunteer(session, community_editor)
    volunteer(session, community_editor, full_name="Ngô Thị Thu", skills=["medical"])
    volunteer(session, community_editor, full_name="Kim Lan", country="KR", city="Seoul")
    volunteer(session, community_editor, full_name="Lý Sơn", available=False)
    task = actions.add_task(
        session, acting_user=tokyo_officer, crisis=kansai, title="Interpret at Osaka Red Cross",
        skill="interpreter", city="Osaka",
    )  # fmt: skip
    (line,) = queries.crisis_tasks(session, kansai)
    assert [v.full_name for v in line.candidates] == ["Hoàng Văn Tùng"]
    assignment = actions.assign_volunteer(
        session, acting_user=tokyo_officer, crisis=kansai, task=task, volunteer_id=tung
    )
    with pytest.raises(Conflict):
        actions.assign_volunteer(
            session, acting_user=tokyo_officer, crisis=kansai, task=task, volunteer_id=tung
        )
    for status in ("contacted", "confirmed", "on_site", "released"):
        actions.set_assignment_status(
            session, acting_user=tokyo_officer, crisis=kansai, assignment=assignment, status=status
        )
    (line,) = queries.crisis_tasks(session, kansai)
    assert [(a.status, v.full_name) for a, v in line.assigned] == [("released", "Hoàng Văn Tùng")]
    assert line.candidates == []


def test_only_a_fitting_volunteer_can_be_assigned(
    session: Session, kansai: Crisis, tokyo_officer: User, community_editor: User
) -> None:
    doctor = volunteer(session, community_editor, full_name="Ngô Thị Thu", skills=["medical"])
    seoul = volunteer(session, community_editor, full_name="Kim Lan", country="KR")
    away = volunteer(session, community_editor, full_name="Lý Sơn", available=False)
    task = actions.add_task(
        session, acting_user=tokyo_officer, crisis=kansai, title="Interpret", skill="interpreter"
    )
    for wrong, error in ((doctor, Invalid), (seoul, Invalid), (away, Conflict)):
        with pytest.raises(error):
            actions.assign_volunteer(
                session, acting_user=tokyo_officer, crisis=kansai, task=task, volunteer_id=wrong
            )
    with pytest.raises(Invalid):
        actions.add_task(
            session, acting_user=tokyo_officer, crisis=kansai, title="Cook", skill="chef"
        )


def test_the_crisis_page_has_the_volunteers_section(
    session: Session,
    kansai: Crisis,
    tokyo_officer: User,
    partner_analyst: User,
    community_editor: User,
    api: Callable[[User | None], Any],
) -> None:
    tung = volunteer(session, community_editor)
    client = api(tokyo_officer)
    client.headers["Accept"] = "text/html"
    base = f"/console/crisis/crises/{kansai.id}"
    added = client.post(
        f"{base}/tasks",
        data={"title": "Interpret at the hospital", "skill": "interpreter", "city": "Osaka"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    (line,) = queries.crisis_tasks(session, kansai)
    asked = client.post(
        f"{base}/tasks/{line.task.id}/volunteers", data={"volunteer_id": str(tung)},
        follow_redirects=False,
    )  # fmt: skip
    assert asked.status_code == 303
    page = client.get(f"{base}?lang=vi")
    assert "Tình nguyện viên" in page.text and "Hoàng Văn Tùng" in page.text
    partner = api(partner_analyst)
    partner.headers["Accept"] = "text/html"
    assert "Hoàng Văn Tùng" not in partner.get(f"{base}?lang=en").text
    assert partner.post(f"{base}/tasks", data={"title": "x", "skill": "it"}).status_code == 403
