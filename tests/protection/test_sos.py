"""One tap on the portal: a citizen in danger shares her position and the nearest mission's
duty officers are alerted."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform.models import User
from kieubao.protection import actions
from kieubao.protection.actions.sos import nearest_mission
from kieubao.protection.models import Case, Notification, Severity
from kieubao.protection.schemas import SosIn
from tests.personas import SYSTEM

# Shinjuku, Tokyo; and Kreuzberg, Berlin.
TOKYO = {"latitude": 35.6938, "longitude": 139.7034}
BERLIN = {"latitude": 52.4986, "longitude": 13.4030}


def test_the_nearest_consular_mission_is_found(session: Session) -> None:
    tokyo = nearest_mission(session, **TOKYO)
    berlin = nearest_mission(session, **BERLIN)
    assert tokyo is not None and tokyo.code == "JP-TYO-EMB"
    assert berlin is not None and berlin.code == "DE-BER-EMB"


def test_sos_opens_a_life_at_risk_case_and_alerts_the_duty_officers(
    session: Session, case_types: None, tokyo_officer: User, berlin_officer: User, hq_officer: User
) -> None:
    sos = SosIn(name="Nguyễn Thị Ngọc", phone="+81 80 1111 2222", accuracy_m=25, **TOKYO)
    intake = actions.call_for_help(session, acting_user=SYSTEM, sos=sos)
    case = intake.case
    assert case.severity is Severity.life_at_risk and case.mission is not None
    assert case.mission.code == "JP-TYO-EMB" and case.country == "JP"
    opened = case.events[0]
    assert opened.data["location"] == {**TOKYO, "accuracy_m": 25}
    told = set(session.scalars(select(Notification.user_id).where(Notification.case_id == case.id)))
    assert told == {tokyo_officer.id, hq_officer.id}


@pytest.mark.parametrize(
    "bad",
    [
        {"latitude": 91.0},
        {"longitude": float("nan")},
        {"phone": ""},
        {"phone": "call me"},
    ],
)
def test_bad_sos_input_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SosIn.model_validate({"name": "Ngọc", "phone": "+81 80", **TOKYO, **bad})


def test_sos_page_by_persona(
    api: Callable[[User | None], TestClient],
    session: Session,
    case_types: None,
    tokyo_officer: User,
    berlin_officer: User,
) -> None:
    client = api(None)
    page = client.get("/protection/sos?lang=vi")
    assert page.status_code == 200 and 'id="sos-form"' in page.text
    form = {"name": "Nguyễn Thị Ngọc", "phone": "+81 80 1111 2222", "consent": "yes"}
    # Without a position (no script, or refused), the report form is offered instead.
    fallback = client.post("/protection/sos", data=form)
    assert fallback.status_code == 422 and "data-fallback" in fallback.text
    no_consent = client.post("/protection/sos", data={**form, "consent": "", **TOKYO})
    assert no_consent.status_code == 422 and session.scalar(select(Case)) is None
    bad = client.post("/protection/sos", data={**form, "phone": "", **TOKYO})
    assert bad.status_code == 422 and 'id="e-phone"' in bad.text
    sent = client.post("/protection/sos", data={**form, **TOKYO, "message": "Có người đuổi"})
    assert sent.status_code == 200 and "data-case-pin" in sent.text
    case = session.scalar(select(Case))
    assert case is not None and case.description == "Có người đuổi"
    assert api(tokyo_officer).get(f"/console/cases/{case.number}").status_code == 200
    assert api(berlin_officer).get(f"/console/cases/{case.number}").status_code == 404
