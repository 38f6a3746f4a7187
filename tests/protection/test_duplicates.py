"""The same event reported as separate cases: suggested on the case page, merged by an action."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform.audit import AuditEntry
from kieubao.platform.errors import Conflict
from kieubao.platform.models import User
from kieubao.protection import actions, duplicates, queries
from kieubao.protection.actions.intake import Intake
from kieubao.protection.models import Status

VESSEL = {
    "case_type": "vessel_detained",
    "country": "ID",
    "description": "Tàu cá bị bắt giữ gần Natuna.",
    "details": {"vessel_name": "QNg 90123 TS", "province": "Quảng Ngãi"},
}


def test_the_same_son_typed_differently_is_suggested(
    session: Session, open_case: Callable[..., Intake], tokyo_officer: User, berlin_officer: User
) -> None:
    first = open_case().case
    # Another relative, another type chosen, the name typed without tones and a year only.
    second = open_case(
        case_type="missing_contact", subject={"full_name": "Le Van Hung", "date_of_birth": "1998"}
    ).case
    other_man = open_case(subject={"full_name": "Lê Văn Hùng", "date_of_birth": "1975-01-01"})
    found = duplicates.suggestions(session, tokyo_officer, first)
    assert [(s.case.number, s.reasons) for s in found] == [(second.number, ("person",))]
    assert other_man.case.number not in {s.case.number for s in found}
    assert duplicates.suggestions(session, berlin_officer, second) == []


def test_the_same_vessel_from_two_wives_is_suggested(
    session: Session, open_case: Callable[..., Intake], hq_officer: User
) -> None:
    one = open_case(**VESSEL, subject={"full_name": "Phạm Văn Tâm"}).case
    two = open_case(
        **{**VESSEL, "details": {"vessel_name": "qng-90123-ts", "province": "Quảng Ngãi"}},
        subject={"full_name": "Trương Văn Bình"},
    ).case
    assert [(s.case, s.reasons) for s in duplicates.suggestions(session, hq_officer, one)] == [
        (two, ("vessel",))
    ]


def test_merge_moves_everything_and_closes_with_a_pointer(
    session: Session, open_case: Callable[..., Intake], tokyo_officer: User
) -> None:
    keep = open_case()
    dup = open_case(case_type="missing_contact", reporter={"name": "Lê Thị Hoa", "phone": "+84 90"})
    dup_events = len(dup.case.events)
    actions.merge_cases(session, acting_user=tokyo_officer, keep=keep.case, duplicate=dup.case)
    session.expire_all()
    assert [r.name for r in keep.case.reporters] == ["Trần Thị Mai", "Lê Thị Hoa"]
    assert dup.case.status is Status.closed and dup.case.merged_into_id == keep.case.id
    assert dup.case.reporters == [] and [e.kind for e in dup.case.events] == ["merged_into"]
    assert len(keep.case.subjects) == 1  # the same son is not listed twice
    assert sum(e.kind != "merged_from" for e in keep.case.events) == 1 + dup_events
    # The relative who reported the duplicate follows the merged case with her own PIN.
    assert queries.track(session, number=dup.case.number, pin=dup.pin) is keep.case
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "case.merged"))
    assert entry is not None and entry.target_id == dup.case.number
    with pytest.raises(Conflict):
        actions.merge_cases(session, acting_user=tokyo_officer, keep=keep.case, duplicate=dup.case)
    with pytest.raises(Conflict):
        actions.merge_cases(session, acting_user=tokyo_officer, keep=keep.case, duplicate=keep.case)


def test_merge_page_by_persona(
    api: Callable[[User | None], TestClient],
    open_case: Callable[..., Intake],
    tokyo_officer: User,
    berlin_officer: User,
    hq_officer: User,
    partner_analyst: User,
) -> None:
    keep = open_case().case.number
    dup = open_case(case_type="missing_contact", subject={"full_name": "Le Van Hung"}).case.number
    page = api(tokyo_officer).get(f"/console/cases/{keep}?lang=vi")
    assert f'data-duplicate="{dup}"' in page.text
    form = {"duplicate": dup}
    assert api(berlin_officer).post(f"/console/cases/{keep}/merge", data=form).status_code == 404
    partner = api(partner_analyst).post(f"/console/cases/{keep}/merge", data=form)
    assert partner.status_code == 403
    anonymous = api(None).post(f"/console/cases/{keep}/merge", data=form, follow_redirects=False)
    assert anonymous.status_code == 303
    client = api(hq_officer)
    assert client.post(f"/console/cases/{keep}/merge", data={}).status_code == 422
    merged = client.post(f"/console/cases/{keep}/merge", data=form, follow_redirects=False)
    assert merged.status_code == 303 and merged.headers["location"] == f"/console/cases/{keep}"
    closed = client.get(f"/console/cases/{dup}")
    assert f'data-merged-into="{keep}"' in closed.text
    assert client.post(f"/console/cases/{keep}/merge", data=form).status_code == 409


@given(st.text(max_size=30))
def test_vessel_keys_ignore_spacing_case_and_tones(value: str) -> None:
    key = duplicates.vessel_key(value)
    assert key == duplicates.vessel_key(f"  {value.upper()} - ")
    assert all(c.isascii() and c.isalnum() for c in key)


@given(st.from_regex(r"\A(19|20)\d\d(-[01]\d(-[0-3]\d)?)?\Z"))
def test_a_date_agrees_with_its_own_year(born: str) -> None:
    assert duplicates.births_agree(born, born[:4]) and duplicates.births_agree(None, born)
