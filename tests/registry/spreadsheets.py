"""Spreadsheets as missions send them, made in the tests: CSV in several encodings, XLSX."""

import codecs
import csv
import io
import unicodedata
from datetime import date

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def windows_1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 stores it: letters with their marks, tones as combining marks."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    if encoding == "cp1258":
        return windows_1258(text)
    if encoding == "utf-16-be":  # as Excel saves it: with its byte order mark
        return codecs.BOM_UTF16_BE + text.encode(encoding)
    return text.encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


VIETNAMESE_HEADERS = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Quốc gia",
    "Thành phố",
    "Số điện thoại",
    "Mã hồ sơ",
]
TOKYO_WORKERS = [
    ["Nguyễn Thị Huyền", "12/03/1996", "Nữ", "JP", "Tokyo", "+81 80 1111 0001", "TYO-0001"],
    ["Trần Văn Đức", "1993-07-21", "Nam", "Nhật Bản", "Yokohama", "+81 80 1111 0002", "TYO-0002"],
    ["Phạm Quốc Việt", "1988", "Nam", "JP", "Saitama", "", "TYO-0003"],
]
BIRTHDAY = date(1996, 3, 12)
