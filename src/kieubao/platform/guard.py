"""What every response and every form post goes through: security headers with a strict
Content-Security-Policy, and a refusal of state-changing requests sent from other sites.

Cross-site request forgery is stopped by the browser's own word on where a request came
from (Fetch Metadata's ``Sec-Fetch-Site``, else ``Origin``), on top of SameSite cookies: no
token to thread through every form, and nothing to get wrong in a new one. A request with
neither header is not a browser's cross-site request (an API client, a provider's webhook)
and goes on; its own authentication (bearer token, signature) stands guard there.
"""

import re
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kieubao.platform.settings import get_settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Everything from this origin only: no inline script or style, no framing, forms post here.
POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The interactive API documentation is Swagger UI's page: its script and styles come from
# its CDN, and it starts with an inline script.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/api/docs", "/api/docs/oauth2-redirect"})
HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    # The SOS button asks for the phone's position; nothing else may.
    "permissions-policy": "geolocation=(self), camera=(), microphone=(), payment=()",
}
_RAW_HEADERS = [(name.encode(), value.encode()) for name, value in HEADERS.items()]


# Bodies read whole into memory (JSON, forms) are small; file uploads are spooled to disk and
# may be as large as an import.
MAX_BODY = 2 * 1024 * 1024


# Routes that read a larger body themselves, with their own limit (a feed document).
_larger_bodies: dict[str, int] = {}


def allow_larger_body(path: str, limit: int) -> None:
    _larger_bodies[path] = limit


# Routes whose forms carry files, with a limit of their own instead of an import's: by path
# template ({placeholders} stand for one segment each), the limit read from the settings on
# each request. Their other bodies keep the small limit: only files are spooled to disk.
_file_forms: list[tuple[re.Pattern[str], Callable[[], int]]] = []


def limit_files(path: str, limit: Callable[[], int]) -> None:
    pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path))
    _file_forms.append((re.compile(pattern + "$"), limit))


class TooLarge(HTTPException):
    """Raised while a body sent without its length is read: the app answers it as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request is larger than {limit // 1024:,} KB")


class Guard:
    """Plain ASGI, so event streams pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _read(scope)
        respond = _with_headers(scope, headers, send)
        if scope["method"] not in SAFE_METHODS and _cross_site(headers):
            await _problem(
                403, "Forbidden", "a request from another site may not change anything here"
            )(scope, receive, respond)
            return
        limit = _body_limit(scope, headers)
        declared = headers.get(b"content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, respond)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        await self.app(scope, counted_receive, respond)


# The request headers the guard decides by.
_READ = frozenset(
    {b"authorization", b"content-length", b"content-type", b"host", b"origin", b"sec-fetch-site"}
)


def _read(scope: Scope) -> dict[bytes, str]:
    """The guard's headers of the request, in one pass over them all: a lookup of each
    (most requests lack some: API clients send no Sec-Fetch-Site) would walk them again."""
    return {name: value.decode("latin-1") for name, value in scope["headers"] if name in _READ}


def _with_headers(scope: Scope, headers: dict[bytes, str], send: Send) -> Send:
    """``send``, adding the headers every answer carries where the app set none of its own."""
    policy = DOCS_POLICY if scope["path"] in DOCS_PATHS else POLICY
    added = [(b"content-security-policy", policy.encode()), *_RAW_HEADERS]
    if get_settings().secure_cookies:
        added.append((b"strict-transport-security", b"max-age=31536000"))
    # An answer to a bearer token is that token's alone, and only while it stands: no cache
    # may keep it to hand out again once the token is revoked.
    if b"authorization" in headers:
        added.append((b"cache-control", b"private, no-store"))

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            raw = list(message.get("headers", ()))
            own = {name.lower() for name, _value in raw}
            message["headers"] = raw + [h for h in added if h[0] not in own]
        await send(message)

    return send_with_headers


def _body_limit(scope: Scope, headers: dict[bytes, str]) -> int:
    if (own := _larger_bodies.get(scope["path"])) is not None:
        return own
    kind = headers.get(b"content-type", "")
    if kind.startswith("multipart/form-data"):
        path = scope["path"]
        files = next((limit for pattern, limit in _file_forms if pattern.match(path)), None)
        return files() if files is not None else get_settings().import_max_bytes + 1024 * 1024
    return MAX_BODY


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


def _too_large(limit: int) -> JSONResponse:
    return _problem(413, "Content too large", f"the request is larger than {limit // 1024:,} KB")


def _cross_site(headers: dict[bytes, str]) -> bool:
    site = headers.get(b"sec-fetch-site")
    if site is not None:
        # "none": typed in the address bar or opened from a bookmark: the person's own act.
        return site not in ("same-origin", "none")
    origin = headers.get(b"origin")
    if origin is None:
        return False
    if origin == "null":
        return True
    host = headers.get(b"host", "")
    return origin.split("://", 1)[-1] != host
