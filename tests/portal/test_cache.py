"""Portal pages are kept until what they show changes, and browsers revalidate them."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kieubao.crisis import exposure
from kieubao.crisis.actions.ingest import ingest
from kieubao.crisis.actions.roster import open_crisis
from kieubao.outreach.models import AdvisoryVersion
from kieubao.platform import accounts
from kieubao.platform.deps import SESSION_COOKIE
from kieubao.platform.models import User
from kieubao.platform.settings import get_settings
from kieubao.portal.cache import pages
from kieubao.registry.models import Citizen
from tests.crisis.conftest import usgs_feed
from tests.personas import SYSTEM


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    exposure.reset()
    yield
    exposure.reset()


def test_a_kept_page_is_revalidated_with_its_etag(app_client: TestClient) -> None:
    first = app_client.get("/?lang=vi")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"
    assert first.headers["vary"] == "Cookie"
    again = app_client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert app_client.get("/", headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert app_client.get("/", headers={"If-None-Match": '"other"'}).status_code == 200
    # Each language is a page of its own.
    english = app_client.get("/?lang=en")
    assert english.headers["etag"] != etag and "In trouble abroad?" in english.text


def test_publishing_an_advisory_changes_the_kept_pages(
    app_client: TestClient, publish_advisory: Callable[..., AdvisoryVersion]
) -> None:
    before = app_client.get("/countries/JP?lang=en")
    assert "No travel advisory is in force" in before.text
    home_before = app_client.get("/").headers["etag"]
    map_before = app_client.get("/map/advisories.svg").headers["etag"]
    publish_advisory(country="JP", level=3)
    after = app_client.get("/countries/JP", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and "Level 3" in after.text
    assert app_client.get("/").headers["etag"] != home_before
    assert app_client.get("/map/advisories.svg").headers["etag"] != map_before


def test_writes_the_portal_does_not_show_leave_the_kept_pages_alone(
    session: Session, citizen_in_osaka: Citizen, make_citizen: Callable[..., Any]
) -> None:
    before = pages.version(session)
    make_citizen(full_name="Trần Thị Bình", city="Kobe", date_of_birth="1985-01-02")
    assert pages.version(session) == before


def test_a_hazard_and_a_crisis_reach_the_home_and_the_country_page(
    app_client: TestClient, session: Session, hq_officer: User
) -> None:
    calm = app_client.get("/?lang=en")
    assert "No current alerts." in calm.text
    quake = {"id": "us7000osk", "mag": 7.1, "lat": 34.69, "lon": 135.5, "alert": "orange"}
    ingest(session, acting_user=SYSTEM, body=usgs_feed(quake))
    stirred = app_client.get("/", headers={"If-None-Match": calm.headers["etag"]})
    assert stirred.status_code == 200 and "M 7.1 - near Osaka, Japan" in stirred.text
    crisis = open_crisis(
        session,
        acting_user=hq_officer,
        title="Osaka earthquake",
        area={"circles": [{"lat": 34.69, "lon": 135.5, "radius_km": 80}]},
        countries=["JP"],
    )
    country = app_client.get("/countries/JP").text
    assert "Osaka earthquake" in country and f'href="/crises/{crisis.id}/here"' in country
    # A country the quake did not touch hears nothing of it.
    assert "Osaka earthquake" not in app_client.get("/countries/DE").text


def test_signed_in_viewers_get_their_own_page_never_kept(
    app_client: TestClient, session: Session, citizen_in_osaka: Citizen
) -> None:
    app_client.get("/")
    user = session.get(User, citizen_in_osaka.user_id)
    assert user is not None
    token = accounts.start_session(session, user=user, stage="full")
    app_client.cookies.set(SESSION_COOKIE, token)
    mine = app_client.get("/")
    assert user.email in mine.text
    assert mine.headers["cache-control"] == "private, no-store" and "etag" not in mine.headers
    app_client.cookies.delete(SESSION_COOKIE)
    assert user.email not in app_client.get("/").text


def test_with_the_cache_off_pages_are_built_each_time_and_still_revalidate(
    app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "page_cache", False)
    first = app_client.get("/")
    assert app_client.get("/", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert not pages._pages
