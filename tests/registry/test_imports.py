"""A mission imports its spreadsheet: every encoding it comes in, nothing lost, nothing twice."""

from collections.abc import Callable
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.platform.models import User
from kieubao.registry.actions.imports import begin, import_batch, start_import
from kieubao.registry.imports import neutralise, open_table
from kieubao.registry.jobs import run_import
from kieubao.registry.models import Citizen
from tests.registry.spreadsheets import (
    TOKYO_WORKERS,
    VIETNAMESE_HEADERS,
    csv_bytes,
    windows_1258,
    xlsx_bytes,
)

Api = Callable[[User | None], TestClient]


def _upload(client: TestClient, name: str, data: bytes) -> dict[str, object]:
    response = client.post("/api/v1/citizens/imports", files={"file": (name, BytesIO(data))})
    assert response.status_code == 202, response.text
    done = client.get(f"/api/v1/citizens/imports/{response.json()['id']}")
    return dict(done.json())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_a_mission_spreadsheet_in_any_encoding(
    api: Api, tokyo_officer: User, session: Session, encoding: str
) -> None:
    data = csv_bytes([VIETNAMESE_HEADERS, *TOKYO_WORKERS], encoding, delimiter=";")
    result = _upload(api(tokyo_officer), f"tokyo-{encoding}.csv", data)
    assert result["status"] == "done"
    assert (result["created"], result["matched"], result["rejected"]) == (3, 0, 0)
    huyen = session.scalar(select(Citizen).where(Citizen.external_ref == "TYO-0001"))
    assert huyen is not None
    assert huyen.full_name == "Nguyễn Thị Huyền"
    assert huyen.birth_date_text == "1996-03-12"
    assert huyen.sex.value == "female"
    assert huyen.mission_code == "JP-TYO-EMB"


def test_an_xlsx_with_real_dates_and_numbers(api: Api, hq_officer: User, session: Session) -> None:
    from datetime import datetime

    born = datetime(1991, 1, 30)  # noqa: DTZ001 - a spreadsheet's date has no zone
    data = xlsx_bytes(
        [
            ["full_name", "date_of_birth", "country", "city", "phone", "stay_status"],
            ["Lê Minh Tâm", born, "KR", "Busan", 821099990000, "lao động"],
            ["Đỗ Thu Hà", "1999", "Hàn Quốc", "Seoul", None, "du học sinh"],
        ]
    )
    result = _upload(api(hq_officer), "han-quoc.xlsx", data)
    assert (result["created"], result["rejected"]) == (2, 0)
    tam = session.scalar(select(Citizen).where(Citizen.full_name == "Lê Minh Tâm"))
    assert tam is not None
    assert tam.phones == ["821099990000"] and tam.stay_status.value == "worker"
    assert tam.mission_code == "KR-PUS-CG"


def test_bad_rows_are_reported_and_never_stop_the_good_ones(api: Api, hq_officer: User) -> None:
    data = csv_bytes(
        [
            ["full_name", "date_of_birth", "country", "email"],
            ["Vũ Thị Lan", "31/02/1990", "DE", ""],
            ["Hoàng Văn Nam", "1985-04-04", "Atlantis", ""],
            ["Bùi Thị Mai", "1990-01-01", "DE", "not-an-email"],
            ["Đặng Văn Hải", "1979-09-09", "DE", "hai@example.de"],
        ]
    )
    client = api(hq_officer)
    result = _upload(client, "berlin.csv", data)
    assert (result["created"], result["rejected"]) == (1, 3)
    report = client.get(str(result["errors_url"])).text.lstrip("\ufeff").splitlines()
    assert report[0] == "row,column,reason"
    assert report[1] == "2,date_of_birth,31/02/1990 does not exist"
    assert report[2].startswith("3,country,unknown country 'Atlantis'")
    assert report[3].startswith("4,email,")


def test_importing_the_same_file_twice_creates_no_one(
    api: Api, hq_officer: User, session: Session
) -> None:
    data = csv_bytes([VIETNAMESE_HEADERS, *TOKYO_WORKERS])
    client = api(hq_officer)
    first = _upload(client, "tokyo.csv", data)
    count = session.scalar(select(func.count(Citizen.id)))
    again = _upload(client, "tokyo.csv", data)
    assert first["created"] == 3
    assert (again["created"], again["matched"]) == (0, 3)
    assert session.scalar(select(func.count(Citizen.id))) == count


def test_the_same_people_without_references_are_matched_not_duplicated(
    api: Api, hq_officer: User
) -> None:
    rows = [["Họ và tên", "Ngày sinh", "Quốc gia"], ["Nguyễn Thị Huyền", "12/03/1996", "JP"]]
    client = api(hq_officer)
    assert _upload(client, "a.csv", csv_bytes(rows))["created"] == 1
    typed_again = [rows[0], ["Nguyen Thi Huyen", "1996-03-12", "Japan"]]
    assert _upload(client, "b.csv", csv_bytes(typed_again))["matched"] == 1


def test_a_mission_officer_imports_only_within_their_jurisdiction(
    api: Api, tokyo_officer: User
) -> None:
    rows = [["full_name", "country"], ["Ngô Văn Sáu", "JP"], ["Ngô Văn Bảy", "FR"]]
    client = api(tokyo_officer)
    result = _upload(client, "mixed.csv", csv_bytes(rows))
    assert (result["created"], result["rejected"]) == (1, 1)
    assert "outside your mission" in client.get(str(result["errors_url"])).text


def test_a_file_without_names_is_refused_at_once(api: Api, hq_officer: User) -> None:
    response = api(hq_officer).post(
        "/api/v1/citizens/imports", files={"file": ("x.csv", BytesIO(b"country,city\nJP,Tokyo\n"))}
    )
    assert response.status_code == 422
    assert "full_name" in response.json()["detail"]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "XLSX"),
        ("binary.csv", b"full_name\x00\x01\x02", "NUL"),
        ("empty.csv", b"", "empty"),
        ("notes.pdf", b"%PDF-1.4", "CSV or XLSX"),
    ],
)
def test_files_that_cannot_be_read_say_why(
    api: Api, hq_officer: User, name: str, data: bytes, reason: str
) -> None:
    response = api(hq_officer).post(
        "/api/v1/citizens/imports", files={"file": (name, BytesIO(data))}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert reason in response.json()["detail"]


def test_an_oversized_file_is_refused(
    api: Api, hq_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kieubao.platform.settings import get_settings

    monkeypatch.setattr(get_settings(), "import_max_bytes", 100)
    data = csv_bytes([VIETNAMESE_HEADERS, *TOKYO_WORKERS * 10])
    response = api(hq_officer).post(
        "/api/v1/citizens/imports", files={"file": ("big.csv", BytesIO(data))}
    )
    assert response.status_code == 422
    assert "larger than" in response.json()["detail"]


def test_the_error_report_never_carries_a_formula(api: Api, hq_officer: User) -> None:
    rows = [["=full_name", "country"], ["Lê Văn Hoà", "=cmd|' /C calc'!A0"]]
    client = api(hq_officer)
    result = _upload(client, "evil.csv", csv_bytes(rows))
    report = client.get(str(result["errors_url"])).text
    assert result["rejected"] == 1
    assert "\n2,'=full_name," not in report  # the name was fine; the country was not
    assert "=cmd" in report and ",=" not in report.replace("'=", "")
    assert neutralise("=SUM(A1)") == "'=SUM(A1)" and neutralise("@x") == "'@x"
    assert neutralise("Nguyễn") == "Nguyễn"


def test_a_crashed_import_resumes_without_doing_a_row_twice(
    session: Session, hq_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from itertools import islice

    from kieubao.platform import missions
    from kieubao.platform.deps import scope_of
    from kieubao.registry.actions import imports as import_actions
    from kieubao.registry.synthetic import people

    monkeypatch.setattr(import_actions, "BATCH", 10)
    rows = [["full_name", "date_of_birth", "country", "city", "external_ref"]]
    rows += [
        [p.full_name, p.born.isoformat(), p.country, p.city, p.ref] for p in islice(people(5), 35)
    ]
    # Queue it without running: the worker "crashes" after the first batch.
    monkeypatch.setattr("kieubao.platform.jobs.enqueue", lambda *a, **k: None)
    job = start_import(session, acting_user=hq_officer, filename="big.csv", data=csv_bytes(rows))
    table = begin(session, job)
    assert table is not None and job.total_rows == 35
    import_batch(
        session,
        acting_user=hq_officer,
        job=job,
        table=table,
        rows=table.rows,
        scope=scope_of(hq_officer),
        missions=missions.directory(session),
    )
    assert job.rows_done == 10
    run_import(import_id=job.id)
    session.refresh(job)
    assert (job.status, job.rows_done, job.created) == ("done", 35, 35)
    refs = session.scalars(
        select(Citizen.external_ref).where(Citizen.external_ref.like("SYN-5-%"))
    ).all()
    assert len(refs) == len(set(refs)) == 35
    run_import(import_id=job.id)  # a second run of a finished import does nothing
    session.refresh(job)
    assert job.created == 35


VIETNAMESE_TEXT = st.text(
    alphabet=st.sampled_from(
        list(
            "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ ,;\"'"
            "áàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệóòỏõọốồổỗộớờởỡợúùủũụứừửữựíìỉĩịýỳỷỹỵ"
        )
    ),
    max_size=20,
)


@given(
    table=st.lists(st.lists(VIETNAMESE_TEXT, min_size=2, max_size=2), min_size=1, max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]),
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_table_reads_back_as_written(
    tmp_path_factory: pytest.TempPathFactory, table: list[list[str]], encoding: str
) -> None:
    import unicodedata

    rows = [["full_name", "city"], *table]
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(csv_bytes(rows, encoding))
    read = open_table(path, "t.csv")
    expected = [[unicodedata.normalize("NFC", c).strip() for c in row] for row in table]
    got = [cells for _, cells in read.rows]
    assert got == [row for row in expected if any(c for c in row)]


def test_windows_1258_really_uses_combining_tones() -> None:
    assert windows_1258("ễ") == b"\xea\xde"


def test_the_command_line_import_waits_with_progress(session: Session, tmp_path: object) -> None:
    from pathlib import Path

    from typer.testing import CliRunner

    from kieubao.cli import build

    sheet = Path(str(tmp_path)) / "osaka.csv"
    sheet.write_bytes(csv_bytes([VIETNAMESE_HEADERS, *TOKYO_WORKERS]))
    result = CliRunner().invoke(build(), ["registry", "import", str(sheet), "--wait"])
    assert result.exit_code == 0, result.output
    assert "done: 3 rows, 3 created, 0 matched existing, 0 rejected" in result.output
