"""Reading a mission's spreadsheet: CSV in whatever encoding it was saved in, or XLSX.

Rows are read lazily (a file of a million rows is never held in memory), each as its row
number and its values by column; each becomes a registration or a list of errors that name
the row as the spreadsheet numbers it, the column as the file heads it, and the reason.
"""

import codecs
import csv
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from kieubao.platform.i18n import gettext as _
from kieubao.platform.text import fold
from kieubao.registry.schemas import CitizenIn

SAMPLE = 256 * 1024
MAX_FIELD = 10_000
XLSX = (".xlsx", ".xlsm")
# Headers as missions write them (folded, so case and tones do not matter): English and
# Vietnamese. The first name of each is the column's own.
ALIASES = {
    "external_ref": ["ref", "reference", "ma", "ma ho so", "so ho so", "id"],
    "full_name": ["full name", "name", "ho va ten", "ho ten", "ten"],
    "sex": ["gender", "gioi tinh", "phai"],
    "date_of_birth": ["dob", "birth date", "date of birth", "ngay sinh", "ngay thang nam sinh"],
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
SEXES = {"nam": "male", "m": "male", "nu": "female", "f": "female", "khac": "other"}
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
# Windows-1258 writes most tones as combining marks after the letter.
_TONE_AFTER = re.compile("(.)[\u0300\u0301\u0303\u0309\u0323]", re.DOTALL)
# Spellings Vietnamese never has, as Portuguese reads in Windows-1258 ("São" becomes "Săo",
# "Camões" "Camơes"): ă ends a syllable only with c, m, n, p or t; ơ is never before a, e, o, y.
_NOT_VIETNAMESE = re.compile("[ăĂ](?![\u0300\u0301\u0303\u0309\u0323]?[cmnptCMNPT])|[ơƠ][aeoyAEOY]")
VOWELS = set("aeiouy")


class FileProblem(ValueError):
    """The file as a whole cannot be read; nothing is imported from it."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str


Values = dict[str, str]
Lines = Generator[tuple[int, list[str] | RowError], None, None]


@dataclass
class Table:
    headers: dict[str, str]  # our column -> the header as the file writes it
    rows: Iterator[tuple[int, Values | RowError]]  # row number as the spreadsheet shows it
    ignored: list[str]
    lines: Lines  # the file's lines, read as ``rows`` is: closing it closes the file

    def header(self, column: str) -> str:
        return self.headers.get(column, column)

    def close(self) -> None:
        self.lines.close()


def open_table(path: Path, filename: str) -> Table:
    """The file's columns, and its rows ready to be read one by one (then ``close`` it,
    or read them to the end)."""
    lines = _lines(path, filename)
    try:
        _header_row, first = next(lines)
    except StopIteration:
        raise FileProblem(_("the file is empty")) from None
    if isinstance(first, RowError):
        lines.close()
        raise FileProblem(_("the file is not a readable CSV: {reason}").format(reason=first.reason))
    headers = [_clean(h) for h in first]
    positions: dict[int, str] = {}
    ignored = []
    for i, header in enumerate(headers):
        column = HEADERS.get(fold(header))
        if column is None or column in positions.values():
            if header:
                ignored.append(header)
            continue
        positions[i] = column
    if "full_name" not in positions.values():
        lines.close()
        raise FileProblem(
            _("the file has no full_name column (its headers: {headers})").format(
                headers=", ".join(h for h in headers if h) or "none"
            )
        )
    columns = {c: headers[i] for i, c in positions.items()}
    return Table(columns, _values(lines, positions), ignored, lines)


def count_rows(path: Path, filename: str) -> int:
    """How many rows the file holds (blank ones aside), as cheaply as the format allows."""
    if filename.lower().endswith(XLSX):
        book = _workbook(path)
        declared = book.worksheets[0].max_row  # the workbook's own dimension, blank rows too
        book.close()
        if declared:
            return max(int(declared) - 1, 0)
    return max(sum(1 for _ in _lines(path, filename)) - 1, 0)


def _lines(path: Path, filename: str) -> Lines:
    """The header as row 1, then every row that is not blank."""
    return _xlsx(path) if filename.lower().endswith(XLSX) else _csv(path)


def _values(lines: Lines, positions: dict[int, str]) -> Iterator[tuple[int, Values | RowError]]:
    for number, cells in lines:
        if isinstance(cells, RowError):
            yield number, cells
        else:
            yield number, {c: _clean(cells[i]) for i, c in positions.items() if i < len(cells)}


def _csv(path: Path) -> Lines:
    try:
        with path.open("rb") as raw:
            sample = raw.read(SAMPLE)
    except OSError as exc:
        raise FileProblem(_("the file cannot be opened: {reason}").format(reason=exc)) from exc
    utf16 = sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in sample and not utf16:
        raise FileProblem(_("the file is not text (it holds NUL bytes): save it as CSV or XLSX"))
    encoding = _encoding(sample)
    first = sample.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()[:1]
    # The header line says the delimiter: Excel writes ';' where ',' is the decimal mark.
    delimiter = max(",;\t|", key=lambda d: first[0].count(d) if first else 0)
    with io.TextIOWrapper(path.open("rb"), encoding=encoding, errors="replace", newline="") as text:
        # Strict: a quote left open is reported, not allowed to swallow the rest of the file.
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        number = 0
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield number, RowError(number, "", _unreadable(str(exc)))
                continue
            if number == 1 or any(c.strip() for c in cells):
                yield number, cells


def _unreadable(reason: str) -> str:
    if "unexpected end of data" in reason:
        return _('a quote (") opened in this row is never closed')
    if "field larger than field limit" in reason:
        return _("a cell is too long (a quote left open?)")
    return _("the line cannot be read: {reason}").format(reason=reason)


def _encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(sample, "utf-8", final=False):  # the sample may end inside a character
        return "utf-8"
    # Legacy Windows files: Vietnamese (1258) or Western European (1252); Latin-1 reads any.
    legacy = [e for e in ("cp1258", "cp1252") if _decodes(sample, e)]
    if len(legacy) < 2:
        return legacy[0] if legacy else "latin-1"
    as_vietnamese = sample.decode("cp1258")
    on_vowels = [fold(m[1]) in VOWELS for m in _TONE_AFTER.finditer(as_vietnamese)]
    evidence = 2 * sum(on_vowels) - len(on_vowels)
    evidence -= len(_NOT_VIETNAMESE.findall(as_vietnamese))
    if evidence:  # tones on vowels: Vietnamese; on anything else: a misreading
        return "cp1258" if evidence > 0 else "cp1252"
    chaos = {m.encoding: m.chaos for m in from_bytes(sample, cp_isolation=legacy)}
    if chaos.get("cp1252", 1.0) < chaos.get("cp1258", 1.0):
        return "cp1252"
    return "cp1258"  # nothing tells them apart: the files come from Vietnamese offices


def _decodes(data: bytes, encoding: str, *, final: bool = True) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _workbook(path: Path) -> Any:
    # openpyxl is imported the first time a workbook comes: CSV files never need it.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem(
            _("the file is not a readable XLSX workbook: {reason}").format(reason=exc)
        ) from exc


def _xlsx(path: Path) -> Lines:
    book = _workbook(path)
    try:
        for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            row = [_cell(v) for v in values]
            if number == 1 or any(c.strip() for c in row):
                yield number, row
    # Broken XML is a SyntaxError (ElementTree's and lxml's ParseError alike).
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, SyntaxError) as exc:
        raise FileProblem(_("the workbook is damaged: {reason}").format(reason=exc)) from exc
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers and references typed as numbers
    return str(value)


def _clean(text: str) -> str:
    # Windows-1258 text arrives with combining tones: stored composed, like everything else.
    return unicodedata.normalize("NFC", text).strip()


def registration(
    table: Table, number: int, values: Values | RowError, *, default_country: str | None = None
) -> CitizenIn | list[RowError]:
    """One row as a registration, or what is wrong with it, column by column.

    ``default_country`` stands in for a missing country: a mission's own list often has none.
    """
    if isinstance(values, RowError):
        return [values]
    errors = [
        RowError(number, table.header(column), reason)
        for column, value in values.items()
        if (reason := _unusable(value))
    ]
    if errors:
        return errors
    payload: dict[str, Any] = {k: v for k, v in values.items() if v}
    if phone := payload.pop("phone", None):
        payload["phones"] = [phone]
    if "sex" in payload:
        payload["sex"] = SEXES.get(fold(payload["sex"]), fold(payload["sex"]))
    if "stay_status" in payload:
        payload["stay_status"] = STAYS.get(
            fold(payload["stay_status"]), fold(payload["stay_status"])
        )
    payload.setdefault("country", default_country)
    if payload["country"] is None:
        return [RowError(number, table.header("country"), _("the country is missing"))]
    try:
        return CitizenIn.model_validate(payload)
    except ValidationError as exc:
        return [_row_error(table, number, error) for error in exc.errors()]


def _row_error(table: Table, number: int, error: ErrorDetails) -> RowError:
    """Pydantic's complaint, told against the file's own column."""
    loc = str(error["loc"][0]) if error["loc"] else ""
    column = "phone" if loc == "phones" else loc
    return RowError(number, table.header(column), error["msg"].removeprefix("Value error, "))


def _unusable(value: str) -> str | None:
    if "\ufffd" in value or "\x00" in value:
        return _("characters that are not in the file's encoding")
    if len(value) > MAX_FIELD:
        return _("the value is too long")
    return None
