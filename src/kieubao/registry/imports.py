"""Reading a mission's spreadsheet: CSV in whatever encoding it was saved in, or XLSX.

Rows are read lazily (a file of a million rows is never held in memory) and each becomes a
registration or a list of errors that name the row as the spreadsheet numbers it, the
column as the file heads it, and the reason.
"""

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kieubao.platform.i18n import gettext as _
from kieubao.platform.text import fold
from kieubao.registry.schemas import CitizenIn

SAMPLE = 256 * 1024
MAX_FIELD = 10_000
COLUMNS = (
    "external_ref",
    "full_name",
    "sex",
    "date_of_birth",
    "country",
    "city",
    "phone",
    "email",
    "passport_no",
    "latitude",
    "longitude",
    "stay_status",
)
# Headers as missions write them, folded: English and Vietnamese.
ALIASES = {
    "external_ref": ["external ref", "ref", "reference", "ma", "ma ho so", "so ho so", "id"],
    "full_name": ["full name", "name", "ho va ten", "ho ten", "ten", "họ và tên"],
    "sex": ["gender", "gioi tinh", "phai"],
    "date_of_birth": [
        "dob",
        "birth date",
        "date of birth",
        "ngay sinh",
        "ngay thang nam sinh",
        "nam sinh",
    ],
    "country": ["quoc gia", "nuoc", "nuoc so tai", "country code"],
    "city": ["thanh pho", "tinh thanh", "noi o", "town"],
    "phone": ["phone number", "telephone", "mobile", "so dien thoai", "dien thoai", "sdt"],
    "email": ["e mail", "thu dien tu"],
    "passport_no": ["passport", "passport number", "so ho chieu", "ho chieu"],
    "latitude": ["lat", "vi do"],
    "longitude": ["lon", "lng", "long", "kinh do"],
    "stay_status": ["stay", "status", "dien cu tru", "tinh trang cu tru", "dien luu tru"],
}
HEADERS = {fold(a): column for column, names in ALIASES.items() for a in [column, *names]}
SEXES = {
    "nam": "male",
    "m": "male",
    "male": "male",
    "nu": "female",
    "f": "female",
    "female": "female",
    "khac": "other",
    "other": "other",
}
STAYS = {
    "lao dong": "worker",
    "xuat khau lao dong": "worker",
    "du hoc sinh": "student",
    "du hoc": "student",
    "sinh vien": "student",
    "thuong tru": "resident",
    "dinh cu": "resident",
    "du lich": "tourist",
    "thuyen vien": "crew",
    "ngu dan": "crew",
    "khong giay to": "undocumented",
    "cu tru bat hop phap": "undocumented",
}


class FileProblem(ValueError):
    """The file as a whole cannot be read; nothing is imported from it."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class Table:
    headers: list[str]  # as the file writes them
    columns: dict[int, str]  # position -> our column
    rows: Iterator[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)
    ignored: list[str] = field(default_factory=list)


def open_table(path: Path, filename: str) -> Table:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _table(*_xlsx_rows(path))
    return _table(*_csv_rows(path))


def count_rows(path: Path, filename: str) -> int:
    return sum(1 for _ in open_table(path, filename).rows)


def _table(headers: list[str], rows: Iterator[tuple[int, list[str]]]) -> Table:
    columns: dict[int, str] = {}
    ignored = []
    for i, header in enumerate(headers):
        column = HEADERS.get(fold(header))
        if column is None or column in columns.values():
            if header.strip():
                ignored.append(header)
            continue
        columns[i] = column
    if "full_name" not in columns.values():
        raise FileProblem(
            _("the file has no full_name column (its headers: {headers})").format(
                headers=", ".join(h for h in headers if h) or "none"
            )
        )
    return Table(headers, columns, rows, ignored)


def _encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Legacy Windows files: Vietnamese (1258) unless its tone marks would land where no
    # Vietnamese letter stands, which is Western European (1252) text.
    text = sample.decode("cp1258", errors="replace")
    misplaced = any(
        unicodedata.combining(ch) and (i == 0 or not text[i - 1].isalpha())
        for i, ch in enumerate(text)
    )
    return "cp1252" if misplaced else "cp1258"


def _csv_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    with path.open("rb") as raw:
        sample = raw.read(SAMPLE)
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem(_("the file is not text (it holds NUL bytes): save it as CSV or XLSX"))
    encoding = _encoding(sample)
    header_line = sample.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()[:1]
    # The header line says the delimiter: Excel writes ';' where ',' is the decimal mark.
    delimiter = max(",;\t|", key=lambda d: header_line[0].count(d) if header_line else 0)
    stream = io.TextIOWrapper(path.open("rb"), encoding=encoding, errors="replace", newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        headers = [_clean(h) for h in next(reader)]
    except StopIteration:
        stream.close()
        raise FileProblem(_("the file is empty")) from None
    except csv.Error as exc:
        stream.close()
        raise FileProblem(_("the file is not a readable CSV: {reason}").format(reason=exc)) from exc

    def rows() -> Iterator[tuple[int, list[str]]]:
        with stream:
            number = 1
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    number += 1
                    yield number, [f"\x00{exc}"]
                    continue
                number += 1
                if any(c.strip() for c in cells):
                    yield number, [_clean(c) for c in cells]

    return headers, rows()


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise FileProblem(
            _("the file is not a readable XLSX workbook: {reason}").format(reason=exc)
        ) from exc
    sheet = book.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    try:
        headers = [_cell(v) for v in next(cells)]
    except StopIteration:
        book.close()
        raise FileProblem(_("the file is empty")) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(cells, start=2):
                row = [_cell(v) for v in values]
                if any(row):
                    yield number, row
        finally:
            book.close()

    return headers, rows()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers and references typed as numbers
    return _clean(str(value))


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def registration(table: Table, number: int, cells: list[str]) -> CitizenIn | list[RowError]:
    """One row as a registration, or what is wrong with it, column by column."""
    if len(cells) == 1 and cells[0].startswith("\x00"):
        return [
            RowError(number, "", _("the line cannot be read: {reason}").format(reason=cells[0][1:]))
        ]
    values: dict[str, str] = {}
    header_of: dict[str, str] = {}
    errors = []
    for position, column in table.columns.items():
        value = cells[position] if position < len(cells) else ""
        header_of[column] = table.headers[position]
        if "\ufffd" in value:
            errors.append(
                RowError(
                    number,
                    table.headers[position],
                    _("characters that are not in the file's encoding"),
                )
            )
        elif len(value) > MAX_FIELD:
            errors.append(RowError(number, table.headers[position], _("the value is too long")))
        elif value:
            values[column] = value
    if errors:
        return errors
    payload: dict[str, Any] = {
        k: v for k, v in values.items() if k not in ("phone", "sex", "stay_status")
    }
    if "phone" in values:
        payload["phones"] = [values["phone"]]
    if "sex" in values:
        payload["sex"] = SEXES.get(fold(values["sex"]), values["sex"])
    if "stay_status" in values:
        payload["stay_status"] = STAYS.get(fold(values["stay_status"]), fold(values["stay_status"]))
    if "country" not in payload:
        return [RowError(number, "country", _("the country is missing"))]
    try:
        return CitizenIn.model_validate(payload)
    except ValidationError as exc:
        found = []
        for error in exc.errors():
            column = str(error["loc"][0]) if error["loc"] else ""
            column = "phone" if column == "phones" else column
            found.append(
                RowError(
                    number,
                    header_of.get(column, column),
                    str(error["msg"]).removeprefix("Value error, "),
                )
            )
        return found


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula is written as text instead."""
    return f"'{cell}" if cell.startswith(FORMULA_START) else cell
