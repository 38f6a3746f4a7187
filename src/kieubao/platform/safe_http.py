"""Requests to addresses that people or documents name (feed sources, the alerts a CAP index
lists, webhooks): to the public internet only.

A feed or an officer's form could otherwise make the server call what only it can reach —
its database, its Redis, a cloud metadata service. Every hop is checked, redirects included,
against the addresses the name resolves to. Hosts a deployment trusts on its own network (a
local CAP relay, a test server) are named in ``KIEUBAO_OUTBOUND_ALLOWED_HOSTS``.
"""

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import httpx

from kieubao.platform.settings import get_settings


class UnsafeAddress(httpx.RequestError):
    """The request was not sent: its address is not on the public internet."""


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeAddress(f"only http and https addresses may be fetched, not {url!r}")
    host = parts.hostname or ""
    if not host:
        raise UnsafeAddress(f"{url!r} names no host")
    allowed = get_settings().outbound_allowed_hosts
    if host in allowed:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise UnsafeAddress(f"{host} does not resolve: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global and str(address) not in allowed:
            raise UnsafeAddress(f"{host} is not on the public internet ({address})")


def _check_request(request: httpx.Request) -> None:
    check_url(str(request.url))


def client(**kwargs: Any) -> httpx.Client:
    """An httpx client that checks every request it sends, each redirect hop included."""
    return httpx.Client(event_hooks={"request": [_check_request]}, **kwargs)
