"""Subscribers of crisis alerts hear of a crisis opened in their countries, with where to say
they are in the area; others do not."""

from collections.abc import Callable

from sqlalchemy.orm import Session

from kieubao.crisis import actions as crisis
from kieubao.outreach.models import Subscriber
from kieubao.platform.models import User
from tests.personas import mails_to

OSAKA = {"circles": [{"lat": 34.69, "lon": 135.5, "radius_km": 60}], "polygons": []}


def test_a_crisis_opened_in_japan_reaches_its_crisis_alert_subscribers(
    session: Session, subscribe: Callable[..., Subscriber], hq_officer: User
) -> None:
    subscribe("lan@example.org", topics=["crisis_alerts"], language="vi")
    subscribe("tom@example.org", topics=["crisis_alerts"], language="en")
    subscribe("only.news@example.org", topics=["bulletins"])
    subscribe("berlin@example.org", topics=["crisis_alerts"], countries=["DE"])
    opened = crisis.open_crisis(
        session, acting_user=hq_officer, title="Động đất Osaka", area=OSAKA, countries=["JP"]
    )
    (vi,) = _alerts("lan@example.org")
    assert "Động đất Osaka" in vi and "Nhật Bản" in vi
    assert f"/crises/{opened.id}/here?lang=vi" in vi and "/unsubscribe/" in vi
    (en,) = _alerts("tom@example.org")
    assert "Japan" in en and f"/crises/{opened.id}/here?lang=en" in en
    assert _alerts("only.news@example.org") == [] and _alerts("berlin@example.org") == []


def _alerts(address: str) -> list[str]:
    """The crisis alerts among someone's mail (their subscription's confirmation aside)."""
    return [text for text in mails_to(address) if "/here?lang=" in text]
