"""Chị Hoa in Osaka follows Japan by email. The Tokyo embassy drafts a level-3 advisory in
Vietnamese, a second officer at headquarters approves and publishes it, the map of levels
turns, the advisory reaches her mailbox, and its unsubscribe link works."""

import re
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from defusedxml import ElementTree
from playwright.sync_api import Browser, Page, expect

from kieubao.portal.worldmap import FILLS
from tests.browser.conftest import (
    PASSWORD,
    MailSink,
    Server,
    publish_level_2_for_japan,
    sign_in_officer,
)

pytestmark = pytest.mark.browser

HOA = "hoa.pham@example.org"


def _link(text: str, path: str) -> str:
    match = re.search(rf"https?://\S+/{path}/\S+", text)
    assert match, text
    return match.group(0)


def _text(message: EmailMessage) -> str:
    """The plain part: links in it stand alone, not inside the HTML alternative's markup."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, message
    return str(part.get_content())


def _fill_of(page: Page, country: str) -> str:
    """The fill of a country's shape on the portal's map, found by its name."""
    svg = page.request.get("/map/advisories.svg?lang=vi")
    assert svg.ok, svg.status
    root = ElementTree.fromstring(svg.body())
    for shape in root.iter("{http://www.w3.org/2000/svg}path"):
        title = shape.find("{http://www.w3.org/2000/svg}title")
        if title is not None and title.text == country:
            return str(shape.get("fill"))
    raise AssertionError(f"{country} is not on the map")


def test_a_level_3_advisory_reaches_a_subscriber_who_then_unsubscribes(
    browser: Browser, smtp_server: Server, mail_sink: MailSink, tmp_path: Path
) -> None:
    server = smtp_server
    publish_level_2_for_japan(server)
    context = browser.new_context(base_url=server.url, locale="vi-VN")
    page: Page = context.new_page()
    try:
        # Hoa subscribes to Japan's advisories and confirms from her mailbox.
        page.goto("/subscribe")
        page.get_by_label("Địa chỉ email").fill(HOA)
        page.get_by_label("Quốc gia", exact=True).select_option("JP")
        page.get_by_label("Bản tin và thông báo").uncheck()
        page.screenshot(path=str(tmp_path / "subscribe.png"), full_page=True)
        page.get_by_role("button", name="Đăng ký nhận tin").click()
        expect(page.get_by_role("status")).to_contain_text("đường dẫn xác nhận")
        confirmation = _text(mail_sink.wait_for(HOA)[0])
        page.goto(_link(confirmation, "subscribe/confirm"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Đã xác nhận đăng ký")

        page.goto("/advisories")
        expect(page.locator(".level-box.level-2")).to_contain_text("Nhật Bản")
        assert _fill_of(page, "Nhật Bản") == FILLS[2]

        # The Tokyo embassy drafts the raise, in Vietnamese.
        officer = context.new_page()
        sign_in_officer(officer, "tokyo@kieubao.test")
        officer.goto("/console/advisories/new")
        officer.get_by_label("Quốc gia", exact=True).select_option("JP")
        officer.get_by_label("Mức độ", exact=True).select_option("3")
        officer.get_by_label("Lời khuyên (tiếng Việt)").fill("Tránh vùng ven biển Tōhoku.")
        officer.get_by_label("Lời khuyên (tiếng Anh)").fill("Stay away from the Tōhoku coast.")
        officer.get_by_role("button", name="Lưu bản nháp").click()
        officer.get_by_role("button", name="Gửi duyệt").click()
        version_url = officer.url

        # A second officer, at headquarters, approves and publishes it.
        reviewer = "thu.review@kieubao.test"
        server.kieubao(
            "users", "create", "--email", reviewer, "--role", "hq_officer", "--password", PASSWORD
        )
        hq_context = browser.new_context(base_url=server.url, locale="vi-VN")
        hq = hq_context.new_page()
        sign_in_officer(hq, reviewer)
        hq.goto(version_url)
        hq.get_by_role("button", name="Phê duyệt").click()
        hq.get_by_role("button", name="Công bố").click()
        hq_context.close()

        # The map of levels turns: Japan is now among the level-3 countries.
        page.goto("/advisories")
        expect(page.locator(".level-box.level-3")).to_contain_text("Nhật Bản")
        expect(page.locator(".level-box.level-2")).not_to_contain_text("Nhật Bản")
        page.screenshot(path=str(tmp_path / "levels.png"), full_page=True)
        # And so does the map on the home page: Japan's shape in the level-3 colour.
        assert _fill_of(page, "Nhật Bản") == FILLS[3]
        page.goto("/")
        expect(page.locator("img.world")).to_have_js_property("complete", True)
        page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

        # Hoa's mailbox: the advisory, with a one-click unsubscribe.
        advisory = mail_sink.wait_for(HOA, 2)[-1]
        assert "cấp độ 3" in str(advisory["Subject"])
        header_url = str(advisory["List-Unsubscribe"]).strip("<>")
        assert header_url.startswith(f"{server.url}/unsubscribe/")
        # RFC 8058 offers one-click only for an HTTPS address; this server speaks plain HTTP.
        assert advisory["List-Unsubscribe-Post"] is None
        body = _text(advisory)
        assert "Tránh vùng ven biển Tōhoku." in body

        page.goto(_link(body, "unsubscribe"))
        page.get_by_role("button", name="Hủy đăng ký").click()
        expect(page.locator("#unsubscribed")).to_contain_text("sẽ không nhận thêm tin nào nữa")
        page.screenshot(path=str(tmp_path / "unsubscribed.png"), full_page=True)

        # The header's URL takes a mail client's RFC 8058 POST as well.
        answer = httpx.post(header_url, data={"List-Unsubscribe": "One-Click"})
        assert answer.status_code == 200
    finally:
        context.close()
