"""The public portal's advisory pages, and the Atom and CAP feeds they are announced on."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from kieubao.outreach import feeds, queries
from kieubao.outreach.models import AdvisoryVersion, Reason, Status
from kieubao.outreach.sanitize import clean_html
from kieubao.platform import countries, i18n
from kieubao.platform.deps import Anyone, SessionDep
from kieubao.platform.errors import NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.web import render

router = APIRouter()

ATOM_TYPE = "application/atom+xml; charset=utf-8"
CAP_TYPE = "application/cap+xml; charset=utf-8"


def reason_name(reason: str) -> str:
    names: dict[Reason, str] = {
        Reason.conflict: _("armed conflict"),
        Reason.crime: _("crime"),
        Reason.terrorism: _("terrorism"),
        Reason.disaster: _("natural disaster"),
        Reason.health: _("health risks"),
        Reason.civil_unrest: _("civil unrest"),
        Reason.kidnapping: _("kidnapping"),
        Reason.wrongful_detention: _("wrongful detention"),
        Reason.other: _("other risks"),
    }
    return names[Reason(reason)] if reason in set(Reason) else reason


def status_name(status: Status) -> str:
    names = {
        Status.draft: _("draft"),
        Status.in_review: _("in review"),
        Status.approved: _("approved"),
        Status.published: _("published"),
        Status.superseded: _("superseded"),
    }
    return names[status]


def page_context() -> dict[str, Any]:
    locale = i18n.current_locale.get()
    return {
        "country_name": countries.display_name,
        "reason_name": reason_name,
        "status_name": status_name,
        "level_name": feeds.LEVEL_NAMES_VI if locale == "vi" else feeds.LEVEL_NAMES,
        # Stored text is already clean; cleaning again on the way out costs little.
        "safe_html": lambda text: Markup(clean_html(text)),  # noqa: S704
    }


@router.get("/advisories", response_class=HTMLResponse)
def world(request: Request, session: SessionDep, user: Anyone) -> Response:
    """Every country with an advisory, grouped and coloured by level, highest first."""
    found = queries.published(session)
    by_level: dict[int, list[AdvisoryVersion]] = {level: [] for level in (4, 3, 2, 1)}
    for version in found:
        by_level[version.level].append(version)
    return render(request, "outreach/world.html", by_level=by_level, **page_context())


@router.get("/advisories/{country}", response_class=HTMLResponse)
def country_page(country: str, request: Request, session: SessionDep, user: Anyone) -> Response:
    found = queries.published(session, country)
    if not found:
        raise NotFound(f"published advisory for {country.upper()}")
    return render(
        request,
        "outreach/country.html",
        country=found[0].advisory.country,
        advisories=found,
        contacts=queries.contacts(session, found[0].advisory.country),
        hotline=queries.PROTECTION_HOTLINE,
        **page_context(),
    )


@router.get("/feeds/advisories.atom")
def advisories_feed(session: SessionDep, user: Anyone) -> Response:
    body = feeds.atom(
        queries.recent_publications(session),
        feed_path="/feeds/advisories.atom",
        title="Travel advisories",
    )
    return Response(body, media_type=ATOM_TYPE)


@router.get("/feeds/advisories/{country}.atom")
def country_feed(country: str, session: SessionDep, user: Anyone) -> Response:
    code = country.upper()
    if not countries.is_valid(code):
        raise NotFound(f"country {code}")
    body = feeds.atom(
        queries.recent_publications(session, code),
        feed_path=f"/feeds/advisories/{code}.atom",
        title=f"Travel advisories: {countries.get(code).name_en}",  # type: ignore[union-attr]
    )
    return Response(body, media_type=ATOM_TYPE)


@router.get("/feeds/cap.atom")
def cap_feed(session: SessionDep, user: Anyone) -> Response:
    return Response(
        feeds.cap_index(queries.recent_publications(session, cap_only=True)), media_type=ATOM_TYPE
    )


@router.get("/cap/{identifier}.xml")
def cap_alert(identifier: str, session: SessionDep, user: Anyone) -> Response:
    version = queries.by_cap_identifier(session, identifier)
    contacts = queries.contacts(session, version.advisory.country)
    body = feeds.cap_alert(version, contacts, queries.PROTECTION_HOTLINE)
    return Response(body, media_type=CAP_TYPE)
