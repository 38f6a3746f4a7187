"""Feeds and webhooks reach the public internet only: no request to the server's own
network, whatever the address, its spelling or a redirect says."""

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from kieubao.crisis.fetch import FetchError, fetch
from kieubao.platform import safe_http
from kieubao.platform.settings import get_settings


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "http://localhost:5432/",
        "http://10.0.0.5/feed.xml",
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://[::1]/",
        "http://0x7f000001/",  # 127.0.0.1 spelt in hex
        "http://2130706433/",  # and as one number
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "http:///no-host",
    ],
)
def test_addresses_off_the_public_internet_are_refused(url: str) -> None:
    with pytest.raises(safe_http.UnsafeAddress):
        safe_http.check_url(url)


def test_a_public_name_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", 443))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    safe_http.check_url("https://earthquake.usgs.gov/feed.geojson")


class _Redirect(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def redirecting_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/feed.xml"
    server.shutdown()


def test_a_trusted_local_host_may_be_named_but_its_redirects_are_checked(
    redirecting_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(FetchError, match="not on the public internet"):
        fetch(redirecting_server)  # 127.0.0.1 itself is refused first
    monkeypatch.setattr(get_settings(), "outbound_allowed_hosts", ["127.0.0.1"])
    with pytest.raises(FetchError, match=r"169\.254\.169\.254"):
        fetch(redirecting_server)  # allowed, but the hop it redirects to is not
