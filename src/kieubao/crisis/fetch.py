"""Fetching feeds over HTTP: conditional, bounded in size and time."""

from dataclasses import dataclass

import httpx

from kieubao.crisis.feeds import MAX_BYTES
from kieubao.platform import safe_http


class FetchError(Exception):
    pass


@dataclass(frozen=True)
class Fetched:
    body: bytes | None  # None: not modified since the validators given
    etag: str | None
    last_modified: str | None


def fetch(
    url: str, *, etag: str | None = None, last_modified: str | None = None, timeout: float = 30
) -> Fetched:
    """GET ``url``, sending the validators of the last answer so an unchanged feed costs a
    304; a body larger than the parsers accept is refused while it streams."""
    headers = {"User-Agent": "kieubao early warning", "Accept-Encoding": "gzip"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with (
            safe_http.client(timeout=timeout, follow_redirects=True) as http,
            http.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code == 304:
                return Fetched(None, etag, last_modified)
            if response.status_code != 200:
                raise FetchError(f"{url} answered {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FetchError(f"{url} sent more than {MAX_BYTES // 1_000_000} MB")
                chunks.append(chunk)
            return Fetched(
                b"".join(chunks),
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {exc}") from exc
