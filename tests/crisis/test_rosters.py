"""Crisis rosters: everyone in the area on it, the latest word on each, the call list."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis import actions, queries
from kieubao.crisis.models import Crisis, RosterChange, SelfReport
from kieubao.platform.deps import scope_of
from kieubao.platform.errors import Conflict, Invalid, NotFound
from kieubao.platform.models import User
from kieubao.registry.models import Citizen
from tests.personas import SYSTEM

from .conftest import usgs_feed

OSAKA_QUAKE = {"id": "us7000osak", "mag": 6.5, "lat": 34.62, "lon": 135.45}


@pytest.fixture
def osaka_crisis(session: Session, osaka_residents: list[Any], hq_officer: User) -> Crisis:
    result = actions.ingest(session, acting_user=SYSTEM, body=usgs_feed(OSAKA_QUAKE))
    hazard = queries.get_hazard(session, result.hazard_ids[0])
    return actions.open_crisis(session, acting_user=hq_officer, title="", hazard=hazard)


def test_a_crisis_from_a_hazard_puts_everyone_inside_on_the_roster(
    session: Session, osaka_crisis: Crisis, hq_officer: User
) -> None:
    counts = queries.roster_counts(session, osaka_crisis, scope_of(hq_officer))
    # Three in Osaka and one in Kobe; Tokyo and Berlin are far away.
    assert counts.total == 4 and counts.by_status == {"unaccounted": 4}
    assert counts.by_city == {"JP/Osaka": {"unaccounted": 3}, "JP/Kobe": {"unaccounted": 1}}
    assert osaka_crisis.title.startswith("M 6.5") and osaka_crisis.countries == ["JP"]


def test_a_reply_link_records_the_answer_with_its_source(
    session: Session, osaka_crisis: Crisis, hq_officer: User, app_client: Any
) -> None:
    entry, _ = queries.roster(session, osaka_crisis, scope_of(hq_officer))[0]
    token = actions.reply_link_token(entry)
    page = app_client.get(f"/r/{token}", headers={"Accept-Language": "vi"})
    assert page.status_code == 200 and "Tôi cần giúp đỡ" in page.text
    answer = app_client.post(
        f"/r/{token}",
        data={"answer": "help", "needs": ["shelter", "food"], "relative": "true", "note": "Kobe"},
    )
    assert answer.status_code == 200 and 'id="replied"' in answer.text
    session.refresh(entry)
    assert (entry.status, entry.needs, entry.last_source) == (
        "needs_help",
        ["food", "shelter"],
        "relative",
    )
    (change,) = session.scalars(select(RosterChange).where(RosterChange.entry_id == entry.id))
    assert change.by_relative and change.note == "Kobe"


def test_a_forged_or_altered_link_finds_no_one(
    session: Session, osaka_crisis: Crisis, hq_officer: User, app_client: Any
) -> None:
    entry, _ = queries.roster(session, osaka_crisis, scope_of(hq_officer))[0]
    token = actions.reply_link_token(entry)
    other = str(entry.id + 1) + token[len(str(entry.id)) :]
    for bad in (other, token + "x", "1.abc", "nothing"):
        assert app_client.get(f"/r/{bad}").status_code == 404
        with pytest.raises(NotFound):
            actions.entry_for_reply(session, bad)


def test_the_call_list_puts_the_injured_then_the_vulnerable_first(
    session: Session,
    osaka_crisis: Crisis,
    hq_officer: User,
    make_citizen: Callable[..., Any],
) -> None:
    child = make_citizen(full_name="Vũ Bảo Ngọc", date_of_birth="2019-02-03")
    actions.add_to_roster(session, acting_user=hq_officer, crisis=osaka_crisis, citizens=[child])
    rows = queries.roster(session, osaka_crisis, scope_of(hq_officer))
    first, second = rows[0][0], rows[1][0]
    actions.record_status(
        session, acting_user=hq_officer, entry=first, status="safe", source="officer_call"
    )
    actions.record_status(
        session, acting_user=hq_officer, entry=second, status="injured", source="host_authority"
    )
    calls = [c.full_name for _, c in queries.call_list(session, osaka_crisis, scope_of(hq_officer))]
    assert calls[0] == rows[1][1].full_name  # the injured
    assert calls[1] == "Vũ Bảo Ngọc"  # a child not heard from
    assert rows[0][1].full_name not in calls  # safe: no call needed


def test_missions_see_their_people_and_partners_only_counts(
    session: Session,
    osaka_crisis: Crisis,
    tokyo_officer: User,
    berlin_officer: User,
    partner_analyst: User,
    api: Callable[[User | None], Any],
) -> None:
    path = f"/api/v1/crises/{osaka_crisis.id}"
    assert len(api(tokyo_officer).get(f"{path}/roster").json()) == 4
    assert api(berlin_officer).get(f"{path}/roster").json() == []
    assert api(berlin_officer).get(path).json()["roster"]["total"] == 0
    assert api(partner_analyst).get(path).json()["roster"]["total"] == 4
    assert api(partner_analyst).get(f"{path}/roster").status_code == 403
    entry_id = queries.roster(session, osaka_crisis, scope_of(tokyo_officer))[0][0].id
    answer = api(berlin_officer).post(f"{path}/roster/{entry_id}/status", json={"status": "safe"})
    assert answer.status_code == 404
    assert api(None).get(path).status_code == 401


def test_officers_set_statuses_one_by_one_and_in_bulk(
    session: Session, osaka_crisis: Crisis, tokyo_officer: User, api: Callable[[User | None], Any]
) -> None:
    path = f"/api/v1/crises/{osaka_crisis.id}"
    ids = [e["id"] for e in api(tokyo_officer).get(f"{path}/roster").json()]
    answer = api(tokyo_officer).post(
        f"{path}/roster/{ids[0]}/status",
        json={"status": "needs_help", "needs": ["medical"], "note": "broken leg"},
    )
    assert answer.status_code == 200 and answer.json()["needs"] == ["medical"]
    bad = api(tokyo_officer).post(f"{path}/roster/{ids[0]}/status", json={"status": "lost"})
    assert bad.status_code == 422
    changed = actions.bulk_status(
        session,
        acting_user=tokyo_officer,
        crisis=osaka_crisis,
        entry_ids=ids[1:],
        status="evacuated",
        source="host_authority",
    )
    assert changed == 3
    counts = api(tokyo_officer).get(path).json()["roster"]["by_status"]
    assert counts == {"needs_help": 1, "evacuated": 3}


def test_bad_crises_and_closed_rosters_are_refused(
    session: Session, osaka_crisis: Crisis, hq_officer: User, api: Callable[[User | None], Any]
) -> None:
    two_areas = {"title": "x", "hazard_id": 1, "circle": {"lat": 0, "lon": 0}}
    for body in ({}, two_areas, {"circle": {}}):
        assert api(hq_officer).post("/api/v1/crises", json=body).status_code == 422
    drawn = api(hq_officer).post(
        "/api/v1/crises",
        json={"title": "Unrest", "circle": {"lat": 34.69, "lon": 135.5, "radius_km": 20}},
    )
    assert drawn.status_code == 201 and drawn.json()["roster"]["total"] == 3
    with pytest.raises(Invalid):
        actions.open_crisis(session, acting_user=hq_officer, title="No area", area={})
    actions.close_crisis(session, acting_user=hq_officer, crisis=osaka_crisis)
    entry, _ = queries.roster(session, osaka_crisis, scope_of(hq_officer))[0]
    with pytest.raises(Conflict):
        actions.record_status(
            session, acting_user=hq_officer, entry=entry, status="safe", source="officer_call"
        )


def test_the_roster_page_and_its_export(
    session: Session, osaka_crisis: Crisis, hq_officer: User, app_client: Any
) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from kieubao.platform import accounts

    token = accounts.create_api_token(session, acting_user=SYSTEM, user=hq_officer)
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/html"}
    page = app_client.get(f"/console/crisis/crises/{osaka_crisis.id}?lang=en", headers=headers)
    assert page.status_code == 200 and 'id="count-unaccounted">4<' in page.text
    assert "Call list" in page.text
    sheet = app_client.get(f"/console/crisis/crises/{osaka_crisis.id}/roster.xlsx", headers=headers)
    rows = list(load_workbook(BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("id", "name") and len(rows) == 5


def test_people_in_the_area_put_themselves_and_their_family_on_the_roster(
    session: Session,
    osaka_crisis: Crisis,
    hq_officer: User,
    osaka_residents: list[Any],
    api: Callable[[User | None], Any],
) -> None:
    path = f"/api/v1/crises/{osaka_crisis.id}/self-reports"
    body = {
        "people": [
            {"full_name": "Ngô Thị Lan", "date_of_birth": "1991-04-05"},
            {"full_name": "Ngô Minh Khôi", "date_of_birth": "2018-09-10"},
            # Already registered (and on the roster): matched, not registered twice.
            {"full_name": "Trần Thị Bình", "date_of_birth": "02/01/1985"},
        ],
        "phone": "+81 80 1111 2222",
        "country": "JP",
        "city": "Osaka",
        "status": "needs_help",
        "needs": ["shelter"],
    }
    answer = api(None).post(path, json=body)
    assert answer.status_code == 202 and answer.json()["reference"].startswith("SR-")
    counts = queries.roster_counts(session, osaka_crisis, scope_of(hq_officer))
    assert counts.total == 6 and counts.by_status == {"unaccounted": 3, "needs_help": 3}
    (report,) = session.scalars(select(SelfReport))
    assert report.processed_at is not None and report.payload == {"people": 3}
    binh = next(c for c in osaka_residents if c.full_name == "Trần Thị Bình")
    assert binh.id in report.citizen_ids
    khoi = session.get(Citizen, report.citizen_ids[1])
    assert khoi is not None and khoi.source == "crisis" and khoi.phones == []


def test_a_self_report_without_a_way_to_reach_anyone_is_refused(
    osaka_crisis: Crisis, api: Callable[[User | None], Any], app_client: Any
) -> None:
    path = f"/api/v1/crises/{osaka_crisis.id}/self-reports"
    bare = {"people": [{"full_name": "Ngô Thị Lan"}], "country": "JP"}
    assert api(None).post(path, json=bare).status_code == 422
    assert api(None).post(path, json=bare | {"people": []}).status_code == 422
    script = bare | {"phone": "1", "people": [{"full_name": "<script>alert(1)</script>"}]}
    assert api(None).post(path, json=script).status_code == 422
    page = app_client.post(
        f"/crises/{osaka_crisis.id}/here?lang=en", data={"name": "Ngô Thị Lan", "country": "JP"}
    )
    assert page.status_code == 422 and "phone number or an email" in page.text


def test_someone_who_needs_help_becomes_a_protection_case_in_one_click(
    session: Session, osaka_crisis: Crisis, tokyo_officer: User, api: Callable[[User | None], Any]
) -> None:
    from kieubao.protection import actions as protection
    from kieubao.protection.models import Case

    protection.load_case_types(session, acting_user=SYSTEM)
    entry, citizen = queries.roster(session, osaka_crisis, scope_of(tokyo_officer))[0]
    with pytest.raises(Conflict):  # unaccounted: nothing to open a case about yet
        actions.open_protection_case(
            session, acting_user=tokyo_officer, entry=entry, citizen=citizen
        )
    actions.record_status(
        session,
        acting_user=tokyo_officer,
        entry=entry,
        status="injured",
        source="officer_call",
    )
    client = api(tokyo_officer)
    client.headers["Accept"] = "text/html"
    path = f"/console/crisis/crises/{osaka_crisis.id}/entries/{entry.id}/case"
    answer = client.post(path, follow_redirects=False)
    assert answer.status_code == 303
    number = answer.headers["location"].rsplit("/", 1)[1]
    case = session.scalar(select(Case).where(Case.number == number))
    assert case is not None and case.country == "JP" and case.severity == "life_at_risk"
    again = client.post(path, follow_redirects=False)
    assert again.headers["location"].endswith(number)  # once: the same case
