"""A student in Osaka whose friend was arrested finds help on her phone, script turned off."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement.outerHTML.slice(0, 200)"))


def focus_is_visible(page: Page) -> bool:
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; })()"
    )
    return style[0] != "none" and style[1] not in ("0px", "")


def test_from_the_home_through_guided_help_to_the_report_form(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    server.kieubao("protection", "seed-types")
    context = browser.new_context(
        base_url=server.url,
        locale="vi-VN",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    page = context.new_page()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Gặp khó khăn ở nước ngoài?")).to_be_visible()
    expect(page.locator("img.world")).to_have_attribute(
        "alt", "Bản đồ thế giới về khuyến cáo đi lại; các cấp độ được liệt kê bên dưới."
    )
    page.screenshot(path=str(tmp_path / "portal-home-phone.png"), full_page=True)

    # The keyboard: the skip link first, and it leads into the page past the header.
    page.keyboard.press("Tab")
    assert "Bỏ qua, đến nội dung" in focused(page) and focus_is_visible(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), focused(page)
    assert 'href="tel:+84981848484"' in focused(page) and focus_is_visible(page)
    page.keyboard.press("Tab")
    assert 'href="/help"' in focused(page)
    page.keyboard.press("Enter")

    page.wait_for_url("**/help")
    expect(page.get_by_text("Bước 1/3")).to_be_visible()
    page.get_by_label("Bạn đang ở đâu? Quốc gia").select_option("JP")
    page.get_by_label("Thành phố hoặc địa điểm (không bắt buộc)").fill("Osaka")
    page.get_by_role("button", name="Tiếp theo").click()

    expect(page.get_by_text("Bước 2/3")).to_be_visible()
    page.get_by_label("Bị bắt, tạm giữ, tạm giam").check()
    page.get_by_role("button", name="Tiếp theo").click()

    expect(page.get_by_text("Bước 3/3")).to_be_visible()
    page.get_by_label("Có, đang có người gặp nguy hiểm").check()
    page.get_by_role("button", name="Tiếp theo").click()

    expect(page.get_by_role("alert")).to_contain_text("hãy gọi ngay")
    expect(page.get_by_role("heading", name="Tổng Lãnh sự quán Việt Nam tại Osaka")).to_be_visible()
    page.screenshot(path=str(tmp_path / "portal-help-done-phone.png"), full_page=True)
    page.get_by_role("link", name="Tiếp tục đến mẫu báo tin").click()

    page.wait_for_url("**/protection/report?**")
    expect(page.locator("#f-country")).to_have_value("JP")
    expect(page.locator("#f-case_type")).to_have_value("arrest_detention")
    expect(page.locator("#f-city")).to_have_value("Osaka")
    page.screenshot(path=str(tmp_path / "portal-report-prefilled-phone.png"), full_page=True)
    context.close()


def test_the_mission_finder_and_the_country_page_on_a_phone(
    browser: Browser, server: Server, page: Page, tmp_path: Path
) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/?lang=en")
    page.get_by_label("Country").select_option("DE")
    page.get_by_label("City (optional)").fill("Berlin")
    page.get_by_role("button", name="Find the mission").click()
    page.wait_for_url("**/missions?**")
    expect(page.get_by_role("heading", name="The mission for Berlin, Germany")).to_be_visible()
    page.get_by_role("link", name="Advisory and alerts for Germany").click()
    expect(page.get_by_role("heading", name="Germany", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Emergency contacts")).to_be_visible()
    page.screenshot(path=str(tmp_path / "portal-country-phone.png"), full_page=True)
