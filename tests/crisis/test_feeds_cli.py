"""Feeds by hand (the command line, the API) and on a schedule (conditional polling)."""

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from kieubao.cli import build
from kieubao.crisis.actions.polling import due_sources, poll_source
from kieubao.crisis.actions.setup import save_feed_source
from kieubao.crisis.fetch import Fetched, FetchError
from kieubao.crisis.schemas import FeedSourceIn
from kieubao.platform.db import utcnow
from kieubao.platform.models import User
from tests.personas import SYSTEM

from .conftest import usgs_feed
from .test_hazards import FEEDS

QUAKE = {"id": "us7000cli1", "mag": 5.2, "lat": 34.6, "lon": 135.4}


def test_ingest_a_file_and_say_what_changed(session: Session) -> None:
    path = FEEDS / "gdacs" / "exxamalte_gdacs-rss.xml"
    runner = CliRunner()
    first = runner.invoke(build(), ["feeds", "ingest", str(path), "--json"])
    assert first.exit_code == 0, first.output
    counts = json.loads(first.output)
    assert counts["kind"] == "gdacs" and counts["new"] + counts["updated"] == 16
    again = runner.invoke(build(), ["feeds", "ingest", str(path)])
    assert again.exit_code == 0 and "0 new, 0 updated, 16 unchanged" in again.output


def test_a_broken_document_is_refused_with_its_reason(tmp_path: Any, session: Session) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        "<alert>&lol2;</alert>"
    )
    result = CliRunner().invoke(build(), ["feeds", "ingest", str(bomb), "--json"])
    assert result.exit_code == 1 and json.loads(result.output)["error"]
    missing = CliRunner().invoke(build(), ["feeds", "ingest", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_a_cap_alert_posted_to_the_api(
    api: Callable[[User | None], Any], hq_officer: User, tokyo_officer: User
) -> None:
    body = (FEEDS / "cap" / "google_canada_ec.cap").read_bytes()
    assert api(tokyo_officer).post("/api/v1/feeds/ingest", content=body).status_code == 403
    answer = api(hq_officer).post("/api/v1/feeds/ingest?kind=cap", content=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["new"] == 1
    (hazard,) = api(hq_officer).get("/api/v1/hazards").json()
    assert [s["languages"] for s in hazard["sources"]] == [["en-CA", "fr-CA"]]
    assert api(hq_officer).post("/api/v1/feeds/ingest", content=b"not a feed").status_code == 422


class FakeFeed:
    """A feed server that honours conditional requests and can fail."""

    def __init__(self) -> None:
        self.body = usgs_feed(QUAKE)
        self.failing = False
        self.asked: list[dict[str, Any]] = []

    def __call__(self, url: str, **validators: Any) -> Fetched:
        self.asked.append(validators)
        if self.failing:
            raise FetchError(f"{url} answered 503")
        if validators.get("etag") == '"v1"':
            return Fetched(None, '"v1"', None)
        return Fetched(self.body, '"v1"', "Fri, 20 Nov 2026 03:10:00 GMT")


def test_polling_is_conditional_and_backs_off(session: Session, hq_officer: User) -> None:
    source = save_feed_source(
        session,
        acting_user=hq_officer,
        data=FeedSourceIn(name="USGS", url="https://example.org/2.5_day.geojson", poll_seconds=60),
    )
    assert due_sources(session) == [source]
    feed = FakeFeed()
    assert poll_source(session, acting_user=SYSTEM, source=source, fetcher=feed).new == 1
    assert source.etag == '"v1"' and due_sources(session) == []
    source.next_poll_at = utcnow()
    assert poll_source(session, acting_user=SYSTEM, source=source, fetcher=feed).new == 0
    assert feed.asked[-1]["etag"] == '"v1"' and source.last_result["not_modified"]
    feed.failing = True
    for failures in (1, 2):
        with pytest.raises(FetchError):
            poll_source(session, acting_user=SYSTEM, source=source, fetcher=feed)
        assert source.failures == failures and "503" in (source.last_error or "")
        wait = source.next_poll_at - source.last_polled_at  # type: ignore[operator]
        assert wait == timedelta(seconds=60 * 2**failures)
