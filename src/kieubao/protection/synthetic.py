"""Synthetic protection cases for load and search benchmarks, written in bulk.

The people are the registry's synthetic Vietnamese abroad (``registry.synthetic``): the
subject is one, the reporter (a relative at home, with a Vietnamese mobile) another. Each
case gets a type, a description in Vietnamese from a few templates, the vessel or company
its type names, an opening date over the last years, and the search rows
``search.token_rows`` makes for it, the same the intake action writes.

Rows go in with Core executemany, a batch per transaction; the intake action is not run
per case (it triages, matches the registry and audits: a million would take hours).
"""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from kieubao.platform.db import insert_rows
from kieubao.platform.missions_data import mission_for
from kieubao.platform.models import Mission
from kieubao.platform.security import hash_pin
from kieubao.platform.text import fold
from kieubao.protection import search
from kieubao.protection.models import (
    Case,
    CaseCounter,
    CaseReporter,
    CaseSubject,
    CaseToken,
    CaseType,
    Channel,
    Severity,
    Status,
)
from kieubao.registry.synthetic import Person, people

BATCH = 10_000
FIRST_YEAR = 2019

_DESCRIPTIONS = {
    "arrest_detention": "{name} bị cảnh sát {city} bắt giữ, gia đình không liên lạc được, "
    "xin sứ quán hỗ trợ thăm lãnh sự và tìm luật sư.",
    "death": "{name} qua đời tại {city}, gia đình xin hỗ trợ thủ tục đưa thi hài về nước.",
    "accident_injury": "{name} bị tai nạn lao động ở {city}, đang điều trị tại bệnh viện.",
    "lost_documents": "{name} bị mất hộ chiếu và giấy tờ tùy thân tại {city}.",
    "trafficking": "{name} bị môi giới đưa sang {city}, bị giữ giấy tờ và ép làm việc.",
    "labour": "{name} bị chủ sử dụng lao động ở {city} nợ lương nhiều tháng.",
    "stranded": "{name} bị mắc kẹt tại sân bay {city}, hết tiền, không có vé về nước.",
    "missing_contact": "Gia đình mất liên lạc với {name} ở {city} đã nhiều ngày.",
    "vessel_detained": "Tàu cá {vessel} cùng {name} và các thuyền viên bị bắt giữ gần {city}.",
    "disaster_affected": "{name} ở vùng bị động đất tại {city}, nhà bị hư hỏng.",
    "legal_entity": "{company} có tranh chấp hợp đồng tại {city}, người liên hệ {name}.",
}
_VESSEL = ["Hải Đăng", "Phước Lộc", "Thành Công", "Bình Minh", "Hoàng Sa", "Trường Sa"]
_PROVINCE = ["QNg", "BĐ", "KH", "QNa", "BTh", "ĐNa", "TTH", "KG"]
_COMPANY = ["Sao Mai", "Biển Đông", "Hưng Thịnh", "Phú Quý", "Đại Việt", "An Phát"]
_SECTOR = ["Thủy sản", "Xây dựng", "Dệt may", "Thương mại", "Vận tải"]


@dataclass(frozen=True)
class Synthetic:
    """One case as the bulk loader writes it."""

    case_type: str
    subject: Person
    reporter: Person
    phone: str
    details: dict[str, str]
    description: str
    opened: datetime


def cases(seed: int = 1, *, n: int, until: datetime | None = None) -> Iterator[Synthetic]:
    """A repeatable stream of cases, oldest first, n of them spread from ``FIRST_YEAR`` to
    ``until`` (more follow, later)."""
    rng = random.Random(seed)
    subjects, relatives = people(seed, "CASE"), people(seed + 1, "REL")
    end = until or datetime.now(UTC)
    start = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    step = (end - start) / max(n, 1)
    at = start
    codes = list(_DESCRIPTIONS)
    while True:
        code = rng.choice(codes)
        subject, reporter = next(subjects), next(relatives)
        details: dict[str, str] = {}
        vessel = company = ""
        if code == "vessel_detained":
            vessel = f"{rng.choice(_VESSEL)} {rng.randrange(1, 99)}"
            details = {
                "vessel_name": vessel,
                "registration_number": f"{rng.choice(_PROVINCE)}-{rng.randrange(10**5):05d}-TS",
            }
        elif code == "legal_entity":
            company = f"Công ty TNHH {rng.choice(_SECTOR)} {rng.choice(_COMPANY)}"
            details = {"company_name": company}
        description = _DESCRIPTIONS[code].format(
            name=subject.full_name, city=subject.city, vessel=vessel, company=company
        )
        phone = f"+84 9{rng.randrange(10**8):08d}"
        at += step * rng.uniform(0.5, 1.5)
        at = min(at, end)
        yield Synthetic(code, subject, reporter, phone, details, description, at)


def load(
    conn: Connection,
    n: int,
    *,
    seed: int = 1,
    until: datetime | None = None,
    done: Callable[[int], None] | None = None,
) -> int:
    """Append n synthetic cases to a migrated database with missions and case types loaded,
    committing every ``BATCH``; returns how many were written."""
    types = dict(conn.execute(select(CaseType.code, CaseType.id)).all())
    missions = dict(conn.execute(select(Mission.code, Mission.id)).all())
    counters = dict(conn.execute(select(CaseCounter.year, CaseCounter.last)).all())
    case_id = conn.scalar(select(func.max(Case.id))) or 0
    person_id = max(
        conn.scalar(select(func.max(CaseSubject.id))) or 0,
        conn.scalar(select(func.max(CaseReporter.id))) or 0,
    )
    pin = hash_pin("000000")  # nobody tracks a synthetic case
    stream = cases(seed, n=n, until=until)
    written = 0
    while written < n:
        rows: dict[str, list[dict[str, Any]]] = {"case": [], "subject": [], "reporter": []}
        tokens: list[tuple[int, int, int | None, int]] = []
        for _ in range(min(BATCH, n - written)):
            case = next(stream)
            case_id, person_id = case_id + 1, person_id + 1
            year = case.opened.year
            counters[year] = counters.get(year, 0) + 1
            number = f"BH-{year}-{counters[year]:06d}"
            mission = missions.get(mission_for(case.subject.country, case.subject.city) or "")
            rows["case"].append(_case_row(case, case_id, number, types, mission))
            rows["subject"].append(
                {
                    "id": person_id,
                    "case_id": case_id,
                    "full_name": case.subject.full_name,
                    "date_of_birth": case.subject.born.isoformat(),
                    "name_key": fold(case.subject.full_name),
                }
            )
            rows["reporter"].append(
                {
                    "id": person_id,
                    "case_id": case_id,
                    "name": case.reporter.full_name,
                    "phone": case.phone,
                    "channel": Channel.hotline,
                    "pin_hash": pin,
                    "created_at": case.opened,
                }
            )
            text = search.CaseText(
                number,
                mission,
                [case.subject.full_name],
                [(case.reporter.full_name, case.phone)],
                case.details,
                case.description,
            )
            tokens += search.token_rows(case_id, text)
        conn.execute(insert(Case), rows["case"])
        conn.execute(insert(CaseSubject), rows["subject"])
        conn.execute(insert(CaseReporter), rows["reporter"])
        _insert_tokens(conn, tokens)
        _save_counters(conn, counters)
        conn.commit()
        written += len(rows["case"])
        if done:
            done(written)
    _advance_sequences(conn)
    return written


def _case_row(
    case: Synthetic, case_id: int, number: str, types: dict[str, int], mission: int | None
) -> dict[str, Any]:
    old = case.opened < datetime.now(UTC) - timedelta(days=90)
    return {
        "id": case_id,
        "number": number,
        "case_type_id": types[case.case_type],
        "status": Status.closed if old else Status.in_progress,
        "severity": Severity.liberty,
        "country": case.subject.country,
        "city": case.subject.city,
        "mission_id": mission,
        "channel": Channel.hotline,
        "description": case.description,
        "details": case.details,
        "triage": {},
        "created_at": case.opened,
        "updated_at": case.opened,
        "settled_at": case.opened,
        "closed_at": case.opened + timedelta(days=30) if old else None,
    }


def _insert_tokens(conn: Connection, rows: list[tuple[int, int, int | None, int]]) -> None:
    rows.sort()  # b-tree pages filled in order
    insert_rows(conn, CaseToken.__tablename__, search.TOKEN_COLUMNS, rows)


def _save_counters(conn: Connection, counters: dict[int, int]) -> None:
    conn.execute(delete(CaseCounter))
    conn.execute(insert(CaseCounter), [{"year": y, "last": n} for y, n in counters.items()])


def _advance_sequences(conn: Connection) -> None:
    """PostgreSQL's id sequences past the ids given here, so later intake does not collide."""
    if conn.dialect.name != "postgresql":
        return
    for model in (Case, CaseSubject, CaseReporter):
        table = model.__tablename__
        sequence = func.pg_get_serial_sequence(table, "id")
        conn.execute(select(func.setval(sequence, select(func.max(model.id)).scalar_subquery())))
    conn.commit()
