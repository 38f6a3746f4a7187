"""Registering citizens abroad and keeping their records: stories of the registry."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kieubao.platform.deps import scope_of
from kieubao.platform.errors import Conflict
from kieubao.platform.models import User
from kieubao.registry import actions, queries
from kieubao.registry.models import Citizen, MissionTransfer, Purpose, RecordStatus
from kieubao.registry.schemas import CitizenPatch, TripIn
from tests.personas import SYSTEM, citizen_in

Api = Callable[[User | None], TestClient]


def test_a_registration_is_placed_with_its_mission(make_citizen: Callable[..., Citizen]) -> None:
    an = make_citizen(full_name="nguyễn  văn   an", city="Osaka")
    assert an.full_name == "nguyễn văn an"
    assert an.name_folded == "nguyen van an"
    assert an.mission_code == "JP-OSA-CG"
    assert an.location_source == "gazetteer"
    assert an.latitude == pytest.approx(34.69, abs=0.2)
    assert make_citizen(full_name="Lê Thị Mai", city="Sapporo").mission_code == "JP-TYO-EMB"


def test_passport_numbers_are_encrypted_at_rest_and_found_exactly(
    session: Session, make_citizen: Callable[..., Citizen], hq_officer: User
) -> None:
    an = make_citizen(passport_no="C1234567")
    stored = session.execute(
        text("SELECT passport_no FROM citizens WHERE id = :id"), {"id": an.id}
    ).scalar()
    assert stored is not None and "C1234567" not in stored
    found = queries.search(session, scope_of(hq_officer), "c 1234567")
    assert [c.id for c in found.items] == [an.id]


def test_search_ignores_tones(
    session: Session, make_citizen: Callable[..., Citizen], hq_officer: User
) -> None:
    dung = make_citizen(full_name="Đặng Thị Dung", phones=["+81 80 5555 0101"])
    for typed in ("dang thi dung", "ĐẶNG THỊ", "80 5555 0101"):
        assert dung.id in [c.id for c in queries.search(session, scope_of(hq_officer), typed).items]


def test_a_mission_officer_sees_only_their_jurisdiction(
    api: Api, make_citizen: Callable[..., Citizen], tokyo_officer: User, berlin_officer: User
) -> None:
    in_tokyo = make_citizen(city="Tokyo")
    in_berlin = make_citizen(full_name="Vũ Minh Tuấn", country="DE", city="Berlin")
    tokyo = api(tokyo_officer)
    assert tokyo.get(f"/api/v1/citizens/{in_tokyo.id}").status_code == 200
    assert tokyo.get(f"/api/v1/citizens/{in_berlin.id}").status_code == 404
    refused = tokyo.post("/api/v1/citizens", json={"full_name": "Hồ Văn Nam", "country": "DE"})
    assert refused.status_code == 403
    assert "jurisdiction" in refused.json()["detail"]


def test_a_partner_agency_sees_figures_never_people(
    api: Api, make_citizen: Callable[..., Citizen], partner_analyst: User
) -> None:
    an = make_citizen()
    client = api(partner_analyst)
    assert client.get(f"/api/v1/citizens/{an.id}").status_code == 403
    assert client.get("/api/v1/citizens").status_code == 403
    figures = client.get("/api/v1/registry/figures").json()
    assert figures["by_country"]["JP"] >= 1
    assert "Nguyễn" not in str(figures)


def test_a_citizen_sees_only_their_own_record(
    api: Api, citizen_in_osaka: Citizen, make_citizen: Callable[..., Citizen], session: Session
) -> None:
    other = make_citizen(full_name="Trần Văn Bình")
    user = session.get(User, citizen_in_osaka.user_id)
    client = api(user)
    assert (
        client.get(f"/api/v1/citizens/{citizen_in_osaka.id}").json()["full_name"] == "Nguyễn Văn An"
    )
    assert client.get(f"/api/v1/citizens/{other.id}").status_code == 404


def test_bad_input_is_answered_field_by_field(api: Api, hq_officer: User) -> None:
    response = api(hq_officer).post(
        "/api/v1/citizens",
        json={"full_name": "Nguyễn Văn An", "country": "Atlantis", "date_of_birth": "31/02/1990"},
    )
    assert response.status_code == 422
    fields = {e["field"]: e["reason"] for e in response.json()["errors"]}
    assert "unknown country" in fields["country"]
    assert "31/02/1990 does not exist" in fields["date_of_birth"]


def test_the_same_reference_cannot_be_registered_twice(session: Session) -> None:
    actions.register_citizen(session, acting_user=SYSTEM, data=citizen_in(external_ref="OSA-1"))
    with pytest.raises(Conflict):
        actions.register_citizen(session, acting_user=SYSTEM, data=citizen_in(external_ref="OSA-1"))


def test_a_citizen_who_moves_is_transferred_with_history(
    session: Session, make_citizen: Callable[..., Citizen]
) -> None:
    an = make_citizen(city="Osaka")
    actions.update_citizen(
        session,
        acting_user=SYSTEM,
        citizen=an,
        patch=CitizenPatch(country="DE", city="Frankfurt am Main"),
    )
    assert an.mission_code == "DE-FRA-CG"
    moves = session.scalars(
        select(MissionTransfer).where(MissionTransfer.citizen_id == an.id)
    ).all()
    assert [(m.from_mission, m.to_mission) for m in moves] == [("JP-OSA-CG", "DE-FRA-CG")]


def test_consent_is_per_purpose_and_withdrawal_is_kept(
    session: Session, make_citizen: Callable[..., Citizen]
) -> None:
    an = make_citizen()
    assert an.consent_for(Purpose.crisis_alerts)
    assert not an.consent_for(Purpose.community_news)
    actions.set_consent(
        session,
        acting_user=SYSTEM,
        citizen=an,
        purpose=Purpose.crisis_alerts,
        granted=False,
        source="self",
    )
    assert not an.consent_for(Purpose.crisis_alerts)
    assert len([c for c in an.consents if c.purpose is Purpose.crisis_alerts]) == 2


def test_a_household_registers_together(session: Session) -> None:
    household = actions.register_household(
        session,
        acting_user=SYSTEM,
        name="Gia đình anh An",
        members=[
            citizen_in(),
            citizen_in(
                full_name="Nguyễn An Nhiên",
                date_of_birth="2019-03-02",
                nationality_status="dual",
                stay_status="resident",
            ),
        ],
        relations=[None, "child"],
    )
    head, child = household.members
    assert head.household_role == "head"
    assert child.answered_for_by_id == head.id and child.household_role == "child"


def test_a_trip_expires_thirty_days_after_it_ends(
    session: Session, make_citizen: Callable[..., Citizen]
) -> None:
    from datetime import date

    tourist = make_citizen(stay_status="tourist")
    trip = actions.register_trip(
        session,
        acting_user=SYSTEM,
        citizen=tourist,
        trip=TripIn(start_date=date(2026, 7, 1), end_date=date(2026, 7, 10)),
    )
    assert trip.expires_on == date(2026, 8, 9)


def test_data_subject_rights(
    api: Api, citizen_in_osaka: Citizen, session: Session, hq_officer: User
) -> None:
    user = session.get(User, citizen_in_osaka.user_id)
    client = api(user)
    export = client.get(f"/api/v1/citizens/{citizen_in_osaka.id}/export")
    assert export.status_code == 200 and export.json()["full_name"] == "Nguyễn Văn An"
    actions.erase_citizen(session, acting_user=hq_officer, citizen=citizen_in_osaka)
    session.commit()
    session.refresh(citizen_in_osaka)
    assert citizen_in_osaka.status is RecordStatus.erased
    assert citizen_in_osaka.full_name == "—" and citizen_in_osaka.phones == []
    assert citizen_in_osaka.email is None and citizen_in_osaka.passport_index is None


def test_a_traveller_renews_a_trip(api: Api, citizen_in_osaka: Citizen, session: Session) -> None:
    client = api(session.get(User, citizen_in_osaka.user_id))
    body = {"start_date": "2026-12-01", "end_date": "2026-12-20", "itinerary": [{"place": "Kyoto"}]}
    added = client.post(f"/api/v1/citizens/{citizen_in_osaka.id}/trips", json=body)
    assert added.status_code == 201
    trip = citizen_in_osaka.trips[-1]
    renewed = client.post(
        f"/api/v1/citizens/{citizen_in_osaka.id}/trips/{trip.id}/renew",
        json={"end_date": "2027-01-15"},
    )
    assert renewed.status_code == 200
    session.refresh(trip)
    assert str(trip.expires_on) == "2027-02-14"
