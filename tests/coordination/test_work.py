"""Working delegations, policy notes and officer training, as HQ keeps them."""

from datetime import date, timedelta

from kieubao.coordination.models import Agency
from kieubao.platform.db import utcnow
from kieubao.platform.models import User
from tests.coordination.conftest import Api

TRIP = {
    "purpose": "Thăm và làm việc với cộng đồng người Việt tại Nhật Bản",
    "countries": ["Nhật Bản"],
    "starts_on": "2026-04-06",
    "ends_on": "2026-04-10",
    "members": [
        {"name": "Trần Thị Lan", "agency": "UBNV"},
        {"name": "Nguyễn Văn Dũng", "agency": "DVTW"},
    ],
    "meetings": [
        {"on": "2026-04-07", "with": "Hội người Việt Nam tại Osaka", "kind": "association"}
    ],
}


def test_a_delegation_is_planned_approved_and_followed_up(
    api: Api, hq_officer: User, dvtw_analyst: User, agencies: dict[str, Agency]
) -> None:
    hq = api(hq_officer)
    planned = hq.post("/api/v1/coordination/delegations", json=TRIP)
    assert planned.status_code == 201, planned.text
    trip = planned.json()
    assert trip["countries"] == ["JP"] and trip["meetings"][0]["with"].startswith("Hội")
    url = f"/api/v1/coordination/delegations/{trip['id']}"
    early = hq.post(f"{url}/outcome", json={"outcome": "x"})
    assert early.status_code == 409  # not approved yet
    assert hq.post(f"{url}/approval").json()["status"] == "approved"
    done = hq.post(f"{url}/outcome", json={"outcome": "Hội đồng ý mở lớp tiếng Việt."})
    assert done.json()["status"] == "completed"
    follow_up = hq.post(
        "/api/v1/coordination/tasks",
        json={
            "title": "Hỗ trợ sách giáo khoa cho lớp tiếng Việt ở Osaka",
            "delegation_id": trip["id"],
            "lead_agency": "UBNV",
            "supporting_agencies": ["DVTW"],
            "deadline": (utcnow().date() + timedelta(days=60)).isoformat(),
        },
    )
    assert follow_up.status_code == 201, follow_up.text
    seen = api(dvtw_analyst).get("/api/v1/coordination/delegations").json()
    assert [d["id"] for d in seen] == [trip["id"]]


def test_a_meeting_outside_the_trip_and_reversed_dates_are_refused(
    api: Api, hq_officer: User, agencies: dict[str, Agency]
) -> None:
    outside = TRIP | {"meetings": [{"on": "2026-05-01", "with": "x", "kind": "authority"}]}
    response = api(hq_officer).post("/api/v1/coordination/delegations", json=outside)
    assert response.status_code == 422 and "outside the delegation" in response.json()["detail"]
    reversed_ = TRIP | {"ends_on": "2026-04-01"}
    response = api(hq_officer).post("/api/v1/coordination/delegations", json=reversed_)
    assert response.status_code == 422 and "is before starts_on" in response.json()["detail"]


def test_a_policy_note_goes_from_draft_to_accepted_with_its_evidence(
    api: Api, hq_officer: User, tokyo_officer: User
) -> None:
    note = api(hq_officer).post(
        "/api/v1/coordination/notes",
        json={
            "title": "Đề xuất hỗ trợ pháp lý cho thực tập sinh",
            "proposal": "Mở đường dây tư vấn pháp lý tại Osaka.",
            "evidence": [{"kind": "case", "ref": "BH-2026-000123"}, {"kind": "review", "ref": "3"}],
        },
    )
    assert note.status_code == 201, note.text
    url = f"/api/v1/coordination/notes/{note.json()['id']}/status"
    assert api(hq_officer).post(url, json={"status": "accepted"}).status_code == 409
    assert api(hq_officer).post(url, json={"status": "submitted"}).status_code == 200
    assert api(hq_officer).post(url, json={"status": "accepted"}).json()["status"] == "accepted"
    notes = api(tokyo_officer).get("/api/v1/coordination/notes").json()
    assert notes[0]["evidence"][0] == {"kind": "case", "ref": "BH-2026-000123"}


def test_who_at_which_mission_is_trained_for_what(
    api: Api, hq_officer: User, tokyo_officer: User, berlin_officer: User, partner_analyst: User
) -> None:
    course = api(hq_officer).post(
        "/api/v1/coordination/courses",
        json={
            "title": "Kỹ năng bảo hộ công dân",
            "topic": "citizen_protection",
            "held_from": date(2026, 3, 2).isoformat(),
            "held_to": date(2026, 3, 6).isoformat(),
        },
    )
    assert course.status_code == 201, course.text
    url = f"/api/v1/coordination/courses/{course.json()['id']}/attendance"
    sent = {"user_id": tokyo_officer.id, "certificate_no": "BHCD-2026-017"}
    assert api(hq_officer).post(url, json=sent).status_code == 204
    assert api(hq_officer).post(url, json={"user_id": berlin_officer.id}).status_code == 204
    refused = api(hq_officer).post(url, json={"user_id": partner_analyst.id})
    assert refused.status_code == 422
    trained = api(hq_officer).get("/api/v1/coordination/trained").json()
    assert {(t["mission"], t["certified"]) for t in trained} == {
        ("JP-TYO-EMB", True),
        ("DE-BER-EMB", False),
    }
