"""The reporter follows the case with its number and PIN, and reads only what is public."""

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform.models import User
from kieubao.protection.models import Case
from tests.protection.conftest import report


def test_the_mother_reads_the_status_public_messages_and_next_step(
    api: Callable[[User | None], TestClient], tokyo_officer: User, case_types: None
) -> None:
    given = api(None).post("/api/v1/cases", json=report()).json()
    number = given["case_number"]
    officer = api(tokyo_officer)
    officer.post(f"/api/v1/cases/{number}/triage", json={})
    officer.post(f"/api/v1/cases/{number}/notes", json={"text": "Cảnh sát nói đang thẩm vấn."})
    officer.post(
        f"/api/v1/cases/{number}/notes",
        json={"text": "Đại sứ quán đã liên hệ cảnh sát Osaka.", "public": True},
    )
    officer.post(f"/api/v1/cases/{number}/steps/contact_authority/done")
    answer = api(None).get(
        "/api/v1/cases/track",
        params={"number": number.lower(), "pin": given["pin"]},
        headers={"accept-language": "vi"},
    )
    assert answer.status_code == 200, answer.text
    tracked = answer.json()
    assert tracked["status"] == "triaged"
    assert [m["text"] for m in tracked["messages"]] == ["Đại sứ quán đã liên hệ cảnh sát Osaka."]
    assert tracked["next_step"]["name"] == "Thăm lãnh sự"
    assert "Lê Văn Hùng" not in answer.text and "+84" not in answer.text


def test_wrong_pins_are_refused_then_limited(
    api: Callable[[User | None], TestClient], case_types: None
) -> None:
    client = api(None)
    given = client.post("/api/v1/cases", json=report()).json()
    number = given["case_number"]
    wrong = [
        client.get("/api/v1/cases/track", params={"number": number, "pin": "000000"}).status_code
        for _ in range(5)
    ]
    assert wrong == [404] * 5
    # Even the right PIN waits now: guessing is no faster by ending on the right one.
    right = client.get("/api/v1/cases/track", params={"number": number, "pin": given["pin"]})
    assert right.status_code == 429
    unknown = client.get("/api/v1/cases/track", params={"number": "BH-2026-999999", "pin": "1"})
    assert unknown.status_code == 422  # a PIN is at least four digits


def test_the_tracking_page_shows_the_plan_and_says_when_a_step_is_late(
    api: Callable[[User | None], TestClient], session: Session, case_types: None
) -> None:
    client = api(None)
    given = client.post("/api/v1/cases", json=report()).json()
    case = session.scalar(select(Case).where(Case.number == given["case_number"]))
    assert case is not None
    for step in case.steps:
        step.due_at -= timedelta(days=30)
    session.commit()
    url = f"/protection/track?number={case.number}&pin={given['pin']}&lang=vi"
    page = client.get(url).text
    assert "data-late" in page and "data-plan" in page and "Thăm lãnh sự" in page
    tracked = client.get(
        "/api/v1/cases/track", params={"number": case.number, "pin": given["pin"]}
    ).json()
    assert tracked["next_step"]["late"] is True and len(tracked["plan"]) == 4
    assert tracked["mission"] and "performance" in page
