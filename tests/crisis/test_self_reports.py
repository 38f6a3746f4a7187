"""People caught in a crisis and not yet on its roster put themselves and their family on it,
through the public form, in a surge: each submission kept once, placed by a job that may die
and start again without losing or doubling anyone."""

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.crisis import actions, queries
from kieubao.crisis.actions import self_reports
from kieubao.crisis.models import Crisis, RosterEntry, SelfReport
from kieubao.crisis.schemas import SelfReportIn
from kieubao.platform.deps import scope_of
from kieubao.platform.models import User
from kieubao.registry.models import Citizen
from tests.personas import SYSTEM

from .conftest import usgs_feed

OSAKA_QUAKE = {"id": "us7000osak", "mag": 6.5, "lat": 34.62, "lon": 135.45}
LAN_AND_KHOI = [
    ("name", "Ngô Thị Lan"),
    ("date_of_birth", "05/04/1991"),
    ("name", "Ngô Minh Khôi"),
    ("date_of_birth", "10/09/2018"),
    ("phone", "+81 80 1111 2222"),
    ("country", "JP"),
    ("city", "Osaka"),
    ("answer", "help"),
    ("needs", "shelter"),
]


@pytest.fixture
def osaka_crisis(session: Session, osaka_residents: list[Any], hq_officer: User) -> Crisis:
    result = actions.ingest(session, acting_user=SYSTEM, body=usgs_feed(OSAKA_QUAKE))
    hazard = queries.get_hazard(session, result.hazard_ids[0])
    return actions.open_crisis(session, acting_user=hq_officer, title="", hazard=hazard)


def send(client: TestClient, path: str, fields: list[tuple[str, str]]) -> Any:
    """The form as a browser posts it: urlencoded, names repeated for each person."""
    kind = {"Content-Type": "application/x-www-form-urlencoded"}
    return client.post(path, content=urlencode(fields), headers=kind)


def reference_in(page: str) -> str:
    found = re.search(r'id="reference">(SR-\d+)<', page)
    assert found, page
    return found[1]


def test_a_mother_puts_herself_and_her_son_on_the_roster_from_her_phone(
    session: Session, osaka_crisis: Crisis, hq_officer: User, app_client: TestClient
) -> None:
    page = send(app_client, f"/crises/{osaka_crisis.id}/here?lang=en", LAN_AND_KHOI)
    assert page.status_code == 200 and "the mission has your names" in page.text
    reference = reference_in(page.text)
    report = session.get(SelfReport, int(reference.removeprefix("SR-")))
    assert report is not None and report.processed_at is not None
    counts = queries.roster_counts(session, osaka_crisis, scope_of(hq_officer))
    assert counts.total == 6 and counts.by_status == {"unaccounted": 4, "needs_help": 2}
    lan, khoi = (session.get(Citizen, i) for i in report.citizen_ids)
    assert lan is not None and khoi is not None
    assert (lan.full_name, khoi.full_name) == ("Ngô Thị Lan", "Ngô Minh Khôi")
    assert khoi.phones == [] and lan.source == "crisis"


def test_the_received_page_speaks_the_language_asked_for_and_names_each_submission(
    osaka_crisis: Crisis, app_client: TestClient
) -> None:
    path = f"/crises/{osaka_crisis.id}/here"
    vietnamese = send(app_client, f"{path}?lang=vi", LAN_AND_KHOI)
    other = send(app_client, f"{path}?lang=en", [*LAN_AND_KHOI[4:], ("name", "Vũ Thị Mai")])
    assert '<html lang="vi">' in vietnamese.text and '<html lang="en">' in other.text
    assert reference_in(vietnamese.text) != reference_in(other.text)


def test_a_submission_sent_twice_is_kept_and_placed_once(
    session: Session, osaka_crisis: Crisis, hq_officer: User, app_client: TestClient
) -> None:
    path = f"/crises/{osaka_crisis.id}/here?lang=en"
    first = send(app_client, path, LAN_AND_KHOI)
    again = send(app_client, path, LAN_AND_KHOI)  # the answer was lost; she taps again
    assert reference_in(first.text) == reference_in(again.text)
    assert session.scalar(select(func.count()).select_from(SelfReport)) == 1
    counts = queries.roster_counts(session, osaka_crisis, scope_of(hq_officer))
    assert counts.total == 6


def test_a_form_that_is_not_a_submission_is_refused_and_nothing_is_kept(
    session: Session, osaka_crisis: Crisis, app_client: TestClient
) -> None:
    path = f"/crises/{osaka_crisis.id}/here?lang=en"
    no_way_to_reach = send(app_client, path, [("name", "Ngô Thị Lan"), ("country", "JP")])
    assert no_way_to_reach.status_code == 422 and "phone number or an email" in no_way_to_reach.text
    flood = send(app_client, path, [("name", f"Người {i}") for i in range(200)])
    assert flood.status_code == 422
    assert send(app_client, "/crises/999999/here", LAN_AND_KHOI).status_code == 404
    assert session.scalar(select(func.count()).select_from(SelfReport)) == 0


def test_a_closed_crisis_takes_no_more_submissions(
    session: Session, osaka_crisis: Crisis, hq_officer: User, app_client: TestClient
) -> None:
    actions.close_crisis(session, acting_user=hq_officer, crisis=osaka_crisis)
    answer = send(app_client, f"/crises/{osaka_crisis.id}/here?lang=en", LAN_AND_KHOI)
    assert answer.status_code == 409
    assert session.scalar(select(func.count()).select_from(SelfReport)) == 0


def test_a_placing_job_that_dies_midway_leaves_every_submission_waiting_for_the_next(
    session: Session, osaka_crisis: Crisis, hq_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    monkeypatch.setattr(self_reports, "enqueue", lambda job, crisis_id: asked.append(crisis_id))
    names = ["Vũ Thị Mai", "Đặng Văn Nam", "Phan Ngọc Hải", "Huỳnh Thu Giang"]
    numbers = [
        actions.receive_self_report(
            session,
            crisis_id=osaka_crisis.id,
            data=SelfReportIn(people=[{"full_name": n}], phone=f"+81 90 0000 000{i}", country="JP"),  # type: ignore[list-item]
        )
        for i, n in enumerate(names)
    ]
    assert asked == [osaka_crisis.id]  # the first waiting asks for the job; it places the rest

    register = self_reports._citizen
    calls = 0

    def dies_on_the_third(*args: Any) -> Citizen:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("worker killed")
        return register(*args)

    monkeypatch.setattr(self_reports, "_citizen", dies_on_the_third)
    with pytest.raises(RuntimeError):
        self_reports.place_pending(session, crisis=osaka_crisis)
    session.rollback()
    waiting = session.scalars(self_reports.waiting(osaka_crisis.id)).all()
    assert sorted(r.id for r in waiting) == sorted(numbers)  # nothing half-placed

    monkeypatch.setattr(self_reports, "_citizen", register)
    while self_reports.place_pending(session, crisis=osaka_crisis):
        pass
    placed = session.scalars(select(SelfReport).where(SelfReport.id.in_(numbers))).all()
    assert all(r.processed_at is not None for r in placed)
    on_roster = session.scalars(
        select(Citizen.full_name)
        .join(RosterEntry, RosterEntry.citizen_id == Citizen.id)
        .where(RosterEntry.crisis_id == osaka_crisis.id, Citizen.full_name.in_(names))
    ).all()
    assert sorted(on_roster) == sorted(names)  # each once
    counts = queries.roster_counts(session, osaka_crisis, scope_of(hq_officer))
    assert counts.by_status["safe"] == 4


def test_the_same_submission_through_the_api_is_the_one_the_form_kept(
    osaka_crisis: Crisis, app_client: TestClient, api: Callable[[User | None], Any]
) -> None:
    form = send(app_client, f"/crises/{osaka_crisis.id}/here?lang=en", LAN_AND_KHOI)
    body = {
        "people": [
            {"full_name": "Ngô Thị Lan", "date_of_birth": "05/04/1991"},
            {"full_name": "Ngô Minh Khôi", "date_of_birth": "10/09/2018"},
        ],
        "phone": "+81 80 1111 2222",
        "country": "JP",
        "city": "Osaka",
        "status": "needs_help",
        "needs": ["shelter"],
    }
    answer = api(None).post(f"/api/v1/crises/{osaka_crisis.id}/self-reports", json=body)
    assert answer.status_code == 202 and answer.json()["reference"] == reference_in(form.text)
