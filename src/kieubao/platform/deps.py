"""Who may call what: typed dependencies every route declares.

Deny by default: :func:`check_declared` refuses to start an app with a route that names no
``Allow`` (or ``Public``, ``Unnamed``) dependency.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute

from kieubao.platform import accounts
from kieubao.platform.db import new_session
from kieubao.platform.models import OFFICER_ROLES, STAFF_ROLES, Role, User
from kieubao.platform.web import LoginRequired, database_fault, wants_json

SESSION_COOKIE = "kb_session"


def get_session() -> Iterator[Session]:
    session = new_session()
    try:
        yield session
    finally:
        try:
            session.close()
        except DBAPIError as exc:
            # The server went away after the answer was made: the rollback of closing has
            # nothing left to undo, and the answer must not turn into an error after the fact.
            if database_fault(exc)[0] != 503:
                raise
            session.invalidate()


SessionDep = Annotated[Session, Depends(get_session)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token else None


def resolve_user(request: Request, session: Session) -> tuple[User | None, str]:
    """The caller and how far they got: ("full" | "password" | "none")."""
    if token := _bearer(request):
        user = accounts.token_user(session, token)
        return (user, "full") if user else (None, "none")
    if cookie := request.cookies.get(SESSION_COOKIE):
        found = accounts.session_user(session, cookie)
        if found:
            return found
    return None, "none"


class Allow:
    """A route's declaration of the roles that may call it."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    def __call__(self, request: Request, session: SessionDep) -> User:
        user, stage = resolve_user(request, session)
        if user is None or stage != "full":
            if wants_json(request):
                raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Bearer"})
            raise LoginRequired
        if user.role not in self.roles:
            raise HTTPException(403, "your role may not do this")
        request.state.user = user
        return user


class Public:
    """A route anyone may call; the user is given when someone is signed in."""

    def __call__(self, request: Request, session: SessionDep) -> User | None:
        user, stage = resolve_user(request, session)
        request.state.user = user if stage == "full" else None
        return request.state.user  # type: ignore[no-any-return]


class PublicAwaited:
    """:class:`Public` for a handler on the event loop that must hold a surge: a caller who
    brings no credentials (nearly everyone, in a surge) costs no session and no thread; one
    who does is looked up off the loop, as :class:`Public` would."""

    async def __call__(self, request: Request) -> User | None:
        if _bearer(request) is None and SESSION_COOKIE not in request.cookies:
            request.state.user = None
            return None
        return await run_in_threadpool(self._looked_up, request)

    @staticmethod
    def _looked_up(request: Request) -> User | None:
        with new_session() as session:
            return Public()(request, session)


class Unnamed:
    """A route anyone may call and that has no use for who they are (a public intake taken in
    a surge): the caller is not looked up, so it costs no session and no thread."""

    async def __call__(self, request: Request) -> None:
        request.state.user = None


AnyOfficer = Annotated[User, Depends(Allow(*OFFICER_ROLES))]
HQ = Annotated[User, Depends(Allow(Role.admin, Role.hq_officer))]
Admin = Annotated[User, Depends(Allow(Role.admin))]
Staff = Annotated[User, Depends(Allow(*STAFF_ROLES))]
Citizen = Annotated[User, Depends(Allow(Role.citizen))]
Signed = Annotated[User, Depends(Allow(*Role))]
Anyone = Annotated[User | None, Depends(Public())]
AnyoneAwaited = Annotated[User | None, Depends(PublicAwaited())]
AnyoneUnnamed = Annotated[None, Depends(Unnamed())]


@dataclass(frozen=True)
class Scope:
    """The countries whose people a user may see; None means all of them."""

    countries: frozenset[str] | None
    personal_data: bool

    def covers(self, country: str) -> bool:
        return self.countries is None or country in self.countries


def scope_of(user: User) -> Scope:
    if user.role in (Role.admin, Role.hq_officer):
        return Scope(None, True)
    if user.role is Role.mission_officer:
        countries = frozenset(user.mission.countries) if user.mission else frozenset()
        return Scope(countries, True)
    return Scope(None, False)


def _declares(dependant: Dependant) -> bool:
    return any(
        isinstance(d.call, Allow | Public | PublicAwaited | Unnamed) or _declares(d)
        for d in dependant.dependencies
    )


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every endpoint, including those of included routers (kept nested by FastAPI)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (router := getattr(route, "original_router", None)) is not None:
            yield from api_routes(router.routes)


def check_declared(app: FastAPI) -> None:
    missing = [
        f"{sorted(r.methods or ())} {r.path} ({r.name})"
        for r in api_routes(app.routes)
        if not _declares(r.dependant)
    ]
    if missing:
        raise RuntimeError(f"routes that do not say who may call them: {', '.join(missing)}")
