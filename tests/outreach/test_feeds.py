"""The feeds other systems read: Atom for news readers, CAP 1.2 for alerting systems."""

from collections.abc import Callable

import feedparser
from defusedxml import ElementTree
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kieubao.crisis.feeds.capschema import schema_problem
from kieubao.outreach.models import AdvisoryVersion
from kieubao.platform.models import User
from kieubao.platform.settings import get_settings

BORDER = {
    "type": "Polygon",
    "coordinates": [[[35.1, 33.0], [36.6, 33.0], [36.6, 33.4], [35.1, 33.4], [35.1, 33.0]]],
}


def test_the_advisories_feed_lists_every_publication_with_required_atom_elements(
    api: Callable[[User | None], TestClient],
    publish_advisory: Callable[..., AdvisoryVersion],
) -> None:
    publish_advisory(level=2)
    publish_advisory(level=3)
    response = api(None).get("/feeds/advisories.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")

    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Travel advisories"
    assert feed.feed.id.endswith("/feeds/advisories.atom")
    assert feed.feed.updated_parsed is not None
    titles = [e.title for e in feed.entries]
    assert titles == [
        "Japan: level 3, raised from 2 - Reconsider travel",
        "Japan: level 2 - Exercise increased caution",
    ]
    for entry in feed.entries:
        assert entry.id and entry.updated_parsed and entry.link.endswith("/advisories/JP")
    assert any(link.type == "application/cap+xml" for link in feed.entries[0].links)


def test_a_country_feed_lists_that_country_only(
    api: Callable[[User | None], TestClient],
    publish_advisory: Callable[..., AdvisoryVersion],
    session: Session,
    hq_officer: User,
) -> None:
    publish_advisory(level=2)
    client = api(None)
    assert len(feedparser.parse(client.get("/feeds/advisories/jp.atom").content).entries) == 1
    german = feedparser.parse(client.get("/feeds/advisories/DE.atom").content)
    assert not german.bozo and german.entries == []
    assert client.get("/feeds/advisories/XX.atom").status_code == 404


def test_a_level_3_alert_is_valid_cap_and_indexed(
    api: Callable[[User | None], TestClient],
    publish_advisory: Callable[..., AdvisoryVersion],
) -> None:
    publish_advisory(level=2)
    raised = publish_advisory(
        level=4, region="Southern border", region_geometry=BORDER, country="JP"
    )
    client = api(None)
    index = feedparser.parse(client.get("/feeds/cap.atom").content)
    cap_links = [link.href for e in index.entries for link in e.links if "cap" in link.type]
    base = get_settings().base_url
    assert cap_links == [f"{base}/cap/{raised.cap_identifier}.xml"]

    response = client.get(f"/cap/{raised.cap_identifier}.xml")
    assert response.headers["content-type"].startswith("application/cap+xml")
    alert = ElementTree.fromstring(response.content)
    assert schema_problem(alert) is None
    ns = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
    infos = alert.findall("cap:info", ns)
    assert [i.findtext("cap:language", namespaces=ns) for i in infos] == ["vi-VN", "en-US"]
    assert {i.findtext("cap:severity", namespaces=ns) for i in infos} == {"Extreme"}
    polygon = infos[0].findtext("cap:area/cap:polygon", namespaces=ns)
    assert polygon is not None and polygon.startswith("33,35.1 33,36.6")
    assert "+84 981 84 84 84" in (infos[1].findtext("cap:contact", namespaces=ns) or "")


def test_a_level_2_advisory_has_no_cap_alert(
    api: Callable[[User | None], TestClient],
    publish_advisory: Callable[..., AdvisoryVersion],
) -> None:
    publish_advisory(level=2)
    client = api(None)
    assert feedparser.parse(client.get("/feeds/cap.atom").content).entries == []
    assert client.get("/cap/kieubao-advisory-JP-v1.xml").status_code == 404
