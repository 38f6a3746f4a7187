"""Requests to addresses that people or documents name (feed sources, the alerts a CAP index
lists, webhooks): to the public internet only.

A feed or an officer's form could otherwise make the server call what only it can reach —
its database, its Redis, a cloud metadata service. Every hop is checked, redirects included,
against the addresses the name resolves to. Hosts a deployment trusts on its own network (a
local CAP relay, a test server) are named in ``KIEUBAO_OUTBOUND_ALLOWED_HOSTS``.
"""

import ipaddress
import socket
from collections.abc import Collection
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


def on_hosts(host: str, hosts: Collection[str]) -> bool:
    """True for a host named in ``hosts`` or under one of them (``cdn.example.com`` is under
    ``example.com``)."""
    host = host.lower().rstrip(".")
    return any(host == h or host.endswith("." + h) for h in hosts)


def client(*, hosts: Collection[str] | None = None, **kwargs: Any) -> httpx.Client:
    """An httpx client that checks every request it sends, each redirect hop included;
    with ``hosts``, to those hosts only (a provider's API and the servers it keeps files on)."""
    allowed = [h.lower() for h in hosts] if hosts is not None else None

    def check(request: httpx.Request) -> None:
        if allowed is not None and not on_hosts(request.url.host, allowed):
            raise UnsafeAddress(f"{request.url.host} is not one of this request's hosts")
        check_url(str(request.url))

    return httpx.Client(event_hooks={"request": [check]}, **kwargs)
