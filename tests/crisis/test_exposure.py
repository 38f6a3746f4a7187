"""Who is inside: exact counts, the list only to officers with jurisdiction, kept current."""

import math
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from kieubao.crisis import actions, queries
from kieubao.platform.models import User
from kieubao.registry import actions as registry
from kieubao.registry.schemas import CitizenPatch
from tests.personas import SYSTEM

from .conftest import usgs_feed

OSAKA_CIRCLE = {"circle": {"lat": 34.69, "lon": 135.50, "radius_km": 60}}
KANSAI = {
    "polygon": {
        "type": "Polygon",
        "coordinates": [
            [[134.9, 34.4], [135.8, 34.4], [135.8, 34.9], [134.9, 34.9], [134.9, 34.4]]
        ],
    }
}


def _inside(citizen: Any, lat: float, lon: float, km: float) -> bool:
    p1, p2 = math.radians(citizen.latitude), math.radians(lat)
    dp, dl = p2 - p1, math.radians(lon - citizen.longitude)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a)) <= km


def test_counts_equal_brute_force(
    api: Callable[[User | None], Any], hq_officer: User, osaka_residents: list[Any]
) -> None:
    answer = api(hq_officer).post("/api/v1/exposure", json=OSAKA_CIRCLE)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    expected = [c for c in osaka_residents if _inside(c, 34.69, 135.50, 60)]
    assert body["count"] == len(expected) == 4  # Osaka three times, and Kobe
    assert body["by_country"] == {"JP": 4}
    assert body["consenting"] == 3
    assert body["by_stay_status"] == {"worker": 3, "student": 1}
    assert sorted(c["id"] for c in body["citizens"]) == sorted(c.id for c in expected)
    polygon = api(hq_officer).post("/api/v1/exposure", json=KANSAI).json()
    assert polygon["count"] == 4


def test_partner_agencies_see_counts_and_never_people(
    api: Callable[[User | None], Any], partner_analyst: User, osaka_residents: list[Any]
) -> None:
    body = api(partner_analyst).post("/api/v1/exposure", json=OSAKA_CIRCLE).json()
    assert body["count"] == 4 and body["citizens"] is None


def test_a_mission_sees_only_the_people_of_its_countries(
    api: Callable[[User | None], Any],
    tokyo_officer: User,
    berlin_officer: User,
    osaka_residents: list[Any],
) -> None:
    everywhere = {"circle": {"lat": 45.0, "lon": 75.0, "radius_km": 9000}}
    tokyo = api(tokyo_officer).post("/api/v1/exposure", json=everywhere).json()
    berlin = api(berlin_officer).post("/api/v1/exposure", json=everywhere).json()
    assert tokyo["count"] == berlin["count"] == 6
    assert {c["country"] for c in tokyo["citizens"]} == {"JP"} and len(tokyo["citizens"]) == 5
    assert [c["full_name"] for c in berlin["citizens"]] == ["Đỗ Quang Huy"]


def test_pages_follow_one_another(
    api: Callable[[User | None], Any], hq_officer: User, osaka_residents: list[Any]
) -> None:
    seen, after = [], 0
    while True:
        body = (
            api(hq_officer)
            .post("/api/v1/exposure", json=OSAKA_CIRCLE | {"limit": 3, "after_id": after})
            .json()
        )
        seen += [c["id"] for c in body["citizens"]]
        if body["next_after_id"] is None:
            break
        after = body["next_after_id"]
    assert seen == sorted(seen) and len(seen) == 4


def test_the_index_follows_the_registry(
    session: Session,
    api: Callable[[User | None], Any],
    hq_officer: User,
    osaka_residents: list[Any],
    make_citizen: Callable[..., Any],
) -> None:
    def count() -> int:
        return int(api(hq_officer).post("/api/v1/exposure", json=OSAKA_CIRCLE).json()["count"])

    assert count() == 4
    newcomer = make_citizen(full_name="Vũ Thị Gấm", city="Sakai", date_of_birth="2000-01-01")
    assert count() == 5
    registry.update_citizen(
        session, acting_user=SYSTEM, citizen=newcomer, patch=CitizenPatch(city="Sapporo")
    )
    assert count() == 4
    registry.erase_citizen(session, acting_user=hq_officer, citizen=osaka_residents[0])
    session.commit()
    assert count() == 3


def test_bad_shapes_are_refused_with_reasons(
    api: Callable[[User | None], Any], hq_officer: User
) -> None:
    client = api(hq_officer)
    for body in (
        {},
        {"circle": {"lat": 95, "lon": 0, "radius_km": 10}},
        {"circle": {"lat": 0, "lon": 0, "radius_km": -1}},
        {"polygon": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}},
        {"polygon": {"type": "Point", "coordinates": [0, 0]}},
        OSAKA_CIRCLE | KANSAI,
    ):
        answer = client.post("/api/v1/exposure", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")


def test_no_one_unsigned_counts_anyone(api: Callable[[User | None], Any]) -> None:
    assert api(None).post("/api/v1/exposure", json=OSAKA_CIRCLE).status_code == 401


def test_the_board_counts_each_exposed_person_once(
    session: Session, osaka_residents: list[Any]
) -> None:
    overlapping = usgs_feed(
        {"id": "us7000osak", "mag": 6.5, "lat": 34.62, "lon": 135.45},
        {"id": "us7000kobe", "mag": 6.0, "lat": 34.69, "lon": 135.19},
    )
    actions.ingest(session, acting_user=SYSTEM, body=overlapping)
    exposed = sorted(h.exposed or 0 for h in queries.hazards(session))
    assert exposed == [4, 4]  # three in Osaka and one in Kobe, inside both
    assert queries.active_summary(session) == queries.ActiveSummary(hazards=2, exposed=4)
