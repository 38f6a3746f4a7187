"""Reports arrive from the public and from officers; each becomes a case, once."""

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import audit, jobs
from kieubao.platform.db import commit
from kieubao.platform.models import User
from kieubao.platform.settings import get_settings
from kieubao.protection import search
from kieubao.protection.actions import case_types, drafts, settling
from kieubao.protection.actions.drafts import Draft, take_together
from kieubao.protection.actions.intake import Intake
from kieubao.protection.models import Case, CaseEvent, Channel, Notification, Severity, Status
from kieubao.protection.schemas import CaseIn
from kieubao.registry.models import Citizen
from tests.personas import SYSTEM, mails_to
from tests.protection.conftest import report

NUMBER = re.compile(r"^BH-\d{4}-\d{6}$")


def test_a_mother_reports_her_detained_son_and_gets_a_number_and_pin(
    api: Callable[[User | None], TestClient], session: Session, case_types: None
) -> None:
    answer = api(None).post("/api/v1/cases", json=report())
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert set(body) == {"case_number", "pin"}
    assert NUMBER.match(body["case_number"])
    assert re.fullmatch(r"\d{6}", body["pin"])
    case = session.scalar(select(Case).where(Case.number == body["case_number"]))
    assert case is not None
    assert case.mission is not None and case.mission.code == "JP-TYO-EMB"
    assert case.status is Status.new and case.severity is Severity.liberty
    assert [s.code for s in case.steps][:2] == ["contact_authority", "consular_visit"]
    # Stored hashed: the PIN itself is nowhere in the row.
    assert body["pin"] not in case.reporters[0].pin_hash


def test_numbers_follow_each_other_within_the_year(open_case: Callable[..., Intake]) -> None:
    first = open_case().case.number
    second = open_case(subject={"full_name": "Phạm Thị Lan"}).case.number
    assert int(second[-6:]) == int(first[-6:]) + 1 and second[:8] == first[:8]


def test_bad_reports_are_refused_field_by_field(
    api: Callable[[User | None], TestClient], case_types: None
) -> None:
    client = api(None)
    answer = client.post("/api/v1/cases", json=report(country="Atlantis", description="?"))
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {"country", "description"}
    unknown = client.post("/api/v1/cases", json=report(case_type="alien_abduction"))
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "case_type"
    script = report(subject={"full_name": "<script>alert(1)</script>"})
    assert client.post("/api/v1/cases", json=script).status_code == 422
    unreachable = report(reporter={"name": "Trần Thị Mai"})
    assert client.post("/api/v1/cases", json=unreachable).status_code == 422


def test_a_second_report_of_the_same_person_joins_the_open_case(
    api: Callable[[User | None], TestClient], session: Session, case_types: None
) -> None:
    client = api(None)
    first = client.post("/api/v1/cases", json=report()).json()
    brother = report(
        reporter={"name": "Lê Văn Nam", "email": "nam@example.vn", "relation": "brother"},
        subject={"full_name": "LE VAN HUNG", "date_of_birth": "1998-03-02"},
    )
    second = client.post("/api/v1/cases", json=brother).json()
    assert second["case_number"] == first["case_number"]
    assert second["pin"] != first["pin"]
    case = session.scalar(select(Case).where(Case.number == first["case_number"]))
    assert case is not None
    assert [r.name for r in case.reporters] == ["Trần Thị Mai", "Lê Văn Nam"]
    # Another man of the same name, born another year, is another case.
    namesake = report(subject={"full_name": "Lê Văn Hùng", "date_of_birth": "1975"})
    assert client.post("/api/v1/cases", json=namesake).json()["case_number"] != first["case_number"]


def test_public_intake_is_limited_per_address(
    api: Callable[[User | None], TestClient], case_types: None
) -> None:
    client = api(None)
    statuses = [
        client.post(
            "/api/v1/cases", json=report(subject={"full_name": f"Người Thứ {chr(65 + i)}"})
        ).status_code
        for i in range(11)
    ]
    assert statuses == [201] * 10 + [429]


def test_triage_guesses_the_type_from_folded_vietnamese(
    api: Callable[[User | None], TestClient], session: Session, case_types: None
) -> None:
    body = report(
        case_type=None,
        country="KR",
        description="Tau ca QNg-90123 cua chong toi cung 12 NGU DAN bi bat o vung bien",
    )
    number = api(None).post("/api/v1/cases", json=body).json()["case_number"]
    case = session.scalar(select(Case).where(Case.number == number))
    assert case is not None
    assert case.case_type.code == "vessel_detained"
    assert case.triage["case_type"] == "vessel_detained"
    assert "tau ca" in case.triage["keywords"]


def test_keywords_reseeded_are_what_the_next_report_is_triaged_by(
    open_case: Callable[..., Intake], session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Intake keeps the case types a few seconds; their seeding makes it read them again."""
    words = "Em tôi bị chủ giữ lại ở xưởng may, không cho về"
    assert open_case(case_type=None, description=words).case.case_type.code != "labour"
    seeds = case_types.bundled_types()
    next(s for s in seeds if s["code"] == "labour")["keywords"].append("xuong may")
    monkeypatch.setattr(case_types, "bundled_types", lambda: seeds)
    assert case_types.load_case_types(session, acting_user=SYSTEM) == 1
    case = open_case(case_type=None, description=words, subject={"full_name": "Vũ Thị Hoa"}).case
    assert case.case_type.code == "labour" and "xuong may" in case.triage["keywords"]


def test_a_life_at_risk_escalates_at_once_to_the_mission_and_hq(
    open_case: Callable[..., Intake], tokyo_officer: User, hq_officer: User, berlin_officer: User
) -> None:
    case = open_case(
        case_type="accident_injury",
        description="Em tôi bị tai nạn lao động, đang nguy kịch ở bệnh viện Nagoya.",
    ).case
    assert case.severity is Severity.life_at_risk
    assert case.status is Status.escalated
    assert any(case.number in text for text in mails_to(tokyo_officer.email))
    assert any(case.number in text for text in mails_to(hq_officer.email))
    assert mails_to(berlin_officer.email) == []


def test_an_officer_logs_a_hotline_call_as_a_case(
    api: Callable[[User | None], TestClient],
    tokyo_officer: User,
    session: Session,
    case_types: None,
    citizen_in_osaka: Citizen,
) -> None:
    body = report(subject={"full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17"})
    answer = api(tokyo_officer).post("/api/v1/cases/intake", json={**body, "channel": "hotline"})
    assert answer.status_code == 201, answer.text
    case = session.get(Case, answer.json()["id"])
    assert case is not None and case.channel == "hotline"
    # The registry's matcher found the citizen the call is about.
    assert case.subjects[0].citizen_id == citizen_in_osaka.id


def test_reports_written_together_make_one_case_per_person_numbered_in_turn(
    session: Session, open_case: Callable[..., Intake], hq_officer: User
) -> None:
    """What the group writer does with a surge's batch: every report in the statements of one."""
    held = open_case().case  # Lê Văn Hùng, held in Osaka

    def draft(**overrides: object) -> Draft:
        return Draft(SYSTEM, CaseIn.model_validate(report(**overrides)), Channel.api, None, "-")

    lan = {"full_name": "Phạm Thị Lan", "date_of_birth": "2001-07-15"}
    taken = take_together(
        session,
        [
            draft(reporter={"name": "Lê Văn Nam", "phone": "+84 913 000 111"}),
            draft(subject=lan),
            draft(subject=lan, reporter={"name": "Phạm Văn Tư", "phone": "+84 914 000 222"}),
            draft(subject={"full_name": "Đỗ Minh Khoa", "date_of_birth": "1990-01-01"}),
        ],
    )
    commit(session)
    assert [t.appended for t in taken] == [True, False, True, False]
    assert taken[0].number == held.number and taken[1].number == taken[2].number
    numbers = [held.number, taken[1].number, taken[3].number]
    assert [int(n[-6:]) for n in numbers] == [int(held.number[-6:]) + i for i in range(3)]
    lan_case = session.get_one(Case, taken[1].case_id)
    assert [r.name for r in lan_case.reporters] == ["Trần Thị Mai", "Phạm Văn Tư"]
    assert audit.verify(session).ok
    # Each new case is found by its people and reporters.
    for t, name in ((taken[1], "Pham Van Tu"), (taken[3], "do minh khoa")):
        assert t.case_id in search.find(session, hq_officer, name).ids


def test_a_batch_written_as_plain_rows_reads_back_as_the_orm_writes_it(
    session: Session, case_types: None
) -> None:
    """The writer's rows skip the ORM: their enums, JSON, times and the columns left to
    their defaults read back as the ORM would have written them, and what the ORM adds after
    them takes the next ids."""
    body = report(
        case_type="vessel_detained",
        details={"vessel_name": "QNg 90123 TS", "province": "Quảng Ngãi"},
        reporter={"name": "Trần Thị Mai", "phone": "+84 912 345 678"},
    )
    [taken] = take_together(
        session, [Draft(SYSTEM, CaseIn.model_validate(body), Channel.sms, None, "-")]
    )
    commit(session)
    case = session.get_one(Case, taken.case_id)
    assert case.status is Status.new and case.channel is Channel.sms
    assert case.details == body["details"] and case.triage["mission"]
    assert case.created_at.tzinfo is not None
    [reporter] = case.reporters
    assert (reporter.email, reporter.relation, reporter.channel) == ("", "", Channel.sms)
    [opened] = case.events
    assert opened.public and opened.text == "" and opened.data == {"channel": "sms"}
    assert opened.at == case.created_at and [s.position for s in case.steps] == list(
        range(len(case.steps))
    )
    later = take_together(
        session, [Draft(SYSTEM, CaseIn.model_validate(report()), Channel.api, None, "-")]
    )
    commit(session)
    assert later[0].case_id > case.id
    case.events.append(CaseEvent(kind="note", text="Đã gọi cho cảng vụ."))
    commit(session)
    assert case.events[-1].id > opened.id


def test_a_life_at_risk_whose_settling_was_lost_is_escalated_by_the_sweep(
    open_case: Callable[..., Intake],
    session: Session,
    tokyo_officer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server died between its commit and queuing the jobs that follow it."""
    monkeypatch.setattr(drafts, "settle_later", lambda case_ids: None)
    monkeypatch.setattr(drafts, "escalate_later", lambda case_ids: None)
    case = open_case(
        case_type="accident_injury",
        description="Em tôi bị tai nạn lao động, đang nguy kịch ở bệnh viện Nagoya.",
    ).case
    assert case.status is Status.new and mails_to(tokyo_officer.email) == []
    # Its own job may still come: the sweep leaves it a minute.
    assert settling.settle_missed(session, acting_user=SYSTEM) == 0
    # The sweep finds it however long the worker was down.
    hours_later = case.created_at + timedelta(hours=5)
    assert settling.settle_missed(session, acting_user=SYSTEM, now=hours_later) == 1
    session.refresh(case)
    assert case.status is Status.escalated and case.settled_at is not None
    assert any(case.number in text for text in mails_to(tokyo_officer.email))
    # Swept again, it is settled already: nothing to do.
    assert settling.settle_missed(session, acting_user=SYSTEM, now=hours_later) == 0
    assert sum(case.number in text for text in mails_to(tokyo_officer.email)) == 1


def test_cases_at_risk_settled_together_reach_each_officer_in_one_mail(
    open_case: Callable[..., Intake],
    session: Session,
    tokyo_officer: User,
    hq_officer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A surge's batch settled in one job: each case escalated and a notice in the app for
    each officer, and one mail to each that lists them all; settled again, nothing more."""
    monkeypatch.setattr(drafts, "settle_later", lambda case_ids: None)
    monkeypatch.setattr(drafts, "escalate_later", lambda case_ids: None)
    cases = [
        open_case(
            case_type="accident_injury",
            description="Em tôi bị tai nạn lao động, đang nguy kịch ở bệnh viện Nagoya.",
            subject={"full_name": name, "date_of_birth": "1999-09-09"},
        ).case
        for name in ("Vũ Văn Long", "Hồ Thị Thu", "Đinh Quang Huy")
    ]
    for _again in range(2):
        settling.settle(session, acting_user=SYSTEM, case_ids=[c.id for c in cases])
    for officer in (tokyo_officer, hq_officer):
        [mail] = mails_to(officer.email)
        assert all(case.number in mail for case in cases)
        noticed = session.scalars(
            select(Case.number)
            .join(Notification, Notification.case_id == Case.id)
            .where(Notification.user_id == officer.id)
        )
        assert sorted(noticed) == sorted(case.number for case in cases)
    for case in cases:
        session.refresh(case)
        assert case.status is Status.escalated and case.settled_at is not None
        assert [e.kind for e in case.events][-2:] == ["status", "escalated"]
    assert audit.verify(session).ok


def test_in_a_surge_a_life_at_risk_is_escalated_and_mailed_ahead_of_the_settling_queued(
    open_case: Callable[..., Intake],
    session: Session,
    tokyo_officer: User,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Reports of detentions wait in the queue to be settled when a relative reports a
    worker dying in hospital: the worker takes its escalation first, then its mails."""
    monkeypatch.setenv("KIEUBAO_JOBS_IMMEDIATE", "false")
    monkeypatch.setenv("KIEUBAO_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    jobs.reset()
    huey = jobs.get_huey()
    for name in ("Vũ Văn Long", "Hồ Thị Thu", "Đinh Quang Huy"):
        open_case(subject={"full_name": name, "date_of_birth": "1999-09-09"})
    case = open_case(
        case_type="accident_injury",
        description="Em tôi bị tai nạn lao động, đang nguy kịch ở bệnh viện Nagoya.",
    ).case
    taken = []
    while (task := huey.dequeue()) is not None:
        taken.append(task.name.rsplit(".", 1)[-1])
        huey.execute(task)
        session.refresh(case)
        if task.name.endswith("send_mail"):
            break
    assert taken == ["escalate_cases", "send_mails", "send_mail"]
    assert case.status is Status.escalated and case.settled_at is None
    assert [case.number in text for text in mails_to(tokyo_officer.email)] == [True]
    while (task := huey.dequeue()) is not None:
        taken.append(task.name.rsplit(".", 1)[-1])
        huey.execute(task)
    assert taken.count("settle_cases") == 4
    session.refresh(case)
    assert case.settled_at is not None
    assert [e.kind for e in case.events].count("escalated") == 1
    assert len(mails_to(tokyo_officer.email)) == 1
    huey.flush()
    jobs.reset()
    get_settings.cache_clear()
