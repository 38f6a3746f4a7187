"""The yearly review, as headquarters make it, in a real browser."""

import re
from io import BytesIO

import pytest
from docx import Document
from playwright.sync_api import Page, expect

from kieubao.platform.db import utcnow
from tests.browser.conftest import sign_in_officer

pytestmark = pytest.mark.browser


def test_the_hq_officer_generates_the_yearly_review_and_downloads_it(page: Page) -> None:
    sign_in_officer(page, "hq@kieubao.test")
    page.get_by_role("link", name="Chương trình phối hợp").click()
    overdue = page.locator("tr.overdue")
    expect(overdue).to_contain_text("Biên soạn tài liệu tuyên truyền cho kiều bào")
    expect(overdue).to_contain_text("quá hạn")
    page.get_by_role("link", name="Sơ kết, tổng kết").click()
    year = utcnow().year
    page.get_by_label("Hình thức").select_option("yearly")
    page.get_by_label("Từ ngày").fill(f"{year}-01-01")
    page.get_by_label("Đến ngày").fill(f"{year}-12-31")
    page.get_by_role("button", name="Tổng hợp báo cáo").click()
    # The worker computes the figures; the page follows its progress and then shows them.
    download_link = page.get_by_role("link", name="Tải về dạng Word (DOCX)")
    expect(download_link).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Bảo hộ công dân")).to_be_visible()
    with page.expect_download() as download:
        download_link.click()
    document = Document(BytesIO(download.value.path().read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style and p.style.name.startswith("Head")]
    assert document.paragraphs[0].text == f"Sơ kết năm 01/01/{year} – 31/12/{year}"
    assert {"Nhiệm vụ của các chương trình phối hợp", "Chỉ tiêu", "Bảo hộ công dân"} <= set(
        headings
    )
    text = "\n".join(p.text for p in document.paragraphs)
    assert "trên tổng số 4." in text  # the four tasks of the demo program
    # The demo's registrations are all of this year; the table by country adds up to them.
    found = re.search(r"(\d+) công dân đã đăng ký, trong đó (\d+) công dân đăng ký trong kỳ", text)
    assert found and found[1] == found[2] and int(found[1]) >= 200
    by_country = next(t for t in document.tables if t.rows[0].cells[0].text == "Quốc gia")
    assert sum(int(r.cells[1].text) for r in by_country.rows[1:]) == int(found[1])
    remittances = [
        r for t in document.tables for r in t.rows if r.cells[0].text.startswith("Kiều hối")
    ]
    assert [c.text for c in remittances[0].cells[1:4]] == ["3", "16,5", "20 (2030)"]
