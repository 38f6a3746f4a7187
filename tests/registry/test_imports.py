"""A mission imports its spreadsheet: every encoding it comes in, nothing lost, nothing twice."""

import codecs
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import datetime
from io import BytesIO
from itertools import islice
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.platform.models import User
from kieubao.platform.settings import get_settings
from kieubao.platform.text import neutralise
from kieubao.registry import synthetic
from kieubao.registry.actions import imports as import_actions
from kieubao.registry.actions.imports import import_batch, open_import, start_import
from kieubao.registry.imports import open_table
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
Rows = list[list[str]]


def _upload(client: TestClient, name: str, data: bytes) -> dict[str, object]:
    response = client.post("/api/v1/citizens/imports", files={"file": (name, BytesIO(data))})
    assert response.status_code == 202, response.text
    done = client.get(f"/api/v1/citizens/imports/{response.json()['id']}")
    return dict(done.json())


def _report(client: TestClient, result: dict[str, object]) -> list[str]:
    report: str = client.get(str(result["errors_url"])).text
    return report.lstrip("\ufeff").splitlines()


def _synthetic_rows(count: int, seed: int) -> Rows:
    rows = [["full_name", "date_of_birth", "country", "city", "external_ref"]]
    people = islice(synthetic.people(seed), count)
    return rows + [[p.full_name, p.born.isoformat(), p.country, p.city, p.ref] for p in people]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("utf-16-be", ";"), ("cp1258", ";")],
)
def test_a_mission_spreadsheet_in_any_encoding(
    api: Api, tokyo_officer: User, session: Session, encoding: str, delimiter: str
) -> None:
    data = csv_bytes([VIETNAMESE_HEADERS, *TOKYO_WORKERS], encoding, delimiter=delimiter)
    result = _upload(api(tokyo_officer), f"tokyo-{encoding}.csv", data)
    assert result["status"] == "done"
    assert (result["created"], result["matched"], result["rejected"]) == (3, 0, 0)
    huyen = session.scalar(select(Citizen).where(Citizen.external_ref == "TYO-0001"))
    assert huyen is not None
    assert huyen.full_name == "Nguyễn Thị Huyền"
    assert huyen.birth_date_text == "1996-03-12"
    assert huyen.sex.value == "female"
    assert huyen.mission_code == "JP-TYO-EMB"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("full_name,city\r\nJoão Conceição,São Paulo\r\n", "cp1252"),
        ("full_name,city\r\nJón Þórsson,Reykjavík\r\n", "cp1252"),
        ("full_name,city\r\nĐinh Văn Đông,Đà Nẵng\r\n", "cp1258"),
        ("full_name,city\r\nĐinh Văn,Cần Thơ\r\n", "cp1258"),
    ],
)
def test_legacy_windows_files_are_told_apart(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes(windows_1258(text) if encoding == "cp1258" else text.encode(encoding))
    [(_, row)] = list(open_table(path, "legacy.csv").rows)
    assert row == dict(zip(["full_name", "city"], text.split("\r\n")[1].split(","), strict=True))


def test_bytes_no_windows_code_page_knows_are_read_as_latin_1(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"full_name,city\r\nAn\x8d,Hu\xe9\r\n")
    [(_, row)] = list(open_table(path, "odd.csv").rows)
    assert row == {"full_name": "An\x8d", "city": "Hué"}


def test_an_xlsx_with_real_dates_and_numbers(api: Api, hq_officer: User, session: Session) -> None:
    born = datetime(1991, 1, 30)  # noqa: DTZ001 - a spreadsheet's date has no zone
    data = xlsx_bytes(
        [
            ["full_name", "date_of_birth", "country", "city", "phone", "stay_status"],
            ["Lê Minh Tâm", born, "KR", "Busan", 821099990000, "lao động"],
            [None, None, None, None, None, None],
            ["Đỗ Thu Hà", "1999", "Hàn Quốc", "Seoul", None, "du học sinh"],
        ]
    )
    result = _upload(api(hq_officer), "han-quoc.xlsx", data)
    assert (result["rows_done"], result["created"], result["rejected"]) == (2, 2, 0)
    tam = session.scalar(select(Citizen).where(Citizen.full_name == "Lê Minh Tâm"))
    assert tam is not None
    assert tam.phones == ["821099990000"] and tam.stay_status.value == "worker"
    assert tam.mission_code == "KR-PUS-CG"


def test_bad_rows_are_reported_and_never_stop_the_good_ones(api: Api, hq_officer: User) -> None:
    data = csv_bytes(
        [
            ["Họ và tên", "Ngày sinh", "Quốc gia", "Email", "Vĩ độ", "Giới tính"],
            ["Vũ Thị Lan", "31/02/1990", "DE", "", "", "Nữ"],
            ["Hoàng Văn Nam", "1985-04-04", "Atlantis", "", "", "Nam"],
            ["Bùi Thị Mai", "1990-01-01", "DE", "not-an-email", "", ""],
            ["Đặng Văn Hải", "1979-09-09", "DE", "hai@example.de", "52.52", "Nam"],
            ["Lý Văn Tư", "1979-09-09", "DE", "", "200", "?"],
        ]
    )
    client = api(hq_officer)
    result = _upload(client, "berlin.csv", data)
    assert (result["rows_done"], result["created"], result["rejected"]) == (5, 1, 4)
    report = _report(client, result)
    assert report[0] == "row,column,reason"
    assert report[1] == "2,Ngày sinh,31/02/1990 does not exist"
    assert report[2] == "3,Quốc gia,unknown country 'Atlantis'"
    assert report[3].startswith("4,Email,")
    assert report[4].startswith("6,Giới tính,") and report[5].startswith("6,Vĩ độ,")


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
    typed_again = [["Ho ten", "ngay sinh", "QUOC GIA"], ["Nguyen Thi Huyen", "1996-03-12", "Japan"]]
    assert _upload(client, "b.csv", csv_bytes(typed_again))["matched"] == 1


def test_the_same_person_twice_in_one_file_is_registered_once(
    api: Api, hq_officer: User, session: Session
) -> None:
    """A batch's people are matched together, against the registry as the batch began: the
    second line of the same person must still find the first, registered a moment before."""
    rows = [
        ["Họ và tên", "Ngày sinh", "Quốc gia"],
        ["Nguyễn Thị Huyền", "12/03/1996", "JP"],
        ["Trần Văn Nam", "01/01/1990", "JP"],
        ["Nguyen Thi Huyen", "1996-03-12", "Japan"],
    ]
    result = _upload(api(hq_officer), "tokyo.csv", csv_bytes(rows))
    assert (result["created"], result["matched"], result["rejected"]) == (2, 1, 0)
    names = session.scalars(select(Citizen.full_name).order_by(Citizen.id))
    assert list(names) == ["Nguyễn Thị Huyền", "Trần Văn Nam"]


def test_a_mission_officer_imports_only_within_their_jurisdiction(
    api: Api, tokyo_officer: User, session: Session
) -> None:
    rows = [["full_name", "country"], ["Ngô Văn Sáu", "JP"], ["Ngô Văn Bảy", "FR"]]
    client = api(tokyo_officer)
    result = _upload(client, "mixed.csv", csv_bytes(rows))
    assert (result["created"], result["rejected"]) == (1, 1)
    assert _report(client, result)[1] == "3,country,FR is outside your mission's jurisdiction"
    # The embassy's own list names no country: it is the mission's one country.
    result = _upload(client, "tokyo.csv", csv_bytes([["Họ tên"], ["Ngô Văn Tám"]]))
    assert result["created"] == 1
    tam = session.scalar(select(Citizen).where(Citizen.full_name == "Ngô Văn Tám"))
    assert tam is not None and tam.country == "JP"


def test_unknown_columns_are_reported_once_and_ignored(api: Api, hq_officer: User) -> None:
    rows = [["full_name", "country", "Ghi chú", "shoe size"], ["Phan Văn Út", "JP", "x", "42"]]
    client = api(hq_officer)
    result = _upload(client, "notes.csv", csv_bytes(rows))
    assert (result["created"], result["rejected"]) == (1, 0)
    assert _report(client, result)[1:] == ['0,,"columns ignored: Ghi chú, shoe size"']


def test_a_file_without_names_is_refused_at_once(api: Api, hq_officer: User) -> None:
    response = api(hq_officer).post(
        "/api/v1/citizens/imports", files={"file": ("x.csv", BytesIO(b"country,city\nJP,Tokyo\n"))}
    )
    assert response.status_code == 422
    assert "full_name" in response.json()["detail"]
    assert not list(get_settings().var_path("imports").parent.glob("imports/.*"))


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


def test_a_quote_never_closed_is_reported_and_the_rows_before_it_kept(
    api: Api, hq_officer: User
) -> None:
    data = (
        b'full_name,country\r\nTr\xc6\xb0\xc6\xa1ng V\xc4\x83n A,JP\r\n"L\xc3\xaa B,JP\r\nC,JP\r\n'
    )
    client = api(hq_officer)
    result = _upload(client, "quote.csv", data)
    assert (result["status"], result["created"], result["rejected"]) == ("done", 1, 1)
    assert _report(client, result)[1] == '3,,"a quote ("") opened in this row is never closed"'


def test_an_oversized_file_is_refused(
    api: Api, hq_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "import_max_bytes", 100)
    data = csv_bytes([VIETNAMESE_HEADERS, *TOKYO_WORKERS * 10])
    response = api(hq_officer).post(
        "/api/v1/citizens/imports", files={"file": ("big.csv", BytesIO(data))}
    )
    assert response.status_code == 422
    assert "larger than" in response.json()["detail"]


def test_the_error_report_never_carries_a_formula(api: Api, hq_officer: User) -> None:
    rows = [["Họ tên", "=Quốc gia"], ["Lê Văn Hoà", "=cmd|' /C calc'!A0"]]
    client = api(hq_officer)
    result = _upload(client, "evil.csv", csv_bytes(rows))
    assert result["rejected"] == 1
    assert _report(client, result)[1] == "2,'=Quốc gia,unknown country '=cmd|' /C calc'!A0'"
    assert neutralise("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert neutralise("=SUM(A1)") == "'=SUM(A1)" and neutralise("@x") == "'@x"
    assert neutralise("\tx") == "'\tx" and neutralise("-1+2") == "'-1+2"
    assert neutralise("\rx") == "'\rx" and neutralise("+84") == "'+84"
    assert neutralise("Nguyễn") == "Nguyễn"


def _queue_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs are not started: the test plays the worker (and its crash)."""
    monkeypatch.setattr(import_actions, "enqueue", lambda *a, **k: None)


def test_progress_is_counted_while_the_import_runs(
    session: Session, hq_officer: User, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    _queue_only(monkeypatch)
    monkeypatch.setattr(import_actions, "BATCH", 10)
    rows = _synthetic_rows(25, seed=7)
    job = start_import(session, acting_user=hq_officer, filename="p.csv", data=csv_bytes(rows))
    table = open_import(session, acting_user=hq_officer, job=job)
    assert table is not None and (job.status, job.total_rows) == ("running", 25)
    assert import_batch(session, acting_user=hq_officer, job=job, table=table)
    console = api(hq_officer)
    page = console.get(f"/console/imports/{job.id}").text
    assert 'max="25" value="10"' in page and 'hx-trigger="every 1s"' in page
    listed = console.get("/console/imports?lang=en").text
    assert "p.csv" in listed and "10 / 25" in listed and ">Running<" in listed
    while import_batch(session, acting_user=hq_officer, job=job, table=table):
        pass
    assert (job.status, job.rows_done, job.created, job.finished_at is not None) == (
        "done",
        25,
        25,
        True,
    )
    polled = console.get(f"/console/imports/{job.id}", headers={"HX-Request": "true"}).text
    assert polled.lstrip().startswith("<section") and "hx-trigger" not in polled
    assert "errors.csv" in polled


def test_a_crashed_import_resumes_without_doing_a_row_twice(
    session: Session, hq_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _queue_only(monkeypatch)
    monkeypatch.setattr(import_actions, "BATCH", 10)
    rows = _synthetic_rows(35, seed=5)
    job = start_import(session, acting_user=hq_officer, filename="big.csv", data=csv_bytes(rows))
    table = open_import(session, acting_user=hq_officer, job=job)
    assert table is not None
    import_batch(session, acting_user=hq_officer, job=job, table=table)
    assert job.rows_done == 10  # and then the worker dies
    run_import(import_id=job.id)
    session.refresh(job)
    assert (job.status, job.rows_done, job.total_rows, job.created) == ("done", 35, 35, 35)
    refs = session.scalars(
        select(Citizen.external_ref).where(Citizen.external_ref.like("SYN-5-%"))
    ).all()
    assert len(refs) == len(set(refs)) == 35
    run_import(import_id=job.id)  # a second run of a finished import does nothing
    session.refresh(job)
    assert job.created == 35


def test_a_workbook_that_breaks_off_midway_fails_and_keeps_what_came_before(
    session: Session, hq_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _queue_only(monkeypatch)
    monkeypatch.setattr(import_actions, "BATCH", 10)
    whole = xlsx_bytes([list[object](row) for row in _synthetic_rows(40, seed=9)])
    broken = BytesIO()
    with zipfile.ZipFile(BytesIO(whole)) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) * 2 // 3]  # cut inside the rows
            target.writestr(item, content)
    job = start_import(session, acting_user=hq_officer, filename="cut.xlsx", data=broken.getvalue())
    run_import(import_id=job.id, locale="en")
    session.refresh(job)
    assert job.status == "failed" and job.error and "damaged" in job.error
    assert 10 <= job.rows_done < 40 and job.created == job.rows_done


NAME_WORDS = sorted(
    {w for name, _ in synthetic.SURNAMES for w in name.split()}
    | {w for names in synthetic.MIDDLE.values() for name, _ in names for w in name.split()}
    | {w for names in synthetic.GIVEN.values() for w in names}
)
VIETNAMESE_CELL = st.lists(
    st.sampled_from([*NAME_WORDS, ",", ";", '"', "'", "\r\n", "-", "1990"]), max_size=6
).map(" ".join)
# Western European names as a Windows-1252 file from a host authority writes them.
LATIN_WORDS = "João São Paulo Conceição Camões Müller Straße François Señora Niccolò così Città"
LATIN_CELL = st.lists(
    st.sampled_from([*LATIN_WORDS.split(), *'Jón Þórsson Zoë Ærø 1990 , ; "'.split()]),
    max_size=6,
).map(" ".join)
ANY_CELL = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20)


@given(
    table=st.one_of(
        st.tuples(
            st.lists(st.lists(ANY_CELL, min_size=2, max_size=2), min_size=1, max_size=8),
            st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be"]),
        ),
        st.tuples(
            st.lists(st.lists(VIETNAMESE_CELL, min_size=2, max_size=2), min_size=1, max_size=8),
            st.just("cp1258"),
        ),
        st.tuples(
            st.lists(st.lists(LATIN_CELL, min_size=2, max_size=2), min_size=1, max_size=8),
            st.just("cp1252"),
        ),
    ),
)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_table_reads_back_as_written(
    tmp_path_factory: pytest.TempPathFactory, table: tuple[Rows, str]
) -> None:
    cells, encoding = table
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(csv_bytes([["full_name", "city"], *cells], encoding))
    expected = [[unicodedata.normalize("NFC", c).strip() for c in row] for row in cells]
    read = [values for _, values in open_table(path, "t.csv").rows]
    assert all(isinstance(values, dict) for values in read)
    got = [[v["full_name"], v["city"]] for v in read if isinstance(v, dict)]
    assert got == [row for row in expected if any(row)]


def test_windows_1258_really_uses_combining_tones() -> None:
    assert windows_1258("ễ") == b"\xea\xde"
    assert csv_bytes([["a"]], "utf-16-be").startswith(codecs.BOM_UTF16_BE)


def test_the_command_line_import_waits_with_progress(session: Session, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kieubao.cli import build

    sheet = tmp_path / "osaka.csv"
    sheet.write_bytes(csv_bytes([VIETNAMESE_HEADERS, *TOKYO_WORKERS]))
    result = CliRunner().invoke(build(), ["registry", "import", str(sheet), "--wait"])
    assert result.exit_code == 0, result.output
    assert "done: 3 rows, 3 created, 0 matched existing, 0 rejected" in result.output
