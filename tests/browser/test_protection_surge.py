"""A citizen in danger taps SOS on her phone; the Tokyo duty officer sees it arrive unread,
claims it from the queue, and finds it on the dashboard's map."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server

pytestmark = pytest.mark.browser

SHINJUKU = {"latitude": 35.6938, "longitude": 139.7034, "accuracy": 30}


def test_sos_from_a_phone_to_the_officer_queue_and_map(
    browser: Browser, server: Server, officer_page: Page, tmp_path: Path
) -> None:
    server.kieubao("protection", "seed-types")
    phone = browser.new_context(
        base_url=server.url,
        locale="vi-VN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation=SHINJUKU,
        permissions=["geolocation"],
    )
    page = phone.new_page()
    page.goto("/")
    page.get_by_role("link", name="Tôi cần giúp đỡ ngay").first.click()
    page.locator('[name="name"]').fill("Nguyễn Thị Ngọc")
    page.locator('[name="phone"]').fill("+81 80 1111 2222")
    page.locator('[name="message"]').fill("Tôi bị chủ nhà đe doạ, không dám ra ngoài.")
    page.screenshot(path=str(tmp_path / "sos-phone.png"), full_page=True)
    page.locator('[name="consent"]').check()
    page.get_by_role("button", name="Gửi vị trí và yêu cầu trợ giúp").click()
    number = page.locator("[data-case-number]").inner_text()
    phone.close()

    officer_page.goto("/console/cases")
    badge = officer_page.locator("[data-unread]")
    expect(badge).to_be_visible()
    assert int(badge.get_attribute("data-unread") or "0") >= 1
    officer_page.locator("[data-unread-badge] a").first.click()
    expect(officer_page.locator(f'tr:has-text("{number}")')).to_be_visible()
    officer_page.screenshot(path=str(tmp_path / "queue.png"), full_page=True)
    for _ in range(10):  # older messages first, as they came
        officer_page.goto("/console/protection/queue")
        officer_page.get_by_role("button", name="Nhận xử lý tin nhắn chưa đọc tiếp theo").click()
        officer_page.wait_for_url("**/console/**")
        if number in officer_page.url:
            break
    expect(officer_page.locator("h1")).to_contain_text(number)
    officer_page.goto("/console/protection/dashboard")
    expect(officer_page.locator("#board-map .leaflet-interactive").first).to_be_attached()
    officer_page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
