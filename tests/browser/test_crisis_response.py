"""The duty officer's crisis: a quake near Osaka, a safety check, a citizen asking for help
from her phone, and a protection case opened from the roster."""

import re
import time
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PASSWORD, Server, sign_in_officer

pytestmark = pytest.mark.browser

DUTY = "truc.ban@kieubao.test"
CITIZEN = "mai.osaka@example.jp"


def _reply_link(server: Server, address: str, timeout: float = 20) -> str:
    """The reply link in the safety check the worker mailed to ``address``."""
    mail_dir = Path(server.env["KIEUBAO_VAR_DIR"]) / "mail"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in mail_dir.glob("*.eml"):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == address:
                body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
                found = re.search(r"https?://\S+(/r/\S+)", body)
                assert found, body
                return found[1]
        time.sleep(0.2)
    raise AssertionError(f"no safety check reached {address}")


def test_a_safety_check_answered_for_help_becomes_a_protection_case(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    server.kieubao(
        "users", "create", "--email", DUTY, "--role", "hq_officer", "--password", PASSWORD
    )
    # Registered at the consulate in Osaka, agreeing to be contacted in a crisis.
    token = server.kieubao("tokens", "create", "--email", DUTY).strip()
    registered = httpx.post(
        f"{server.url}/api/v1/citizens",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "full_name": "Phan Thị Mai",
            "date_of_birth": "1994-08-12",
            "country": "JP",
            "city": "Osaka",
            "email": CITIZEN,
            "consents": {"crisis_alerts": True},
        },
    )
    assert registered.status_code == 201, registered.text

    officer_context = browser.new_context(base_url=server.url, locale="vi-VN")
    phone_context = browser.new_context(
        base_url=server.url, locale="vi-VN", viewport={"width": 390, "height": 844}
    )
    try:
        officer: Page = officer_context.new_page()
        sign_in_officer(officer, DUTY)
        officer.goto("/console/crisis")
        officer.get_by_role("link", name=re.compile(r"Osaka, Japan \(drill\)")).first.click()
        officer.get_by_role("button", name="Mở ứng phó sự cố cho khu vực này").click()
        expect(officer).to_have_url(re.compile(r"/console/crisis/crises/\d+$"))
        waiting = int(officer.locator("#count-unaccounted").inner_text().replace(",", ""))
        assert waiting >= 1

        officer.locator("#send-safety-check").click()
        expect(officer.locator("#safety-checks")).to_be_visible()

        phone: Page = phone_context.new_page()
        phone.goto(_reply_link(server, CITIZEN))
        phone.get_by_label("Chỗ ở tạm").check()
        phone.get_by_role("button", name="Tôi cần giúp đỡ").click()
        expect(phone.locator("#replied")).to_be_visible()
        phone.screenshot(path=str(tmp_path / "reply.png"), full_page=True)

        # The officer's page takes the answer in without a reload.
        expect(officer.locator("#count-needs_help")).to_have_text("1", timeout=10_000)
        expect(officer.locator("#replied-1")).to_have_text("1")
        officer.reload()
        row = officer.locator("#call-list tr", has_text="Phan Thị Mai")
        row.get_by_role("button", name="Mở vụ việc bảo hộ").click()
        expect(officer).to_have_url(re.compile(r"/console/cases/BH-\d{4}-\d{6}$"))
        officer.screenshot(path=str(tmp_path / "case.png"), full_page=True)
    finally:
        officer_context.close()
        phone_context.close()
