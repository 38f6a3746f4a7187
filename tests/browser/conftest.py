"""A real server and Debian's Chromium, driven by Playwright: pages as a person uses them."""

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from kieubao.platform.smtp_sink import free_port
from tests.faults import KIEUBAO

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "kieubao-demo-2026"


@dataclass
class Server:
    url: str
    env: dict[str, str]

    def kieubao(self, *args: str) -> str:
        done = subprocess.run(
            [KIEUBAO, *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        if done.returncode:
            pytest.fail(f"kieubao {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout


def _serve(var: Path, **extra_env: str) -> Iterator[Server]:
    """A fresh database with the demo's data, served with a worker until the session ends."""
    port = free_port()
    env = {
        **os.environ,
        "KIEUBAO_VAR_DIR": str(var),
        "KIEUBAO_DATABASE_URL": f"sqlite:///{var}/kieubao.db",
        "KIEUBAO_JOBS_IMMEDIATE": "false",
        "KIEUBAO_BASE_URL": f"http://127.0.0.1:{port}",
        "KIEUBAO_SECRET_KEY": "browser-tests",
        "KIEUBAO_DATA_KEY": "browser-tests",
        **extra_env,
    }
    env.pop("KIEUBAO_REDIS_URL", None)
    server = Server(f"http://127.0.0.1:{port}", env)
    server.kieubao("db", "upgrade")
    server.kieubao("demo", "load", "--citizens", "200")
    process = subprocess.Popen(
        [KIEUBAO, "serve", "--with-worker", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # A loaded machine may take a while to start a server: a minute, then it failed.
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("the server did not start")
        yield server
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Mail goes to files under the server's var/mail."""
    yield from _serve(tmp_path_factory.mktemp("browser-var"))


class MailSink:
    """An SMTP server that keeps every message it is given, by recipient."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: dict[str, list[EmailMessage]] = {}
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        for rcpt in envelope.rcpt_tos:
            self.messages.setdefault(rcpt, []).append(message)
        return "250 Message accepted for delivery"

    def wait_for(self, address: str, count: int = 1, timeout: float = 30) -> list[EmailMessage]:
        """The messages to ``address`` once there are ``count`` of them."""
        deadline = time.monotonic() + timeout
        while len(self.messages.get(address, [])) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"{address} received {len(self.messages.get(address, []))} of {count}")
            time.sleep(0.2)
        return self.messages[address]


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink()
    sink.controller.start()
    yield sink
    sink.controller.stop()


@pytest.fixture(scope="session")
def smtp_server(tmp_path_factory: pytest.TempPathFactory, mail_sink: MailSink) -> Iterator[Server]:
    """A server of its own whose mail goes over SMTP to ``mail_sink``."""
    yield from _serve(
        tmp_path_factory.mktemp("browser-smtp-var"),
        KIEUBAO_SMTP_HOST="127.0.0.1",
        KIEUBAO_SMTP_PORT=str(mail_sink.port),
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing: `make chromium` installs it")
        pytest.skip("Chromium is not installed (`make chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        watch_policy_violations(browser)
        yield browser
        browser.close()


# What the Content-Security-Policy refused in the current test, from every page it opened.
policy_violations: list[str] = []


def watch_policy_violations(browser: Browser) -> None:
    """Every context the tests open reports the browser's CSP refusals."""
    open_context = browser.new_context

    def new_context(**kwargs: Any) -> BrowserContext:
        context = open_context(**kwargs)
        context.on(
            "console",
            lambda message: (
                policy_violations.append(
                    f"{message.page.url if message.page else ''}: {message.text}"
                )
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return context

    browser.new_context = new_context  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _no_policy_violations() -> Iterator[None]:
    """A page that needs an inline script or style the policy refuses is broken for real
    users too: each browser test fails on one."""
    policy_violations.clear()
    yield
    assert policy_violations == []


@pytest.fixture
def page(browser: Browser, server: Server, tmp_path: Path) -> Iterator[Page]:
    context = browser.new_context(base_url=server.url, locale="vi-VN")
    page = context.new_page()
    yield page
    page.screenshot(path=str(tmp_path / "last.png"), full_page=True)
    context.close()


# The TOTP key each officer enrolled in this test process's server, and the last time step
# a code of theirs was used: the server accepts each step once.
enrolled: dict[str, tuple[str, int]] = {}


def sign_in_officer(page: Page, email: str) -> str:
    """Password, then the second factor: enrolment with the key the page shows the first
    time, the authenticator's code after that (stories share one server). Returns the key."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url(re.compile(r"/login/totp"))
    if enrolling := "/enrol" in page.url:
        secret, last = page.inner_text("#totp-secret").strip(), 0
    else:
        secret, last = enrolled[email]
    totp = pyotp.TOTP(secret)
    now = int(time.time() // totp.interval)
    step = max(now, last + 1)
    if step > now + 1:  # the server takes the next step's code, not one further
        time.sleep((step - 1) * totp.interval - time.time() + 0.5)
    enrolled[email] = (secret, step)
    code = totp.at(step * totp.interval)
    page.get_by_label("Mã").fill(code)
    page.get_by_role("button", name="Xác nhận" if enrolling else "Đăng nhập").click()
    page.wait_for_url("**/console")
    return secret


@pytest.fixture(scope="session")
def officer_state(
    browser: Browser, server: Server, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A signed-in officer's cookies, so stories past the sign-in start in the console."""
    context = browser.new_context(base_url=server.url, locale="vi-VN")
    sign_in_officer(context.new_page(), "tokyo@kieubao.test")
    path = str(tmp_path_factory.mktemp("state") / "officer.json")
    context.storage_state(path=path)
    context.close()
    return path


@pytest.fixture
def officer_page(
    browser: Browser, server: Server, officer_state: str, tmp_path: Path
) -> Iterator[Page]:
    context = browser.new_context(base_url=server.url, locale="vi-VN", storage_state=officer_state)
    page = context.new_page()
    yield page
    page.screenshot(path=str(tmp_path / "last.png"), full_page=True)
    context.close()


def api_client(server: Server, email: str) -> httpx.Client:
    token = server.kieubao("tokens", "create", "--email", email).strip()
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})


def publish_level_2_for_japan(server: Server) -> None:
    """Japan's advisory before the quake, published the ordinary way over the API."""
    tokyo, hq = api_client(server, "tokyo@kieubao.test"), api_client(server, "hq@kieubao.test")
    draft = {
        "country": "JP",
        "level": 2,
        "reasons": ["disaster"],
        "advice_vi": "<p>Theo dõi cảnh báo động đất.</p>",
        "advice_en": "<p>Follow earthquake warnings.</p>",
    }
    vid = tokyo.post("/api/v1/advisories", json=draft).json()["id"]
    tokyo.post(f"/api/v1/advisory-versions/{vid}/submit").raise_for_status()
    hq.post(f"/api/v1/advisory-versions/{vid}/approve").raise_for_status()
    hq.post(f"/api/v1/advisory-versions/{vid}/publish").raise_for_status()
