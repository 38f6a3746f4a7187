"""The World Conference of Overseas Vietnamese: a community editor registers an expert and sets
up the conference, a delegate in Osaka registers from her phone, the editor approves her, and at
the door an officer's phone opens the QR code on her badge and checks her in."""

from io import BytesIO
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server, sign_in_officer

pytestmark = pytest.mark.browser


def test_a_delegate_registers_is_approved_and_checked_in_by_qr(
    browser: Browser, server: Server, page: Page, officer_page: Page, tmp_path: Path
) -> None:
    # The community editor adds an expert to the directory.
    sign_in_officer(page, "editor@kieubao.test")
    page.goto("/console/community/experts/new")
    page.get_by_label("Họ và tên").fill("Lê Quang Huy")
    page.get_by_label("Quốc gia").fill("Đức")
    page.get_by_label("Lĩnh vực chuyên môn").fill("Trí tuệ nhân tạo, Robot")
    page.get_by_label("Lời khuyên").check()
    page.get_by_label("Chuyên gia đồng ý có tên trong danh sách mời").check()
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("table")).to_contain_text("Lê Quang Huy")

    # She sets up the conference and its experts' forum.
    page.goto("/console/community/events")
    page.get_by_label("Tiêu đề").fill(
        "Hội nghị Người Việt Nam ở nước ngoài toàn thế giới lần thứ tư"
    )
    page.get_by_label("Quốc gia").fill("Việt Nam")
    page.get_by_label("Thành phố").fill("Hà Nội")
    page.get_by_label("Ngày đầu").fill("2024-08-21")
    page.get_by_label("Ngày cuối").fill("2024-08-24")
    page.get_by_label("Sức chứa").fill("1000")
    page.get_by_role("button", name="Tạo sự kiện").click()
    expect(page.locator("h1")).to_contain_text("lần thứ tư")
    event_url = page.url
    sessions = page.locator("#sessions")
    sessions.get_by_label("Phiên").fill("Diễn đàn trí thức, chuyên gia")
    sessions.get_by_label("Phòng").fill("Hội trường A")
    sessions.get_by_label("Bắt đầu (UTC)").fill("2024-08-22T02:00")
    sessions.get_by_label("Kết thúc (UTC)").fill("2024-08-22T05:00")
    sessions.get_by_label("Sức chứa").fill("300")
    sessions.get_by_role("button", name="Thêm phiên").click()
    expect(page.locator("#sessions table")).to_contain_text("Hội trường A")
    register_path = page.locator("a[href$='/register']").get_attribute("href")
    assert register_path

    # A delegate in Osaka registers from her phone, in Vietnamese.
    phone = browser.new_context(
        base_url=server.url, locale="vi-VN", viewport={"width": 390, "height": 844},
        is_mobile=True, has_touch=True,
    )  # fmt: skip
    mai = phone.new_page()
    mai.goto(register_path)
    mai.get_by_label("Họ và tên").fill("Trần Thị Mai")
    mai.get_by_label("Ngày sinh").fill("1980-04-12")
    mai.get_by_label("Nước bạn đang sống").fill("Nhật Bản")
    mai.get_by_label("Thành phố").fill("Osaka")
    mai.get_by_label("Email").fill("mai@example.jp")
    mai.get_by_label("Diễn đàn trí thức, chuyên gia").check()
    mai.get_by_role("button", name="Đăng ký").click()
    expect(mai.locator("#registered")).to_contain_text("chờ ban tổ chức duyệt")
    mai.screenshot(path=str(tmp_path / "registered-phone.png"))
    phone.close()

    # The editor approves her (the row changes in place) and opens her badge.
    page.goto(event_url)
    row = page.locator("#delegates tr", has_text="Trần Thị Mai")
    row.get_by_role("button", name="Phê duyệt").click()
    expect(row).to_contain_text("Đã duyệt")
    row.get_by_role("link", name="Thẻ đại biểu").click()
    qr = page.locator("#badge-qr svg")
    expect(qr).to_be_visible()
    page.screenshot(path=str(tmp_path / "badge.png"))
    (code,) = zxingcpp.read_barcodes(Image.open(BytesIO(qr.screenshot())))
    assert code.text.startswith(f"{server.url}/console/community/checkin/")

    # At the door, an officer's phone opens the QR code's link and checks her in.
    officer_page.set_viewport_size({"width": 390, "height": 844})
    officer_page.goto(code.text)
    expect(officer_page.locator("h1")).to_have_text("Trần Thị Mai")
    officer_page.get_by_role("button", name="Điểm danh").click()
    expect(officer_page.locator("#checked-in")).to_contain_text("Điểm danh lúc")
    officer_page.screenshot(path=str(tmp_path / "checked-in.png"))
    page.goto(event_url)
    expect(page.locator("#checked-in")).to_have_text("1")
