"""Officers find cases by what they remember of them: a name typed without tones, part of the
case number, the mother's phone, the vessel; only cases of their own mission."""

import unicodedata
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kieubao.domains import modules
from kieubao.platform.db import utcnow
from kieubao.platform.errors import Forbidden
from kieubao.platform.models import Role, User
from kieubao.platform.retention import apply_rules
from kieubao.protection import actions, queries, search
from kieubao.protection.actions import drafts, settling
from kieubao.protection.actions.intake import Intake
from kieubao.protection.models import Case, CaseToken, Status
from kieubao.protection.schemas import SubjectIn, TriageIn
from tests.personas import SYSTEM, make_user

modules("retention")

Finder = Callable[..., list[str]]


@pytest.fixture
def find(session: Session) -> Finder:
    """The numbers of the cases the officer finds, best first."""

    def numbers(user: User, text: str, **page: Any) -> list[str]:
        found = search.find(session, user, text, **page)
        return [case.number for case, _ in queries.cases_by_id(session, user, found.ids)]

    return numbers


def test_a_name_typed_without_tones_finds_the_case(
    open_case: Callable[..., Intake], tokyo_officer: User, find: Finder
) -> None:
    number = open_case().case.number  # Lê Văn Hùng, reported by Trần Thị Mai
    for typed in ("le van hung", "LÊ VĂN HÙNG", "Hung Le", "  lê   hùng ", "Leex Vawn Hungf"):
        assert find(tokyo_officer, typed) == [number], typed
    assert find(tokyo_officer, "le van hoa") == []


def test_the_last_word_may_be_unfinished_the_others_not(
    open_case: Callable[..., Intake], tokyo_officer: User, find: Finder
) -> None:
    number = open_case(subject={"full_name": "Nguyễn Thị Phương"}).case.number
    assert find(tokyo_officer, "nguyen thi phuo") == [number]
    assert find(tokyo_officer, "nguy") == [number]
    assert find(tokyo_officer, "nguy thi phuong") == []


TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
# The vowel marks each vowel can carry: circumflex, breve, horn.
SHAPES = {"a": ["", "\u0302", "\u0306"], "e": ["", "\u0302"], "o": ["", "\u0302", "\u031b"]}
SHAPES["u"] = ["", "\u031b"]


def retyped(name: str, choices: list[tuple[int, int, bool]]) -> str:
    """The name letter by letter: its marks taken off or others put on, d for đ or đ for d,
    upper or lower case."""
    letters: list[list[str]] = []
    for ch in unicodedata.normalize("NFD", name):
        if unicodedata.combining(ch):
            letters[-1].append(ch)
        else:
            letters.append([ch])
    out = []
    for at, (base, *marks) in enumerate(letters):
        action, pick, upper = choices[at % len(choices)]
        shapes = SHAPES.get(base.lower(), [""])
        if action == 0:
            marks = []
        elif action == 1 and base.lower() in "aeiouy":
            marks = [shapes[pick % len(shapes)], TONES[pick % len(TONES)]]
        elif action == 1 and base.lower() in "dđ":
            base = {"d": "đ", "đ": "d", "D": "Đ", "Đ": "D"}[base]
        base = base.upper() if upper else base.lower()
        out.append(base + "".join(marks))
    return unicodedata.normalize("NFC", "".join(out))


NAMES = ["Đặng Thị Ngọc Ánh", "Nguyễn Văn An", "Phạm Quốc Huy", "Dương Đức Mạnh"]


def test_a_name_with_any_marks_taken_off_or_put_on_finds_the_case(
    open_case: Callable[..., Intake], tokyo_officer: User, find: Finder
) -> None:
    numbers = {
        name: open_case(subject={"full_name": name, "date_of_birth": f"199{i}"}).case.number
        for i, name in enumerate(NAMES)
    }

    @given(
        st.sampled_from(NAMES),
        st.lists(
            st.tuples(st.integers(0, 2), st.integers(0, 29), st.booleans()),
            min_size=1,
            max_size=30,
        ),
    )
    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    def finds(name: str, choices: list[tuple[int, int, bool]]) -> None:
        assert numbers[name] in find(tokyo_officer, retyped(name, choices))

    finds()


def test_a_tokyo_officer_does_not_find_a_berlin_case(
    open_case: Callable[..., Intake],
    tokyo_officer: User,
    berlin_officer: User,
    hq_officer: User,
    partner_analyst: User,
    find: Finder,
) -> None:
    tokyo = open_case().case.number
    berlin = open_case(country="DE", city="Berlin", description="Bị bắt giữ tại Berlin hôm qua.")
    assert find(tokyo_officer, "le van hung") == [tokyo]
    assert find(berlin_officer, "le van hung") == [berlin.case.number]
    assert find(tokyo_officer, berlin.case.number) == []
    assert set(find(hq_officer, "le van hung")) == {tokyo, berlin.case.number}
    with pytest.raises(Forbidden):
        find(partner_analyst, "le van hung")


def test_the_case_number_whole_or_in_part_comes_first(
    open_case: Callable[..., Intake], tokyo_officer: User, find: Finder
) -> None:
    first = open_case().case
    sequence = first.number.rpartition("-")[2]
    later = open_case(
        subject={"full_name": "Vũ Thị Lan"},
        description=f"Liên quan đến hồ sơ {sequence} và {int(sequence)} đã mở trước đó.",
    ).case
    assert find(tokyo_officer, first.number) == [first.number]
    assert find(tokyo_officer, first.number.lower().replace("-", " ")) == [first.number]
    assert find(tokyo_officer, sequence) == [first.number, later.number]
    assert find(tokyo_officer, str(int(sequence))) == [first.number, later.number]


def test_name_matches_come_before_words_of_a_description(
    open_case: Callable[..., Intake], tokyo_officer: User, find: Finder
) -> None:
    named = open_case(subject={"full_name": "Hoàng Minh Tâm"}).case.number
    mentioned = open_case(
        subject={"full_name": "Lý Thị Hạnh"},
        description="Chị Hạnh đi cùng anh Hoàng Minh Tâm thì mất liên lạc ở Osaka.",
    ).case.number
    assert find(tokyo_officer, "hoang minh tam") == [named, mentioned]
    assert find(tokyo_officer, "mat lien lac") == [mentioned]


def test_the_reporter_phone_vessel_and_company_find_the_case(
    open_case: Callable[..., Intake], tokyo_officer: User, find: Finder
) -> None:
    mother = open_case().case.number  # reporter phone +84 912 345 678
    vessel = open_case(
        case_type="vessel_detained",
        subject={"full_name": "Trương Văn Biển"},
        reporter={"name": "Trương Thị Nga", "phone": "+84 255 382 1111"},
        details={"vessel_name": "Hải Đăng 27", "registration_number": "QNg-90123-TS"},
    ).case.number
    company = open_case(
        case_type="legal_entity",
        subject={"full_name": "Công ty Sao Mai"},
        reporter={"name": "Ngô Văn Tài", "phone": "+84 28 3822 2222"},
        details={"company_name": "Công ty TNHH Thủy sản Biển Đông"},
    ).case.number
    assert find(tokyo_officer, "0912345678") == [mother]
    assert find(tokyo_officer, "+84 912 345 678") == [mother]
    assert find(tokyo_officer, "tran thi mai") == [mother]
    assert find(tokyo_officer, "hai dang 27") == [vessel]
    assert find(tokyo_officer, "90123") == [vessel]
    assert find(tokyo_officer, "thuy san bien dong") == [company]


def rename(session: Session, officer: User, case: Case, person: SubjectIn) -> None:
    """The officer corrects the name of the case's first person."""
    actions.correct_subject(
        session, acting_user=officer, case=case, subject_id=case.subjects[0].id, data=person
    )


def test_a_corrected_name_is_found_and_the_old_one_no_more(
    open_case: Callable[..., Intake], session: Session, tokyo_officer: User, find: Finder
) -> None:
    case = open_case().case
    rename(
        session, tokyo_officer, case, SubjectIn(full_name="Lê Văn Hưng", date_of_birth="1998-03-02")
    )
    assert find(tokyo_officer, "le van hung") == [case.number]  # Hưng folds as Hùng did
    rename(session, tokyo_officer, case, SubjectIn(full_name="Đỗ Quang Vinh"))
    assert find(tokyo_officer, "le van hung") == []
    assert find(tokyo_officer, "do quang vinh") == [case.number]


def test_a_new_case_is_found_by_its_number_at_once_and_by_its_words_once_settled(
    open_case: Callable[..., Intake],
    session: Session,
    tokyo_officer: User,
    find: Finder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Intake answers before the case's words are indexed: its settling writes them, and an
    officer's correction made before that is what settling indexes."""
    monkeypatch.setattr(drafts, "settle_later", lambda case_ids: None)
    case = open_case().case  # Lê Văn Hùng, reported by Trần Thị Mai
    assert find(tokyo_officer, case.number) == [case.number]
    assert find(tokyo_officer, "le van hung") == []
    rename(session, tokyo_officer, case, SubjectIn(full_name="Đỗ Quang Vinh"))
    settling.settle(session, acting_user=SYSTEM, case_ids=[case.id])
    assert find(tokyo_officer, "do quang vinh") == [case.number]
    assert find(tokyo_officer, "tran thi mai") == [case.number]
    assert find(tokyo_officer, "le van hung") == []
    # Settled again, nothing is indexed twice.
    settling.settle(session, acting_user=SYSTEM, case_ids=[case.id])
    assert find(tokyo_officer, "do quang vinh") == [case.number]


def test_after_a_merge_the_duplicate_people_are_found_under_the_case_that_carries_on(
    open_case: Callable[..., Intake], session: Session, tokyo_officer: User, find: Finder
) -> None:
    keep = open_case().case
    duplicate = open_case(
        case_type="missing_contact",
        subject={"full_name": "Lê Văn Hùng", "date_of_birth": "1999"},
        reporter={"name": "Phan Thị Hoa", "phone": "+84 90 111 2222"},
    ).case
    assert find(tokyo_officer, "phan thi hoa") == [duplicate.number]
    actions.merge_cases(session, acting_user=tokyo_officer, keep=keep, duplicate=duplicate)
    assert find(tokyo_officer, "phan thi hoa") == [keep.number]
    assert find(tokyo_officer, "0901112222") == [keep.number]


@pytest.mark.parametrize(
    ("typed", "finds"),
    [
        ("%", False),
        ("_", False),
        ("'", False),
        ('"', False),
        ("%' OR 1=1 --", False),
        ("h_ng", False),  # no wildcard: "h" and "ng" are two words of no case
        ("l%", False),
        ("le_van%", True),  # signs only part words: "le" and "van"
        ("' ; DROP TABLE protection_cases; --", False),
    ],
)
def test_sql_signs_in_the_query_are_only_characters(
    open_case: Callable[..., Intake], tokyo_officer: User, find: Finder, typed: str, finds: bool
) -> None:
    number = open_case().case.number
    assert find(tokyo_officer, typed) == ([number] if finds else [])
    assert find(tokyo_officer, "le van hung") == [number]


def test_the_api_searches_with_q_and_lists_without_it(
    api: Callable[[User | None], TestClient], open_case: Callable[..., Intake], tokyo_officer: User
) -> None:
    older = open_case().case.number
    newer = open_case(subject={"full_name": "Võ Thị Sáu", "date_of_birth": "1990"}).case.number
    client = api(tokyo_officer)
    listed = client.get("/api/v1/cases", params={"q": ""}).json()
    assert [c["number"] for c in listed] == [newer, older]
    found = client.get("/api/v1/cases", params={"q": "vo thi sau"}).json()
    assert [c["number"] for c in found] == [newer]
    both = client.get("/api/v1/cases", params={"q": "osaka", "limit": 1})
    assert [c["number"] for c in both.json()] == [newer]
    rest = client.get("/api/v1/cases", params={"q": "osaka", "limit": 1, "offset": 1})
    assert [c["number"] for c in rest.json()] == [older]
    assert client.get("/api/v1/cases", params={"q": "x" * 201}).status_code == 422


def test_the_api_corrects_a_name(
    api: Callable[[User | None], TestClient], open_case: Callable[..., Intake], tokyo_officer: User
) -> None:
    case = open_case().case
    client = api(tokyo_officer)
    url = f"/api/v1/cases/{case.number}/subjects/{case.subjects[0].id}"
    answer = client.put(url, json={"full_name": "Lê Văn Hải", "date_of_birth": "1998"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["subjects"][0]["full_name"] == "Lê Văn Hải"
    assert client.put(url, json={"full_name": ""}).status_code == 422
    assert client.put(f"{url}0", json={"full_name": "Lê Văn Hải"}).status_code == 404
    events = [e["kind"] for e in client.get(f"/api/v1/cases/{case.number}").json()["events"]]
    assert "subject_corrected" in events


def test_the_console_search_box(
    api: Callable[[User | None], TestClient], open_case: Callable[..., Intake], tokyo_officer: User
) -> None:
    number = open_case().case.number
    client = api(tokyo_officer)
    page = client.get("/console/cases", params={"q": "le van hung"})
    assert page.status_code == 200 and number in page.text and 'name="q"' in page.text
    rows = client.get("/console/cases", params={"q": "le van hoa"}, headers={"HX-Request": "1"})
    assert number not in rows.text and "<html" not in rows.text


def test_the_index_holds_digests_not_words(
    open_case: Callable[..., Intake], session: Session
) -> None:
    case = open_case().case
    tokens = session.scalars(select(CaseToken.token).where(CaseToken.case_id == case.id)).all()
    words = search.words(search.case_text(case))
    assert {"le", "hung", "tran", "mai", "912345678", "osaka"} <= set(words)
    assert len(tokens) == len(words) and all(isinstance(t, int) for t in tokens)


def test_a_case_sent_to_another_mission_is_found_there_only(
    open_case: Callable[..., Intake],
    session: Session,
    hq_officer: User,
    tokyo_officer: User,
    find: Finder,
) -> None:
    case = open_case().case
    osaka_officer = make_user(session, "lan.osaka@mofa.gov.vn", Role.mission_officer, "JP-OSA-CG")
    assert find(osaka_officer, "le van hung") == []
    actions.confirm_triage(
        session, acting_user=hq_officer, case=case, decision=TriageIn(mission="JP-OSA-CG")
    )
    assert find(osaka_officer, "le van hung") == [case.number]
    assert find(tokyo_officer, "le van hung") == []


def test_a_forgotten_case_is_found_by_its_number_only(
    open_case: Callable[..., Intake], session: Session, hq_officer: User, find: Finder
) -> None:
    case = open_case().case
    case.status, case.closed_at = Status.closed, utcnow() - timedelta(days=365 * 11)
    session.commit()
    list(apply_rules(session, acting_user=SYSTEM, dry_run=False))
    assert find(hq_officer, "le van hung") == []
    assert find(hq_officer, "0912345678") == []
    assert find(hq_officer, case.number.rpartition("-")[2]) == [case.number]


def test_cases_written_before_the_index_are_indexed_again(
    open_case: Callable[..., Intake], session: Session, tokyo_officer: User, find: Finder
) -> None:
    number = open_case().case.number
    session.execute(delete(CaseToken))
    assert find(tokyo_officer, "le van hung") == []
    assert search.reindex_all(session, batch=1) == 1
    assert find(tokyo_officer, "le van hung") == [number]
