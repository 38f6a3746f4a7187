"""Feeds become hazards: once each, updated with history, one event from many sources."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.crisis import actions, queries
from kieubao.crisis.models import Hazard, HazardRevision
from tests.personas import SYSTEM

from .conftest import QUAKE_TIME, usgs_feed

FEEDS = Path(__file__).parents[1] / "data" / "feeds"


def _cap(
    identifier: str, *, msg_type: str = "Alert", references: str = "", area: str = ""
) -> bytes:
    refs = f"<references>{references}</references>" if references else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>jma@example.jp</sender>
  <sent>2026-11-20T12:10:00+09:00</sent>
  <status>Actual</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  {refs}
  <info>
    <language>en-US</language>
    <category>Geo</category>
    <event>Earthquake</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <headline>Strong shaking in Kansai</headline>
    <area>
      <areaDesc>Osaka and Hyogo</areaDesc>
      {area or "<circle>34.69,135.50 60</circle>"}
    </area>
  </info>
</alert>""".encode()


def test_a_real_usgs_feed_twice_is_the_same_hazards(session: Session) -> None:
    body = (FEEDS / "usgs" / "usgs-latest-earthquakes_2.5_week.json").read_bytes()
    first = actions.ingest(session, acting_user=SYSTEM, body=body)
    assert first.kind == "usgs" and first.new + first.updated == 245 and not first.rejected
    hazards = session.scalar(select(func.count()).select_from(Hazard))
    again = actions.ingest(session, acting_user=SYSTEM, body=body)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 245)
    assert session.scalar(select(func.count()).select_from(Hazard)) == hazards


def test_an_updated_quake_updates_its_hazard_and_keeps_the_history(session: Session) -> None:
    quake = {"id": "us7000abcd", "mag": 6.1, "lat": 34.6, "lon": 135.4}
    actions.ingest(session, acting_user=SYSTEM, body=usgs_feed(quake))
    revised = quake | {"mag": 6.4, "updated": QUAKE_TIME + timedelta(minutes=20)}
    result = actions.ingest(session, acting_user=SYSTEM, body=usgs_feed(revised))
    assert (result.new, result.updated) == (0, 1)
    (hazard,) = queries.hazards(session)
    assert hazard.magnitude == 6.4
    history = session.scalars(select(HazardRevision).where(HazardRevision.hazard_id == hazard.id))
    assert [r.summary["magnitude"] for r in history] == [6.1, 6.4]


def test_one_quake_from_two_sources_is_one_hazard(session: Session) -> None:
    actions.ingest(
        session,
        acting_user=SYSTEM,
        body=usgs_feed({"id": "us7000abcd", "mag": 6.1, "lat": 34.6, "lon": 135.4}),
    )
    result = actions.ingest(session, acting_user=SYSTEM, body=_cap("JMA-EQ-1"))
    assert (result.new, result.updated) == (0, 1)
    (hazard,) = queries.hazards(session)
    assert {r.source for r in hazard.reports} == {"usgs", "cap"}
    assert hazard.severity == "severe" and hazard.magnitude == 6.1


def test_far_apart_quakes_stay_apart(session: Session) -> None:
    body = usgs_feed(
        {"id": "a", "mag": 5.0, "lat": 34.6, "lon": 135.4},
        {"id": "b", "mag": 5.0, "lat": 43.0, "lon": 141.3},  # Sapporo, same minute
    )
    assert actions.ingest(session, acting_user=SYSTEM, body=body).new == 2


def test_a_cap_update_and_cancel_follow_their_first_alert(session: Session) -> None:
    first = actions.ingest(session, acting_user=SYSTEM, body=_cap("JMA-1"))
    (hazard_id,) = first.hazard_ids
    reference = "jma@example.jp,JMA-1,2026-11-20T12:10:00+09:00"
    update = _cap(
        "JMA-2",
        msg_type="Update",
        references=reference,
        area="<polygon>34.5,135.3 34.9,135.3 34.9,135.7 34.5,135.7 34.5,135.3</polygon>",
    )
    assert actions.ingest(session, acting_user=SYSTEM, body=update).hazard_ids == [hazard_id]
    hazard = queries.get_hazard(session, hazard_id)
    assert hazard.area is not None and hazard.area["polygons"]
    cancel = _cap(
        "JMA-3",
        msg_type="Cancel",
        references=f"{reference} jma@example.jp,JMA-2,2026-11-20T12:10:00+09:00",
    )
    actions.ingest(session, acting_user=SYSTEM, body=cancel)
    session.refresh(hazard)
    assert hazard.status == "cancelled"
    assert queries.hazards(session) == []


def test_every_real_document_ingests_and_bad_items_are_named(session: Session) -> None:
    for path in sorted(FEEDS.glob("*/*")):
        if path.suffix in {".md", ".xsd"}:
            continue
        result = actions.ingest(session, acting_user=SYSTEM, body=path.read_bytes())
        assert result.kind in {"usgs", "gdacs", "cap"}, path.name
        assert result.new + result.updated + result.unchanged + len(result.links) > 0, path.name
        for rejection in result.rejected:
            assert rejection.reason, (path.name, rejection.item)
