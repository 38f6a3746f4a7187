"""Early-warning stories: quakes and warnings near people the registry knows."""

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kieubao.crisis import exposure
from kieubao.crisis.actions.setup import save_alert_rule
from kieubao.crisis.models import AlertRule
from kieubao.crisis.schemas import AlertRuleIn
from tests.personas import SYSTEM

QUAKE_TIME = datetime(2026, 11, 20, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_index(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test's database starts over, so the index does too; and it syncs at every count
    (the server's 0.2 s pause would only slow the stories down)."""
    monkeypatch.setattr(exposure, "SYNC_INTERVAL_S", 0.0)
    exposure.reset()
    yield
    exposure.reset()


def usgs_feed(*quakes: dict[str, Any]) -> bytes:
    """A USGS summary feed in the shape the real ones have, holding the quakes given."""
    features = []
    for quake in quakes:
        when = quake.get("time", QUAKE_TIME)
        updated = quake.get("updated", when)
        features.append(
            {
                "type": "Feature",
                "id": quake["id"],
                "properties": {
                    "mag": quake["mag"],
                    "place": quake.get("place", "near Osaka, Japan"),
                    "time": int(when.timestamp() * 1000),
                    "updated": int(updated.timestamp() * 1000),
                    "alert": quake.get("alert"),
                    "tsunami": 0,
                    "type": "earthquake",
                    "title": f"M {quake['mag']} - {quake.get('place', 'near Osaka, Japan')}",
                    "url": f"https://earthquake.usgs.gov/earthquakes/eventpage/{quake['id']}",
                },
                "geometry": {"type": "Point", "coordinates": [quake["lon"], quake["lat"], 10.0]},
            }
        )
    generated = int((QUAKE_TIME + timedelta(minutes=5)).timestamp() * 1000)
    return json.dumps(
        {
            "type": "FeatureCollection",
            "metadata": {"generated": generated, "title": "USGS M2.5+ Earthquakes, Past Day"},
            "features": features,
        }
    ).encode()


@pytest.fixture
def quake_rule(session: Session) -> AlertRule:
    return save_alert_rule(
        session,
        acting_user=SYSTEM,
        data=AlertRuleIn(name="Strong earthquake", hazard_types=["earthquake"], min_magnitude=6.0),
    )


@pytest.fixture
def osaka_residents(make_citizen: Callable[..., Any]) -> list[Any]:
    """Three people in Osaka, one in Kobe, one in Tokyo and one in Berlin."""
    return [
        make_citizen(full_name="Nguyễn Văn An", city="Osaka"),
        make_citizen(full_name="Trần Thị Bình", city="Osaka", date_of_birth="1985-01-02"),
        make_citizen(
            full_name="Lê Văn Cường",
            city="Osaka",
            date_of_birth="1999-03-04",
            stay_status="student",
            consents={"crisis_alerts": False},
        ),
        make_citizen(full_name="Phạm Thu Dung", city="Kobe", date_of_birth="1992-06-07"),
        make_citizen(full_name="Hoàng Minh Em", city="Tokyo", date_of_birth="1980-08-09"),
        make_citizen(
            full_name="Đỗ Quang Huy", country="DE", city="Berlin", date_of_birth="1975-10-11"
        ),
    ]
