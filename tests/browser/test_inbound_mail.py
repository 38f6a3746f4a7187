"""A sister mails the ministry about her brother, with a photo of his passport; the duty
officer at headquarters reads the mail on the new case and downloads the photo."""

import smtplib
import subprocess
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from kieubao.platform.smtp_sink import free_port
from tests.browser.conftest import KIEUBAO, Server, sign_in_officer

pytestmark = pytest.mark.browser

PASSPORT = b"\xff\xd8\xff\xe0 passport photo"


def send_when_listening(port: int, msg: EmailMessage) -> str:
    for _ in range(300):
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
                smtp.ehlo()
                smtp.mail("hoa.pham@example.vn")
                smtp.rcpt("baohocongdan@mofa.gov.vn")
                code, reply = smtp.data(bytes(msg))
                assert code == 250, reply
                return reply.decode()
        except ConnectionRefusedError:
            time.sleep(0.1)
    pytest.fail("the intake mail server did not start")


def test_a_mail_with_a_photo_becomes_a_case_the_duty_officer_reads(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    server.kieubao("protection", "seed-types")
    port = free_port()
    intake = subprocess.Popen(
        [KIEUBAO, "intake", "smtp", "--port", str(port)],
        env=server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        msg = EmailMessage()
        msg["From"] = "Phạm Thị Hoa <hoa.pham@example.vn>"
        msg["To"] = "baohocongdan@mofa.gov.vn"
        msg["Subject"] = "Em trai tôi mất liên lạc ở Đài Bắc"
        msg.set_content("Em trai tôi là Phạm Văn Đức, mất liên lạc từ thứ Hai. Gửi kèm hộ chiếu.")
        msg.add_attachment(PASSPORT, maintype="image", subtype="jpeg", filename="hộ chiếu Đức.jpg")
        reply = send_when_listening(port, msg)
    finally:
        intake.terminate()
        intake.wait(10)
    number = reply.split()[-1]
    assert reply.startswith("2.0.0 opened BH-"), reply

    context = browser.new_context(base_url=server.url, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    sign_in_officer(page, "hq@kieubao.test")
    page.goto(f"/console/cases/{number}")
    expect(page.locator('[data-event="opened"]')).to_be_visible()
    expect(page.get_by_text("mất liên lạc từ thứ Hai").first).to_be_visible()
    # Shown with the mail that brought it, in the timeline, and in the case's list of files.
    links = page.get_by_role("link", name="hộ chiếu Đức.jpg")
    expect(links).to_have_count(2)
    expect(page.locator("[data-event] [data-file]")).to_be_visible()
    link = links.first
    page.screenshot(path=str(tmp_path / "inbound-mail-case.png"), full_page=True)
    with page.expect_download() as caught:
        link.click()
    download = caught.value
    assert download.suggested_filename == "hộ chiếu Đức.jpg"
    assert Path(download.path()).read_bytes() == PASSPORT
    context.close()
