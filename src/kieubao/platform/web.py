"""The web shell: templates, language, problem details and the pieces every page shares."""

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kieubao.platform import i18n
from kieubao.platform.errors import Problem
from kieubao.platform.guard import Guard
from kieubao.platform.i18n import gettext as _

PLATFORM_TEMPLATES = Path(str(files("kieubao.platform") / "templates"))
STATIC_DIR = Path(str(files("kieubao.platform") / "static"))
LANG_COOKIE = "lang"

_template_dirs: list[Path] = [PLATFORM_TEMPLATES]


def add_template_dir(path: Path) -> None:
    """Domains' pages bring their own templates; the app registers their folders at start-up."""
    if path not in _template_dirs:
        _template_dirs.append(path)
        templates.cache_clear()


@cache
def templates() -> Jinja2Templates:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in _template_dirs]),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["localtime"] = i18n.format_local
    return Jinja2Templates(env=env)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("user", getattr(request.state, "user", None))
    context["locale"] = i18n.current_locale.get()
    return templates().TemplateResponse(request, name, context, status_code=status_code)


def wants_json(request: Request) -> bool:
    return (
        request.url.path.startswith(("/api/", "/hooks/"))
        or "application/json" in request.headers.get("accept", "").split(",")[0]
    )


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """RFC 9457 problem details."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


class LoginRequired(Exception):
    """A page needs a signed-in user; API routes answer 401 instead."""


class Language:
    """The viewer's language for the whole request: ?lang= (remembered in a cookie), the
    cookie, or for the API the Accept-Language header. Plain ASGI: it adds no task and no
    copy of the body to each request, as a BaseHTTPMiddleware would."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        # Only what decides is read: in a surge every request passes here.
        asked = request.query_params.get("lang") if b"lang=" in scope["query_string"] else None
        if asked:
            locale = i18n.pick_locale(asked)
        elif scope["path"].startswith("/api/"):
            # Programs get English unless they ask for Vietnamese.
            locale = i18n.accepted(request.headers.get("accept-language", ""))
        else:
            locale = i18n.pick_locale(request.cookies.get(LANG_COOKIE))

        async def remember(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{LANG_COOKIE}={locale}; Max-Age={365 * 86400}; Path=/; SameSite=lax"
                MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        with i18n.speaking(locale):
            await self.app(scope, receive, remember if asked else send)


def install(app: FastAPI) -> None:
    app.add_middleware(Language)
    app.add_middleware(Guard)  # outermost: refusals and error pages carry the headers too

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> Response:
        if wants_json(request):
            return problem(exc.status, exc.title, exc.detail, errors=exc.errors)
        return render(request, "error.html", exc.status, title=exc.title, detail=exc.detail)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p not in ("body", "query", "path")),
                "reason": e["msg"],
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
        if wants_json(request):
            return problem(422, "Invalid input", detail, errors=errors)
        return render(request, "error.html", 422, title="Invalid input", detail=detail)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        response: Response
        if wants_json(request):
            response = problem(exc.status_code, _reason(exc.status_code), str(exc.detail))
        else:
            response = render(
                request,
                "error.html",
                exc.status_code,
                title=_reason(exc.status_code),
                detail=str(exc.detail),
            )
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(DBAPIError)
    async def on_database_fault(request: Request, exc: DBAPIError) -> Response:
        """The database is full, restarting or out of reach: say so and when to retry, as a
        503 (or 507) a client and a load balancer understand, never a bare 500. Nothing was
        written: the transaction was rolled back with the session."""
        status, title, detail = database_fault(exc)
        if status is None:
            raise exc
        response: Response
        if wants_json(request):
            response = problem(status, title, detail)
        else:
            response = render(request, "error.html", status, title=title, detail=detail)
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response

    @app.exception_handler(LoginRequired)
    async def on_login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


# Markers of faults of the database's server or storage, not of the request.
_FULL = ("database or disk is full", "no space left on device", "disk full")
_UNAVAILABLE = (
    "server closed the connection",
    "connection refused",
    "terminating connection",
    "could not connect",
    "connection is closed",
    "consuming input failed",
    "the database system is starting up",
    "the database system is shutting down",
    # After a crash or an immediate stop, while the server replays its log.
    "the database system is not yet accepting connections",
    "the database system is in recovery mode",
    "database is locked",
    "disk i/o error",
)
# PostgreSQL's codes for the same: connection exceptions (class 08), the server shut down by
# an administrator or a crash, or not accepting connections yet (57P01-57P03).
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03")
RETRY_AFTER_S = 5


def database_fault(exc: DBAPIError) -> tuple[int | None, str, str]:
    """(status, title, detail) for a fault of the database itself; status None otherwise."""
    text = str(exc.orig).lower()
    if any(marker in text for marker in _FULL):
        return 507, "Insufficient storage", _("The server's storage is full. Nothing was saved.")
    state = getattr(exc.orig, "sqlstate", None) or ""
    if (
        exc.connection_invalidated
        or any(marker in text for marker in _UNAVAILABLE)
        or state.startswith(_UNAVAILABLE_STATES)
    ):
        return (
            503,
            "Service unavailable",
            _("The database is unavailable for a moment. Nothing was saved; please try again."),
        )
    return None, "", ""


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
