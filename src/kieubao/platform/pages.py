"""Signing in and out: officers with password and TOTP, citizens with a one-time email link."""

from typing import Annotated
from urllib.parse import urlparse

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kieubao.platform import accounts, audit, i18n
from kieubao.platform.deps import SESSION_COOKIE, Anyone, Public, SessionDep, resolve_user
from kieubao.platform.limits import Limiter, TooMany
from kieubao.platform.models import Role, User
from kieubao.platform.security import totp_uri
from kieubao.platform.settings import get_settings
from kieubao.platform.web import render

router = APIRouter(include_in_schema=False)
_ = i18n.gettext
# Failed sign-ins from one address, whichever accounts they try (an office behind one
# address signs in all day; only its mistakes count).
attempts_per_address = Limiter(attempts=30, seconds=900)


def _safe_next(target: str | None, default: str) -> str:
    # Only same-site paths: an open redirect would let a phishing link borrow our login page.
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or urlparse(target).netloc
    ):
        return default
    return target


def _home(role: Role) -> str:
    return "/me" if role is Role.citizen else "/console"


def _with_cookie(response: Response, token: str) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        max_age=get_settings().session_days * 86400,
    )
    return response


@router.get("/healthz", dependencies=[Depends(Public())])
def healthz(session: SessionDep) -> dict[str, str]:
    from sqlalchemy import text

    session.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, user: Anyone, next: str | None = None) -> Response:
    return render(request, "login.html", next=_safe_next(next, ""), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    _user: Anyone,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "",
) -> Response:
    address = request.client.host if request.client else "unknown"
    try:
        attempts_per_address.check(address)
        user = accounts.authenticate(session, email=email, password=password)
    except TooMany as exc:
        return render(request, "login.html", 429, next=next, email=email, error=exc.detail)
    if user is None or user.role is Role.citizen:
        attempts_per_address.record(address)
        return render(
            request, "login.html", 401, next=next, email=email, error=_("Wrong email or password.")
        )
    token = accounts.start_session(session, user=user, stage="password")
    step = "/login/totp" if user.totp_confirmed else "/login/totp/enrol"
    target = f"{step}?next={_safe_next(next, _home(user.role))}"
    return _with_cookie(RedirectResponse(target, status_code=303), token)


def _pending(request: Request, session: SessionDep) -> tuple[User, str] | None:
    user, stage = resolve_user(request, session)
    token = request.cookies.get(SESSION_COOKIE)
    if user is None or stage != "password" or token is None:
        return None
    return user, token


@router.get("/login/totp/enrol", response_class=HTMLResponse)
def totp_enrol_form(request: Request, session: SessionDep, _u: Anyone, next: str = "") -> Response:
    pending = _pending(request, session)
    if pending is None or pending[0].totp_confirmed:
        return RedirectResponse("/login", status_code=303)
    user = pending[0]
    secret = accounts.begin_totp_enrolment(session, user=user)
    qr = segno.make(totp_uri(secret, user.email), error="m").svg_inline(scale=5)
    return render(request, "totp_enrol.html", secret=secret, qr=qr, next=next, error=None)


@router.get("/login/totp", response_class=HTMLResponse)
def totp_form(request: Request, session: SessionDep, _u: Anyone, next: str = "") -> Response:
    if _pending(request, session) is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "totp.html", next=next, error=None)


@router.post("/login/totp", response_class=HTMLResponse)
def totp(
    request: Request,
    session: SessionDep,
    _u: Anyone,
    code: Annotated[str, Form()],
    next: Annotated[str, Form()] = "",
) -> Response:
    pending = _pending(request, session)
    if pending is None:
        return RedirectResponse("/login", status_code=303)
    user, token = pending
    was_enrolled = user.totp_confirmed
    try:
        verified = accounts.verify_second_factor(session, user=user, token=token, code=code)
    except TooMany as exc:
        return render(request, "totp.html", 429, next=next, error=exc.detail)
    if not verified:
        error = _("That code is not valid. Check the time on your phone and try again.")
        if was_enrolled:
            return render(request, "totp.html", 401, next=next, error=error)
        qr = segno.make(totp_uri(user.totp_secret or "", user.email), error="m").svg_inline(scale=5)
        return render(
            request, "totp_enrol.html", 401, secret=user.totp_secret, qr=qr, next=next, error=error
        )
    return RedirectResponse(_safe_next(next, _home(user.role)), status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep, _u: Anyone) -> Response:
    if token := request.cookies.get(SESSION_COOKIE):
        accounts.end_session(session, token=token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/login/citizen", response_class=HTMLResponse)
def citizen_login_form(request: Request, _u: Anyone, next: str = "") -> Response:
    return render(request, "citizen_login.html", next=_safe_next(next, ""), sent=False)


@router.post("/login/citizen", response_class=HTMLResponse)
def citizen_login(
    request: Request,
    session: SessionDep,
    _u: Anyone,
    email: Annotated[str, Form()],
    next: Annotated[str, Form()] = "",
) -> Response:
    accounts.issue_login_link(
        session,
        acting_user=audit.System("citizen sign-in"),
        email=email,
        payload={"next": _safe_next(next, "/me")},
    )
    # The same answer whether or not the address is known: no one learns who is registered.
    return render(request, "citizen_login.html", sent=True, email=email, next=next)


@router.get("/login/link/{token}", response_class=HTMLResponse)
def citizen_link(request: Request, session: SessionDep, _u: Anyone, token: str) -> Response:
    link = accounts.redeem_login_link(session, token=token)
    if link is None:
        return render(
            request,
            "error.html",
            410,
            title=_("This link has expired"),
            detail=_("Sign-in links work once and for a short time. Ask for a new one."),
        )
    user = accounts.citizen_user(session, email=link.email)
    token_value = accounts.start_session(session, user=user, stage="full")
    target = _safe_next(str(link.payload.get("next") or ""), _home(user.role))
    return _with_cookie(RedirectResponse(target, status_code=303), token_value)
