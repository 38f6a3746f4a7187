"""Each type's procedure runs on deadlines; a step past its deadline escalates, once."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform.models import User
from kieubao.protection import procedure, triage
from kieubao.protection.actions import escalate_overdue
from kieubao.protection.actions.case_types import bundled_types
from kieubao.protection.actions.intake import Intake
from kieubao.protection.models import CaseType, DeadlineUnit, Notification, Severity, Status
from tests.personas import SYSTEM, mails_to

TYPES = [
    CaseType(
        code=t["code"], keywords=t["keywords"], default_severity=Severity(t["default_severity"])
    )
    for t in bundled_types()
]
MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_working_days_skip_the_weekend() -> None:
    friday = MONDAY + timedelta(days=4)
    assert procedure.due(friday, 1, DeadlineUnit.working_days) == MONDAY + timedelta(days=7)
    assert procedure.due(friday, 1, DeadlineUnit.calendar_days) == friday + timedelta(days=1)
    assert procedure.due(friday, 24, DeadlineUnit.hours) == friday + timedelta(days=1)


@given(
    start=st.datetimes(
        datetime(2020, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
        datetime(2035, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    amount=st.integers(1, 60),
)
def test_a_working_day_deadline_never_lands_on_a_weekend(start: datetime, amount: int) -> None:
    end = procedure.due(start, amount, DeadlineUnit.working_days)
    assert end.weekday() < 5
    assert end - start >= timedelta(days=amount)
    assert end - start <= timedelta(days=amount + 2 * (amount // 5 + 1))


def test_an_overdue_step_escalates_once_to_mission_and_hq(
    session: Session,
    open_case: Callable[..., Intake],
    tokyo_officer: User,
    hq_officer: User,
    api: Callable[[User | None], TestClient],
) -> None:
    case = open_case().case
    api(tokyo_officer).post(f"/api/v1/cases/{case.number}/triage", json={})
    later = case.created_at + timedelta(hours=25)
    assert escalate_overdue(session, acting_user=SYSTEM, now=later) == 1
    assert escalate_overdue(session, acting_user=SYSTEM, now=later) == 0
    session.refresh(case)
    assert case.status is Status.escalated
    notices = session.scalars(select(Notification).where(Notification.case_id == case.id)).all()
    assert sorted(n.user_id for n in notices) == sorted([tokyo_officer.id, hq_officer.id])
    # Tokyo reads Vietnamese (the default), with the step's name.
    assert any("Liên hệ cơ quan chức năng sở tại" in text for text in mails_to(tokyo_officer.email))
    shown = api(tokyo_officer).get(f"/api/v1/cases/{case.number}").json()
    assert [s["overdue"] for s in shown["steps"]][:1] == [False]  # only overdue at `later`


def test_a_done_step_does_not_escalate(
    session: Session,
    open_case: Callable[..., Intake],
    tokyo_officer: User,
    api: Callable[[User | None], TestClient],
) -> None:
    case = open_case().case
    api(tokyo_officer).post(f"/api/v1/cases/{case.number}/steps/contact_authority/done")
    later = case.created_at + timedelta(hours=25)
    assert escalate_overdue(session, acting_user=SYSTEM, now=later) == 0


def test_the_officer_corrects_triage_and_the_correction_is_kept(
    open_case: Callable[..., Intake],
    tokyo_officer: User,
    api: Callable[[User | None], TestClient],
) -> None:
    number = open_case(case_type=None, description="Anh tôi mất liên lạc đã ba ngày").case.number
    answer = api(tokyo_officer).post(
        f"/api/v1/cases/{number}/triage",
        json={"case_type": "labour", "severity": "property"},
    )
    assert answer.status_code == 200, answer.text
    decided = answer.json()
    assert decided["case_type"] == "labour" and decided["status"] == "triaged"
    assert decided["triage"]["case_type"] == "missing_contact"
    assert decided["triage"]["corrections"]["case_type"] == {
        "from": "missing_contact",
        "to": "labour",
    }
    again = api(tokyo_officer).post(f"/api/v1/cases/{number}/triage", json={})
    assert again.status_code == 409


def test_an_officer_who_finds_a_life_at_risk_at_triage_escalates_the_case_at_once(
    open_case: Callable[..., Intake],
    tokyo_officer: User,
    hq_officer: User,
    api: Callable[[User | None], TestClient],
) -> None:
    number = open_case().case.number  # a detention: liberty at stake, as reported
    answer = api(tokyo_officer).post(
        f"/api/v1/cases/{number}/triage", json={"severity": "life_at_risk"}
    )
    assert answer.status_code == 200, answer.text
    # The answer shows the case as escalation left it, its timeline included.
    decided = answer.json()
    assert decided["status"] == "escalated" and decided["severity"] == "life_at_risk"
    assert any(number in text for text in mails_to(hq_officer.email))
    shown = api(tokyo_officer).get(f"/api/v1/cases/{number}").json()
    assert [e["kind"] for e in shown["events"]][-3:] == ["triaged", "status", "escalated"]


def test_a_note_verbale_is_logged_with_its_reference(
    open_case: Callable[..., Intake],
    tokyo_officer: User,
    api: Callable[[User | None], TestClient],
) -> None:
    number = open_case().case.number
    client = api(tokyo_officer)
    client.post(f"/api/v1/cases/{number}/triage", json={})
    entry = {
        "kind": "note_verbale",
        "authority": "Osaka Prefectural Police",
        "on": "2026-11-23",
        "reference": "23/2026/CH-ĐSQ",
    }
    shown = client.post(f"/api/v1/cases/{number}/liaisons", json=entry).json()
    assert shown["liaisons"][0]["reference"] == "23/2026/CH-ĐSQ"
    assert shown["status"] == "in_progress"
    bad = client.post(f"/api/v1/cases/{number}/liaisons", json={**entry, "kind": "fax"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"


@given(text=st.text(max_size=300))
def test_triage_reads_any_text(text: str) -> None:
    guess = triage.guess(text, TYPES)
    assert guess.case_type in {None, *(t.code for t in TYPES)}


def test_triage_reads_english_and_unaccented_vietnamese() -> None:
    assert triage.guess("My brother was ARRESTED in Seoul", TYPES).case_type == "arrest_detention"
    assert triage.guess("me toi qua doi o Dai Bac", TYPES).case_type == "death"
    urgent = triage.guess("anh ấy bị tai nạn, đang nguy kịch", TYPES)
    assert urgent.severity == "life_at_risk"


def test_a_case_moves_only_along_its_states(
    open_case: Callable[..., Intake],
    tokyo_officer: User,
    api: Callable[[User | None], TestClient],
) -> None:
    number = open_case().case.number
    client = api(tokyo_officer)
    skipped = client.post(f"/api/v1/cases/{number}/status", json={"status": "closed"})
    assert skipped.status_code == 409
    client.post(f"/api/v1/cases/{number}/triage", json={})
    for status in ("in_progress", "waiting", "resolved", "closed"):
        moved = client.post(f"/api/v1/cases/{number}/status", json={"status": status})
        assert moved.json()["status"] == status
    reopened = client.post(f"/api/v1/cases/{number}/status", json={"status": "in_progress"})
    assert reopened.status_code == 409
