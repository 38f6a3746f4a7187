"""A corpus of hostile input, each item refused or made harmless: oversized bodies, script in
text, formulas and direction overrides in names, look-alike alphabets, SQL metacharacters,
paths in file names. (Hostile XML — bombs, XXE, DTDs — is proved on the feed parsers, in
tests/crisis/test_feeds_hostile.py.)"""

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.platform.guard import MAX_BODY
from kieubao.platform.models import User
from kieubao.platform.settings import get_settings
from kieubao.protection.actions import load_case_types
from kieubao.registry.models import Citizen
from tests.personas import SYSTEM


def _case(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "case_type": "lost_documents",
        "country": "JP",
        "description": "Mất hộ chiếu ở ga Shinjuku.",
        "reporter": {"name": "Trần Thị Mai", "phone": "+84 912 345 678"},
        "subject": {"full_name": "Lê Văn Hùng", "date_of_birth": "1998-03-02"},
    }
    body.update(overrides)
    return body


def test_a_body_larger_than_allowed_is_refused_before_it_is_read(app_client: TestClient) -> None:
    huge = {**_case(), "description": "x" * (MAX_BODY + 1)}
    answer = app_client.post("/api/v1/cases", json=huge)
    assert answer.status_code == 413
    assert answer.json()["title"] == "Content too large"


def test_a_large_body_sent_without_its_length_is_refused_as_it_streams(
    app_client: TestClient,
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"description": "'
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    answer = app_client.post(
        "/api/v1/cases", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("<script>alert(1)</script>", "letters"),
        ('=HYPERLINK("http://evil","An")', "letters"),  # a formula waiting for a spreadsheet
        ("Nguyễn\u202eVăn An", "letters"),  # a right-to-left override reversing what follows
        ("Nguyễn V\u0430n An", "alphabets"),  # a Cyrillic а among Latin letters
        ("Robert'); DROP TABLE citizens;--", "letters"),
    ],
)
def test_names_that_are_no_names_are_refused_with_the_reason(
    api: Callable[[User | None], TestClient], hq_officer: User, name: str, why: str
) -> None:
    answer = api(hq_officer).post(
        "/api/v1/citizens?lang=en", json={"full_name": name, "country": "JP"}
    )
    assert answer.status_code == 422
    assert why in answer.json()["detail"]


def test_script_in_a_report_is_shown_as_text_never_run(
    session: Session,
    app_client: TestClient,
    api: Callable[[User | None], TestClient],
    hq_officer: User,
) -> None:
    load_case_types(session, acting_user=SYSTEM)
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    made = app_client.post("/api/v1/cases", json=_case(description=f"Mất hộ chiếu {payload}"))
    assert made.status_code == 201
    client = api(hq_officer)
    client.headers["Accept"] = "text/html"
    page = client.get(f"/console/cases/{made.json()['case_number']}")
    assert page.status_code == 200
    assert "<script>alert(2)" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(2)" in page.text


def test_sql_metacharacters_in_a_search_are_only_text(
    session: Session,
    api: Callable[[User | None], TestClient],
    hq_officer: User,
    make_citizen: Callable[..., Any],
) -> None:
    make_citizen()
    for q in ("'; DROP TABLE citizens; --", '" OR 1=1 --', "%' OR '1'='1", "\\x00"):
        answer = api(hq_officer).get("/api/v1/citizens", params={"q": q})
        assert answer.status_code == 200 and answer.json()["items"] == []
    assert session.scalar(select(func.count()).select_from(Citizen)) == 1


@pytest.mark.parametrize(
    "filename", ["../../../../tmp/evil.csv", "..\\..\\..\\evil.csv", "/etc/cron.d/evil.csv"]
)
def test_a_path_in_an_uploaded_file_name_writes_nothing_outside_the_imports(
    api: Callable[[User | None], TestClient], hq_officer: User, filename: str
) -> None:
    client = api(hq_officer)
    client.headers["Accept"] = "text/html"
    sheet = "full_name,country\nNguyễn Văn An,JP\n".encode()
    client.post("/console/imports", files={"file": (filename, sheet, "text/csv")})
    imports = get_settings().var_path("imports", "x").parent
    written = [p for p in Path(tempfile.gettempdir()).glob("evil*")] + [
        p for p in Path("/etc/cron.d").glob("evil*")
    ]
    assert written == []
    stored = list(imports.rglob("*.csv"))
    assert stored and all(p.resolve().is_relative_to(imports.resolve()) for p in stored)


def test_a_feed_document_may_be_larger_than_other_bodies(
    api: Callable[[User | None], TestClient], hq_officer: User
) -> None:
    gdacs = Path(__file__).parents[1] / "data/feeds/gdacs/exxamalte_gdacs-rss-7d.xml"
    document = gdacs.read_bytes()  # a real week of GDACS events
    padded = document + b" " * (MAX_BODY - len(document) + 1024)  # past the general limit
    answer = api(hq_officer).post(
        "/api/v1/feeds/ingest?kind=gdacs",
        content=padded,
        headers={"Content-Type": "application/xml"},
    )
    assert answer.status_code == 200, answer.text
