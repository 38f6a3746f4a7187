"""Japan's advisory is raised to level 3 after a quake: the Tokyo embassy drafts it, an officer at
headquarters approves and publishes, and citizens see it on the portal and in the feeds."""

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PASSWORD, Server, publish_level_2_for_japan, sign_in_officer

pytestmark = pytest.mark.browser


def test_a_level_3_advisory_is_drafted_approved_published_and_announced(
    browser: Browser, server: Server, officer_page: Page, tmp_path: Path
) -> None:
    publish_level_2_for_japan(server)

    # The Tokyo embassy drafts the raise and sends it for review.
    page = officer_page
    # (In English: the Vietnamese catalog gains these strings when the catalogs are merged.)
    page.goto("/console/advisories/new?lang=en")
    page.get_by_label("Country", exact=True).select_option("JP")
    page.get_by_label("Level", exact=True).select_option("3")
    page.get_by_label("natural disaster").check()
    page.get_by_label("Advice (Vietnamese)").fill("Tránh vùng ven biển Tōhoku.")
    page.get_by_label("Advice (English)").fill("Stay away from the Tōhoku coast.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator("#version-status")).to_have_text("in review")
    version_url = page.url

    # A second officer, at headquarters, approves and publishes it. (Her own account: the
    # server is shared, and the other stories enrol hq@ for two-factor themselves.)
    reviewer = "thu.review@kieubao.test"
    server.kieubao(
        "users", "create", "--email", reviewer, "--role", "hq_officer", "--password", PASSWORD
    )
    context = browser.new_context(base_url=server.url, locale="vi-VN")
    hq: Page = context.new_page()
    try:
        sign_in_officer(hq, reviewer)
        hq.goto(version_url + "?lang=en")
        hq.get_by_role("button", name="Approve").click()
        hq.get_by_role("button", name="Publish").click()
        expect(hq.locator("#version-status")).to_have_text("published")

        # A citizen reads the country page: level 3, with the raise called out.
        hq.goto("/advisories/JP?lang=en")
        expect(hq.locator("article h2")).to_contain_text("Level 3")
        expect(hq.locator(".level-change")).to_contain_text("Level raised from 2 to 3 on")
        expect(hq.locator("article")).to_contain_text("Stay away from the Tōhoku coast.")
        hq.goto("/advisories/JP?lang=vi")
        expect(hq.get_by_role("heading", level=1)).to_contain_text("Nhật Bản")
        expect(hq.locator("article")).to_contain_text("Cân nhắc lại việc đi lại")
        expect(hq.locator("article")).to_contain_text("Tránh vùng ven biển Tōhoku.")
        hq.screenshot(path=str(tmp_path / "japan.png"), full_page=True)
    finally:
        context.close()

    atom = httpx.get(f"{server.url}/feeds/advisories.atom").text
    assert "Japan: level 3, raised from 2" in atom
    cap_index = httpx.get(f"{server.url}/feeds/cap.atom").text
    assert "/cap/kieubao-advisory-JP-v2.xml" in cap_index
    alert = httpx.get(f"{server.url}/cap/kieubao-advisory-JP-v2.xml")
    assert alert.status_code == 200 and "Severe</" in alert.text
