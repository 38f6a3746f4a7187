"""The portal report and tracking pages, and the officer's pages, in both languages."""

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform.models import Role, User
from kieubao.protection.models import Case
from tests.personas import make_user

FORM = {
    "case_type": "vessel_detained",
    "country": "ID",
    "description": "Tàu cá của chồng tôi bị bắt giữ gần đảo Natuna cùng 12 ngư dân.",
    "details.vessel_detained.vessel_name": "QNg 90123 TS",
    "details.vessel_detained.province": "Quảng Ngãi",
    "details.arrest_detention.charge": "left over from another choice",
    "subject.full_name": "Phạm Văn Tâm",
    "reporter.name": "Nguyễn Thị Hoa",
    "reporter.phone": "0912 345 678",
    "reporter.relation": "vợ",
}


def test_a_wife_reports_on_the_portal_and_follows_the_case(
    api: Callable[[User | None], TestClient], session: Session, case_types: None
) -> None:
    client = api(None)
    form = client.get("/protection/report?lang=vi")
    assert form.status_code == 200 and '<html lang="vi"' in form.text
    assert 'data-case-type="vessel_detained"' in form.text
    done = client.post("/protection/report", data=FORM)
    assert done.status_code == 200, done.text
    number = re.search(r"data-case-number>(BH-\d{4}-\d{6})<", done.text)
    pin = re.search(r"data-case-pin>(\d{6})<", done.text)
    assert number and pin
    case = session.scalar(select(Case).where(Case.number == number[1]))
    assert case is not None
    assert case.details == {"vessel_name": "QNg 90123 TS", "province": "Quảng Ngãi"}
    tracked = client.get(f"/protection/track?number={number[1]}&pin={pin[1]}")
    assert tracked.status_code == 200 and 'data-status="new"' in tracked.text
    assert "data-next-step" in tracked.text
    wrong = client.get(f"/protection/track?number={number[1]}&pin=111111")
    assert wrong.status_code == 404 and "data-status" not in wrong.text


def test_a_bad_report_comes_back_with_the_fields_marked(
    api: Callable[[User | None], TestClient], case_types: None
) -> None:
    answer = api(None).post(
        "/protection/report?lang=en", data={**FORM, "country": "", "reporter.phone": ""}
    )
    assert answer.status_code == 422
    assert 'id="e-country"' in answer.text
    assert "Phạm Văn Tâm" in answer.text  # what was typed is kept


def test_the_officer_logs_a_call_triages_and_logs_a_note_verbale(
    api: Callable[[User | None], TestClient],
    session: Session,
    case_types: None,
    berlin_officer: User,
) -> None:
    officer = make_jakarta_officer(session)
    client = api(officer)
    assert "autofocus" in client.get("/console/cases/new").text
    saved = client.post("/console/cases/new", data=FORM)
    assert saved.status_code == 200, saved.text
    number = re.search(r"data-case-number>(BH-\d{4}-\d{6})<", saved.text)
    assert number
    page = f"/console/cases/{number[1]}"
    assert client.post(f"{page}/triage", data={}, follow_redirects=False).status_code == 303
    logged = client.post(
        f"{page}/liaisons",
        data={
            "kind": "note_verbale",
            "authority": "Bakamla",
            "on": "2026-11-23",
            "reference": "045/2026",
        },
    )
    assert logged.status_code == 200 and "045/2026" in logged.text
    assert 'data-status="in_progress"' in logged.text
    bad = client.post(f"{page}/liaisons", data={"kind": "fax", "authority": "x", "on": "?"})
    assert bad.status_code == 422
    assert number[1] in client.get("/console/cases").text
    assert api(berlin_officer).get(page).status_code == 404


def make_jakarta_officer(session: Session) -> User:
    return make_user(session, "lan.jakarta@mofa.gov.vn", Role.mission_officer, "ID-JKT-EMB")
