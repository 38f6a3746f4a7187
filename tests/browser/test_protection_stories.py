"""A detained fisherman's case, from his wife's phone to the mission's note verbale."""

import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def report_on_a_phone(browser: Browser, server: Server, shots: Path) -> tuple[str, str]:
    """The wife reports on the portal in Vietnamese, and writes down number and PIN."""
    context = browser.new_context(
        base_url=server.url, locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto("/protection/report")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.locator("#f-case_type").select_option("vessel_detained")
    page.locator("#f-country").select_option("JP")
    page.locator("#f-description").fill(
        "Tàu cá QNg 90123 TS của chồng tôi cùng 9 ngư dân bị bắt giữ, gia đình mất liên lạc."
    )
    vessel = page.locator('[data-case-type="vessel_detained"]')
    expect(vessel).to_be_visible()
    vessel.locator("input").first.fill("QNg 90123 TS")
    page.locator('[name="subject.full_name"]').fill("Phạm Văn Tâm")
    page.locator('[name="reporter.name"]').fill("Nguyễn Thị Hoa")
    page.locator('[name="reporter.phone"]').fill("0912 345 678")
    page.locator('[name="reporter.relation"]').fill("vợ")
    page.locator("form button[type=submit]").click()
    number = page.locator("[data-case-number]").inner_text()
    pin = page.locator("[data-case-pin]").inner_text()
    assert re.fullmatch(r"BH-\d{4}-\d{6}", number) and re.fullmatch(r"\d{6}", pin)
    page.screenshot(path=str(shots / "protection-reported-phone.png"), full_page=True)
    context.close()
    return number, pin


def let_the_first_deadline_pass(server: Server, number: str) -> None:
    """A day goes by: the first step's deadline is moved into the past."""
    path = server.env["KIEUBAO_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE protection_case_steps SET due_at = datetime('now', '-1 hour') "
            "WHERE position = 0 AND case_id = (SELECT id FROM protection_cases WHERE number = ?)",
            (number,),
        )


def test_a_detained_fisherman_from_report_to_tracking(
    browser: Browser, server: Server, officer_page: Page, tmp_path: Path
) -> None:
    server.kieubao("protection", "seed-types")
    number, pin = report_on_a_phone(browser, server, tmp_path)

    page = officer_page
    page.goto("/console/cases")
    page.get_by_role("link", name=number).click()
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "new")
    page.locator('form[action$="/triage"] button').click()
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "triaged")

    liaison = page.locator('form[action$="/liaisons"]')
    liaison.locator('[name="kind"]').select_option("note_verbale")
    liaison.locator('[name="authority"]').fill("Japan Coast Guard, 11th Region")
    liaison.locator('[name="reference"]').fill("045/2026/CH-ĐSQ")
    liaison.locator("button").click()
    expect(page.locator("[data-liaison]")).to_contain_text("045/2026/CH-ĐSQ")
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "in_progress")

    let_the_first_deadline_pass(server, number)
    server.kieubao("protection", "escalate")
    page.reload()
    expect(page.locator('[data-step="contact_authority"] [data-overdue]')).to_be_visible()
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "escalated")
    expect(page.locator('[data-event="escalated"]')).to_be_visible()
    page.screenshot(path=str(tmp_path / "protection-case-escalated.png"), full_page=True)

    relative = browser.new_context(base_url=server.url, locale="vi-VN", viewport=PHONE)
    tracking = relative.new_page()
    tracking.goto("/protection/track")
    tracking.locator("#f-number").fill(number)
    tracking.locator("#f-pin").fill(pin)
    tracking.locator("form button").click()
    expect(tracking.locator("[data-status]")).to_have_attribute("data-status", "escalated")
    expect(tracking.locator("[data-next-step]")).to_be_visible()
    tracking.screenshot(path=str(tmp_path / "protection-tracked-phone.png"), full_page=True)
    relative.close()
