"""What people do with the registry, in a real browser."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in_officer

pytestmark = pytest.mark.browser


def test_a_worker_in_osaka_registers_in_vietnamese(page: Page) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_role("link", name="Đăng ký ngay").click()
    page.get_by_label("Họ và tên").fill("Phạm Thị Thu Trang")
    page.get_by_label("Ngày sinh").fill("14/09/1997")
    page.get_by_label("Giới tính").select_option("female")
    page.get_by_label("Quốc gia").select_option("JP")
    page.get_by_label("Thành phố").fill("Osaka")
    page.get_by_label("Lý do lưu trú").select_option("worker")
    contact = page.get_by_role("group", name="Cách liên lạc với bạn")
    contact.get_by_label("Điện thoại").fill("+81 80 1234 9876")
    contact.get_by_label("Email").fill("trang.pham@example.jp")
    page.get_by_label("Cảnh báo khủng hoảng").check()
    page.get_by_label("Tôi đã đọc").check()
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_role("heading", name="Cảm ơn")).to_be_visible()
    expect(page.get_by_text("JP-OSA-CG")).to_be_visible()


def test_the_form_says_what_is_wrong_in_vietnamese(page: Page) -> None:
    page.goto("/register")
    page.get_by_label("Họ và tên").fill("Lê Văn Hùng")
    page.get_by_label("Ngày sinh").fill("31/02/1990")
    page.get_by_label("Quốc gia").select_option("KR")
    page.get_by_label("Email").fill("hung@example.kr")
    page.get_by_label("Tôi đã đọc").check()
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_role("alert")).to_contain_text("Vui lòng kiểm tra")
    expect(page.get_by_text("không có ngày 31/02/1990")).to_be_visible()


def test_an_officer_signs_in_with_a_password_and_totp(page: Page) -> None:
    sign_in_officer(page, "osaka@kieubao.test")
    expect(page.get_by_role("heading", name="Công dân ở nước ngoài")).to_be_visible()


def test_an_officer_resolves_a_suspected_duplicate(officer_page: Page) -> None:
    page = officer_page
    page.goto("/console/duplicates")
    pair = page.locator("section.duplicate").filter(has_text="Nguyen Van An").first
    expect(pair).to_contain_text("Nguyễn Văn An")
    pair.get_by_role("button", name="Cùng một người: giữ hồ sơ này").first.click()
    expect(page).to_have_url(re.compile(r"/console/citizens/\d+\?merged=\d+"))
    expect(page.get_by_role("status")).to_contain_text("Hồ sơ này đã gộp")
    page.get_by_role("button", name="Hoàn tác gộp").click()
    page.goto("/console/duplicates")
    expect(page.locator("section.duplicate").filter(has_text="Nguyen Van An")).to_have_count(1)


def test_an_officer_imports_a_spreadsheet_and_watches_it_finish(
    officer_page: Page, tmp_path: Path
) -> None:
    from itertools import islice

    from kieubao.registry.synthetic import people

    rows = ["Họ và tên,Ngày sinh,Quốc gia,Thành phố,Số điện thoại,Mã hồ sơ"]
    for p in islice(people(seed=77, prefix="TYO"), 1200):
        city = p.city if p.country == "JP" else "Tokyo"
        rows.append(f"{p.full_name},{p.born:%d/%m/%Y},JP,{city},,{p.ref}")
    rows.append("Trần Văn Lỗi,31/02/1990,JP,Tokyo,,TYO-BAD-1")
    sheet = tmp_path / "danh-sach-tokyo.csv"
    sheet.write_text("\n".join(rows), encoding="utf-8-sig")

    page = officer_page
    page.goto("/console/imports")
    page.get_by_label("Tệp CSV hoặc XLSX").set_input_files(str(sheet))
    page.get_by_role("button", name="Nhập", exact=True).click()
    expect(page).to_have_url(re.compile(r"/console/imports/\d+$"))
    expect(page.locator("#import-status")).to_have_text("Xong", timeout=120_000)
    expect(page.locator("#import-percent")).to_have_text("100%")
    progress = page.locator("#import-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "1201"
    expect(page.get_by_role("cell", name="không có ngày 31/02/1990")).to_be_visible()
