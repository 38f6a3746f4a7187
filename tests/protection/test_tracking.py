"""The reporter follows the case with its number and PIN, and reads only what is public."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from kieubao.platform.models import User
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
