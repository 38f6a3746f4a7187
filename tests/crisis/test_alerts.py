"""Alert rules: the right officers told once, told again only when it gets worse."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis import actions, queries
from kieubao.crisis.models import Alert, AlertRecipient, AlertRule
from kieubao.crisis.pages.board import _new_for
from kieubao.platform.models import Role, User
from tests.personas import SYSTEM, mails_to, make_user

from .conftest import QUAKE_TIME, usgs_feed

OSAKA_QUAKE = {"id": "us7000osak", "mag": 6.5, "lat": 34.62, "lon": 135.45}


@pytest.fixture
def osaka_officer(session: Session) -> User:
    return make_user(session, "ha.osaka@mofa.gov.vn", Role.mission_officer, "JP-OSA-CG")


def _recipients(session: Session, alert: Alert) -> set[str]:
    rows = session.scalars(
        select(User.email)
        .join(AlertRecipient, AlertRecipient.user_id == User.id)
        .where(AlertRecipient.alert_id == alert.id)
    )
    return set(rows)


def test_a_strong_quake_near_citizens_alerts_hq_and_the_missions_concerned(
    session: Session,
    quake_rule: AlertRule,
    osaka_residents: list[Any],
    hq_officer: User,
    osaka_officer: User,
    berlin_officer: User,
    partner_analyst: User,
) -> None:
    actions.ingest(session, acting_user=SYSTEM, body=usgs_feed(OSAKA_QUAKE))
    (alert,) = queries.alerts(session)
    assert alert.exposed >= 4 and alert.by_country == {"JP": alert.exposed}
    assert _recipients(session, alert) == {hq_officer.email, osaka_officer.email}
    assert "động đất" in alert.message_vi and "Nhật Bản" in alert.message_vi
    assert "earthquake" in alert.message_en and "Japan" in alert.message_en
    (mail,) = mails_to(osaka_officer.email)
    assert alert.message_vi in mail and alert.message_en in mail


def test_once_per_hazard_and_rule_again_only_when_worse(
    session: Session, quake_rule: AlertRule, osaka_residents: list[Any], hq_officer: User
) -> None:
    actions.ingest(session, acting_user=SYSTEM, body=usgs_feed(OSAKA_QUAKE))
    actions.ingest(session, acting_user=SYSTEM, body=usgs_feed(OSAKA_QUAKE))
    (alert,) = queries.alerts(session)
    assert alert.times_raised == 1
    worse = OSAKA_QUAKE | {
        "mag": 6.5,
        "alert": "red",
        "updated": QUAKE_TIME + timedelta(minutes=30),
    }
    actions.ingest(session, acting_user=SYSTEM, body=usgs_feed(worse))
    session.refresh(alert)
    assert alert.times_raised == 2 and alert.level_rank == 4
    assert len(mails_to(hq_officer.email)) == 2


def test_below_the_rule_nothing_is_raised(
    session: Session, quake_rule: AlertRule, osaka_residents: list[Any]
) -> None:
    small = OSAKA_QUAKE | {"mag": 4.2}
    far = {"id": "far", "mag": 7.0, "lat": -20.0, "lon": -70.0, "place": "off Chile"}
    result = actions.ingest(session, acting_user=SYSTEM, body=usgs_feed(small, far))
    assert result.new == 2 and queries.alerts(session) == []


def test_the_live_stream_carries_each_new_alert_once(
    session: Session,
    quake_rule: AlertRule,
    osaka_residents: list[Any],
    hq_officer: User,
    app_client: Any,  # the app registers the domains' templates the stream renders
) -> None:
    before = queries.last_notification(session, hq_officer)
    actions.ingest(session, acting_user=SYSTEM, body=usgs_feed(OSAKA_QUAKE))
    (alert,) = queries.alerts(session)
    events = _new_for(hq_officer.id, before, "en")
    assert len(events) == 1 and f'id="alert-{alert.id}"' in events[0][1]
    assert "registered citizens exposed" in events[0][1]
    assert _new_for(hq_officer.id, events[0][0], "en") == []


def test_acknowledging_an_alert(
    session: Session,
    api: Callable[[User | None], Any],
    quake_rule: AlertRule,
    osaka_residents: list[Any],
    tokyo_officer: User,
    partner_analyst: User,
) -> None:
    actions.ingest(session, acting_user=SYSTEM, body=usgs_feed(OSAKA_QUAKE))
    (alert,) = queries.alerts(session)
    assert api(partner_analyst).post(f"/api/v1/alerts/{alert.id}/acknowledge").status_code == 403
    answer = api(tokyo_officer).post(f"/api/v1/alerts/{alert.id}/acknowledge")
    assert answer.status_code == 200 and answer.json()["acknowledged_at"]
    assert api(tokyo_officer).get("/api/v1/alerts?open_only=true").json() == []


def test_rules_are_data_that_headquarters_keep(
    api: Callable[[User | None], Any], hq_officer: User, tokyo_officer: User
) -> None:
    rule = {"name": "Typhoons", "hazard_types": ["tropical_cyclone"], "min_alert_level": "orange"}
    assert api(tokyo_officer).post("/api/v1/alert-rules", json=rule).status_code == 403
    made = api(hq_officer).post("/api/v1/alert-rules", json=rule)
    assert made.status_code == 201, made.text
    assert api(hq_officer).post("/api/v1/alert-rules", json=rule).status_code == 409
    bad = api(hq_officer).post("/api/v1/alert-rules", json=rule | {"min_alert_level": "purple"})
    assert bad.status_code == 422


def test_the_risk_outlook_brings_advisories_and_open_cases_together(
    session: Session,
    osaka_residents: list[Any],
    hq_officer: User,
    tokyo_officer: User,
) -> None:
    from kieubao.outreach import actions as outreach
    from kieubao.platform.deps import scope_of
    from kieubao.protection import actions as protection
    from kieubao.protection.models import Channel
    from kieubao.protection.schemas import CaseIn
    from tests.outreach.conftest import advisory_in

    version = outreach.draft_advisory(
        session, acting_user=tokyo_officer, data=advisory_in(level=3, reasons=["disaster"])
    )
    outreach.submit_for_review(session, acting_user=tokyo_officer, version=version)
    outreach.approve(session, acting_user=hq_officer, version=version)
    outreach.publish(session, acting_user=hq_officer, version=version)
    protection.load_case_types(session, acting_user=SYSTEM)
    report = {
        "case_type": "accident_injury",
        "country": "JP",
        "description": "Bị thương trong động đất ở Osaka",
        "reporter": {"name": "Nguyễn Thị Hoa", "phone": "+84 912 345 678"},
        "subject": {"full_name": "Nguyễn Văn Hùng"},
    }
    protection.open_case(
        session, acting_user=SYSTEM, report=CaseIn.model_validate(report), channel=Channel.api
    )
    actions.ingest(session, acting_user=SYSTEM, body=usgs_feed(OSAKA_QUAKE))
    (japan,) = queries.outlook(session, scope_of(hq_officer))
    assert (japan.country, japan.advisory_level, japan.open_cases) == ("JP", 3, 1)
    assert japan.exposed == 4 and japan.hazards == 1  # Osaka and Kobe, not Tokyo
