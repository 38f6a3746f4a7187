"""Evacuation: the injured and the vulnerable seated first, documents before boarding."""

from collections.abc import Callable
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from kieubao.crisis import actions, queries
from kieubao.crisis.models import Crisis, EvacuationLeg
from kieubao.platform import accounts
from kieubao.platform.deps import scope_of
from kieubao.platform.errors import Conflict, Invalid, NotFound
from kieubao.platform.models import User
from tests.personas import SYSTEM

DEPARTS = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)


@pytest.fixture
def osaka_crisis(session: Session, osaka_residents: list[Any], hq_officer: User) -> Crisis:
    area = {"circles": [{"lat": 34.69, "lon": 135.5, "radius_km": 60}], "polygons": []}
    return actions.open_crisis(session, acting_user=hq_officer, title="Kansai", area=area)


@pytest.fixture
def bus(session: Session, osaka_crisis: Crisis, hq_officer: User) -> EvacuationLeg:
    return actions.add_leg(
        session,
        acting_user=hq_officer,
        crisis=osaka_crisis,
        kind="bus",
        name="Osaka → Kansai airport",
        assembly_point="Tổng lãnh sự quán, 4-2-15 Awaza",
        destination="KIX",
        departs_at=DEPARTS,
        capacity=2,
    )


def _wants_out(session: Session, crisis: Crisis, officer: User, *, injured: int = 0) -> list[Any]:
    rows = queries.roster(session, crisis, scope_of(officer))
    for n, (entry, _) in enumerate(rows):
        actions.record_status(
            session,
            acting_user=officer,
            entry=entry,
            status="injured" if n < injured else "needs_help",
            source="officer_call",
            needs=["evacuation"],
        )
    return rows


def test_seats_go_to_the_injured_first_then_by_waiting(
    session: Session, osaka_crisis: Crisis, bus: EvacuationLeg, hq_officer: User
) -> None:
    rows = _wants_out(session, osaka_crisis, hq_officer)
    last = rows[-1][0]
    actions.record_status(
        session, acting_user=hq_officer, entry=last, status="injured", source="officer_call"
    )
    assert actions.fill_manifest(session, acting_user=hq_officer, leg=bus) == 2
    seated = [line.seat.entry_id for line in queries.manifest(session, bus)]
    assert seated == [last.id, rows[0][0].id]
    assert actions.fill_manifest(session, acting_user=hq_officer, leg=bus) == 0  # full


def test_no_boarding_without_a_checked_document_and_arrival_marks_evacuated(
    session: Session, osaka_crisis: Crisis, bus: EvacuationLeg, hq_officer: User
) -> None:
    _wants_out(session, osaka_crisis, hq_officer)
    actions.fill_manifest(session, acting_user=hq_officer, leg=bus)
    first, second = (line.seat for line in queries.manifest(session, bus))
    with pytest.raises(Conflict):
        actions.board(session, acting_user=hq_officer, seat=first, boarding="boarded")
    with pytest.raises(Invalid):
        actions.check_document(session, acting_user=hq_officer, seat=first, kind="visa", number="1")
    actions.check_document(
        session, acting_user=hq_officer, seat=first, kind="emergency_travel_document", number="E1"
    )
    actions.board(session, acting_user=hq_officer, seat=first, boarding="boarded")
    actions.board(session, acting_user=hq_officer, seat=second, boarding="no_show")
    actions.arrive(session, acting_user=hq_officer, leg=bus)
    assert first.entry.status == "evacuated" and first.handed_over_at is not None
    assert second.entry.status == "needs_help" and second.handed_over_at is None


def test_the_manifest_reads_as_an_airline_asks(
    session: Session,
    osaka_crisis: Crisis,
    bus: EvacuationLeg,
    hq_officer: User,
    app_client: Any,
) -> None:
    _wants_out(session, osaka_crisis, hq_officer)
    actions.fill_manifest(session, acting_user=hq_officer, leg=bus)
    names = {line.passport_name for line in queries.manifest(session, bus)}
    assert names <= {"NGUYEN VAN AN", "TRAN THI BINH", "LE VAN CUONG", "PHAM THU DUNG"}
    token = accounts.create_api_token(session, acting_user=SYSTEM, user=hq_officer)
    headers = {"Authorization": f"Bearer {token}"}
    sheet = app_client.get(f"/console/crisis/legs/{bus.id}/manifest.xlsx", headers=headers)
    rows = list(load_workbook(BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][1] == "Name (as in passport)" and len(rows) == 3
    assert rows[1][4] == "VNM" and rows[1][1] in names
    page = app_client.get(f"/console/crisis/legs/{bus.id}?lang=vi", headers=headers)
    assert page.status_code == 200 and 'id="seats">2 / 2<' in page.text


def test_legs_are_checked_and_kept_within_jurisdiction(
    session: Session,
    osaka_crisis: Crisis,
    bus: EvacuationLeg,
    hq_officer: User,
    berlin_officer: User,
    tokyo_officer: User,
) -> None:
    for bad in ({"kind": "rocket"}, {"capacity": 0}, {"name": " "}):
        values: dict[str, Any] = {
            "kind": "bus",
            "name": "Bus 2",
            "assembly_point": "Namba",
            "destination": "KIX",
            "departs_at": DEPARTS,
            "capacity": 40,
        } | bad
        with pytest.raises(Invalid):
            actions.add_leg(session, acting_user=hq_officer, crisis=osaka_crisis, **values)
    assert queries.get_leg(session, bus.id, scope_of(tokyo_officer)) == bus
    with pytest.raises(NotFound):
        queries.get_leg(session, bus.id, scope_of(berlin_officer))


def test_officers_use_the_pages(
    session: Session, osaka_crisis: Crisis, hq_officer: User, api: Callable[[User | None], Any]
) -> None:
    client = api(hq_officer)
    client.headers["Accept"] = "text/html"
    added = client.post(
        f"/console/crisis/crises/{osaka_crisis.id}/legs",
        data={
            "kind": "charter_flight",
            "name": "VN 5301",
            "assembly_point": "KIX T1",
            "departs_at": "2026-11-25T10:00",
            "capacity": "200",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    bad = client.post(
        f"/console/crisis/crises/{osaka_crisis.id}/legs",
        data={
            "kind": "bus",
            "name": "x",
            "assembly_point": "y",
            "departs_at": "soon",
            "capacity": "5",
        },
    )
    assert bad.status_code == 422
    page = client.get(f"/console/crisis/crises/{osaka_crisis.id}/evacuation?lang=en")
    assert "VN 5301" in page.text and "Charter flight" in page.text
