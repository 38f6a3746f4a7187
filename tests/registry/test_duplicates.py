"""One person, one record: duplicates are suspected, never merged on a guess, and merges undo."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform.audit import verify
from kieubao.platform.models import User
from kieubao.registry.models import Citizen, DuplicateSuspect, RecordStatus

Api = Callable[[User | None], TestClient]


def _suspicion(session: Session, a: Citizen, b: Citizen) -> DuplicateSuspect | None:
    low, high = sorted((a.id, b.id))
    return session.scalar(
        select(DuplicateSuspect).where(
            DuplicateSuspect.citizen_id == low, DuplicateSuspect.other_id == high
        )
    )


def test_the_same_person_typed_without_tones_is_suspected(
    session: Session, make_citizen: Callable[..., Citizen]
) -> None:
    first = make_citizen(full_name="Nguyễn Văn An", date_of_birth="1990-05-17")
    second = make_citizen(
        full_name="Nguyen Van An", date_of_birth="17/05/1990", email="an@example.jp"
    )
    suspect = _suspicion(session, first, second)
    assert suspect is not None and suspect.status == "open"
    assert first.status is second.status is RecordStatus.active


def test_a_namesake_born_another_day_is_not_a_duplicate(
    session: Session, make_citizen: Callable[..., Citizen]
) -> None:
    first = make_citizen(full_name="Nguyễn Văn An", date_of_birth="1990-05-17")
    namesake = make_citizen(full_name="Nguyễn Văn An", date_of_birth="1984-11-02")
    assert _suspicion(session, first, namesake) is None


def test_an_officer_merges_and_undoes(
    api: Api, session: Session, make_citizen: Callable[..., Citizen], tokyo_officer: User
) -> None:
    first = make_citizen(full_name="Nguyễn Văn An", city="Tokyo", phones=[])
    second = make_citizen(
        full_name="Nguyen Van An", city="Tokyo", email="an@example.jp", phones=["+81 90 0000 1111"]
    )
    suspect = _suspicion(session, first, second)
    assert suspect is not None
    client = api(tokyo_officer)
    listed = client.get("/api/v1/duplicates").json()
    assert suspect.id in [s["id"] for s in listed]

    merged = client.post(f"/api/v1/duplicates/{suspect.id}/merge", json={"keep": first.id}).json()
    session.expire_all()
    assert first.email == "an@example.jp" and first.phones == ["+81 90 0000 1111"]
    assert second.status is RecordStatus.merged and second.merged_into_id == first.id

    assert client.post(f"/api/v1/merges/{merged['merge_id']}/undo").status_code == 204
    session.expire_all()
    assert first.email is None and first.phones == []
    assert second.status is RecordStatus.active and second.email == "an@example.jp"
    assert verify(session).ok


def test_different_people_are_dismissed(
    api: Api, session: Session, make_citizen: Callable[..., Citizen], hq_officer: User
) -> None:
    first = make_citizen(full_name="Trần Thị Hoa", date_of_birth="1988-02-03")
    second = make_citizen(full_name="Tran Thi Hoa", date_of_birth="1988-02-03", city="Kyoto")
    suspect = _suspicion(session, first, second)
    assert suspect is not None
    assert api(hq_officer).post(f"/api/v1/duplicates/{suspect.id}/dismiss").status_code == 204
    session.refresh(suspect)
    assert suspect.status == "dismissed"
