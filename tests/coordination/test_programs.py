"""HQ sets up the joint program; each agency sees and moves on its own tasks."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.coordination.models import Agency
from kieubao.platform.audit import AuditEntry
from kieubao.platform.db import utcnow
from kieubao.platform.models import User
from tests.coordination.conftest import Api

PROGRAM = {
    "title": "Chương trình phối hợp công tác người Việt Nam ở nước ngoài 2024–2029",
    "signed_on": "2024-03-15",
    "ends_on": "2029-03-15",
    "agencies": ["UBNV", "DVTW"],
    "articles": [
        {"number": 1, "title": "Tuyên truyền, vận động kiều bào"},
        {"number": 2, "title": "Trao đổi thông tin về tình hình cộng đồng"},
    ],
}


def _program_with_tasks(api: Api, hq: User) -> dict[str, int]:
    program = api(hq).post("/api/v1/coordination/programs", json=PROGRAM)
    assert program.status_code == 201, program.text
    article = program.json()["articles"][0]["id"]
    today = utcnow().date()
    ids = {}
    for name, lead, support, deadline in (
        ("late", "DVTW", [], today - timedelta(days=10)),
        ("ours", "UBNV", ["DVTW"], today + timedelta(days=30)),
        ("theirs", "CLS", [], today + timedelta(days=30)),
    ):
        task = api(hq).post(
            "/api/v1/coordination/tasks",
            json={
                "title": f"Task {name}",
                "article_id": article,
                "lead_agency": lead,
                "supporting_agencies": support,
                "owner": "Vụ Vận động",
                "deadline": deadline.isoformat(),
            },
        )
        assert task.status_code == 201, task.text
        ids[name] = task.json()["id"]
    ids["program"] = program.json()["id"]
    return ids


def test_the_agency_sees_its_tasks_with_the_overdue_one_flagged(
    api: Api, hq_officer: User, dvtw_analyst: User, agencies: dict[str, Agency]
) -> None:
    ids = _program_with_tasks(api, hq_officer)
    seen = api(dvtw_analyst).get(
        "/api/v1/coordination/tasks", params={"program_id": ids["program"]}
    )
    assert seen.status_code == 200, seen.text
    by_id = {t["id"]: t for t in seen.json()}
    assert set(by_id) == {ids["late"], ids["ours"]}  # the Consular Department's is not theirs
    assert by_id[ids["late"]]["overdue"] and not by_id[ids["ours"]]["overdue"]
    overdue = api(hq_officer).get("/api/v1/coordination/tasks", params={"overdue": True}).json()
    assert [t["id"] for t in overdue] == [ids["late"]]


def test_an_agency_updates_its_own_task_with_evidence_and_not_another(
    session: Session, api: Api, hq_officer: User, dvtw_analyst: User, tokyo_officer: User
) -> None:
    ids = _program_with_tasks(api, hq_officer)
    done = api(dvtw_analyst).patch(
        f"/api/v1/coordination/tasks/{ids['ours']}",
        json={
            "status": "done",
            "add_evidence": [{"title": "Biên bản hội nghị", "url": "https://example.vn/bb.pdf"}],
        },
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "done" and body["done_on"] == utcnow().date().isoformat()
    assert body["evidence"][0]["title"] == "Biên bản hội nghị"
    other = api(dvtw_analyst).patch(
        f"/api/v1/coordination/tasks/{ids['theirs']}", json={"status": "done"}
    )
    assert other.status_code == 404
    reader = api(tokyo_officer).patch(
        f"/api/v1/coordination/tasks/{ids['late']}", json={"status": "done"}
    )
    assert reader.status_code == 403
    reopened = api(dvtw_analyst).patch(
        f"/api/v1/coordination/tasks/{ids['ours']}", json={"status": "planned"}
    )
    assert reopened.status_code == 409
    assert "task.updated" in set(session.scalars(select(AuditEntry.action)))


def test_a_partner_without_an_agency_sees_no_task(
    api: Api, hq_officer: User, partner_analyst: User, agencies: dict[str, Agency]
) -> None:
    _program_with_tasks(api, hq_officer)
    assert api(partner_analyst).get("/api/v1/coordination/tasks").status_code == 403


def test_bad_dates_and_parents_are_named(
    api: Api, hq_officer: User, agencies: dict[str, Agency]
) -> None:
    backwards = PROGRAM | {"signed_on": "2029-01-01", "ends_on": "2024-01-01"}
    response = api(hq_officer).post("/api/v1/coordination/programs", json=backwards)
    assert response.status_code == 422
    assert "ends_on (2024-01-01) is before signed_on" in response.json()["detail"]
    nonsense = api(hq_officer).post(
        "/api/v1/coordination/tasks",
        json={"title": "x", "article_id": 1, "lead_agency": "UBNV", "deadline": "2026-02-30"},
    )
    assert nonsense.status_code == 422
    assert nonsense.json()["errors"][0]["field"] == "deadline"
    orphan = api(hq_officer).post(
        "/api/v1/coordination/tasks",
        json={"title": "x", "article_id": 999999, "lead_agency": "UBNV", "deadline": "2026-02-01"},
    )
    assert orphan.status_code == 422 and orphan.json()["errors"][0]["field"] == "article_id"
    unknown = api(hq_officer).post(
        "/api/v1/coordination/programs", json=PROGRAM | {"agencies": ["XX"]}
    )
    assert unknown.status_code == 404


def test_only_headquarters_set_up_programs(
    api: Api, dvtw_analyst: User, tokyo_officer: User
) -> None:
    for user in (dvtw_analyst, tokyo_officer):
        assert api(user).post("/api/v1/coordination/programs", json=PROGRAM).status_code == 403


def test_resolution_indicators_take_values_over_time(api: Api, hq_officer: User) -> None:
    created = api(hq_officer).post(
        "/api/v1/coordination/resolutions",
        json={
            "code": "36-NQ/TW",
            "title": "Nghị quyết 36 về công tác đối với người Việt Nam ở nước ngoài",
            "issued_on": "2004-03-26",
            "goals": [
                {
                    "title": "Kiều bào hướng về quê hương",
                    "indicators": [
                        {
                            "name": "Kiều hối",
                            "unit": "tỷ USD",
                            "baseline": 3.0,
                            "target": 20.0,
                            "target_year": 2030,
                        }
                    ],
                }
            ],
        },
    )
    assert created.status_code == 201, created.text
    indicator = created.json()["goals"][0]["indicators"][0]["id"]
    url = f"/api/v1/coordination/indicators/{indicator}/values"
    for year, value in ((2023, 16.0), (2024, 16.0), (2024, 16.5)):
        sent = {"period_end": f"{year}-12-31", "value": value, "source": "NHNN"}
        assert api(hq_officer).put(url, json=sent).status_code == 200
    got = api(hq_officer).get("/api/v1/coordination/resolutions").json()
    values = got[0]["goals"][0]["indicators"][0]["values"]
    assert [(v["period_end"], v["value"]) for v in values] == [
        ("2023-12-31", 16.0),
        ("2024-12-31", 16.5),
    ]
    again = api(hq_officer).post(
        "/api/v1/coordination/resolutions", json={"code": "36-NQ/TW", "title": "x"}
    )
    assert again.status_code == 409


def test_the_agency_moves_its_task_on_from_the_console(
    api: Api, hq_officer: User, dvtw_analyst: User
) -> None:
    ids = _program_with_tasks(api, hq_officer)
    page = api(dvtw_analyst).get("/console/coordination?lang=en")
    assert page.status_code == 200
    assert f'action="/console/coordination/tasks/{ids["ours"]}"' in page.text
    assert f'action="/console/coordination/tasks/{ids["theirs"]}"' not in page.text
    assert 'class="overdue"' in page.text
    sent = {"status": "in_progress", "evidence_title": "Công văn số 12", "evidence_url": ""}
    moved = api(dvtw_analyst).post(
        f"/console/coordination/tasks/{ids['ours']}", data=sent, follow_redirects=False
    )
    assert moved.status_code == 303
    task = next(
        t
        for t in api(dvtw_analyst).get("/api/v1/coordination/tasks").json()
        if t["id"] == ids["ours"]
    )
    assert task["status"] == "in_progress" and task["evidence"][0]["title"] == "Công văn số 12"
    bad = api(dvtw_analyst).post(
        f"/console/coordination/tasks/{ids['ours']}",
        data={"status": "done", "evidence_title": "x", "evidence_url": "not a link"},
    )
    assert bad.status_code == 422
