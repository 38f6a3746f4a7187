"""HQ records a breach: the 72-hour clock runs from discovery, HQ is alerted at 48 and 66
hours while the authority has not been told, and the draft notification to A05 is ready."""

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from docx import Document
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform.db import utcnow
from kieubao.platform.errors import Conflict, Invalid
from kieubao.platform.models import User
from kieubao.privacy import actions, queries
from kieubao.privacy.models import Breach, BreachStatus, PrivacyNotice
from kieubao.privacy.schemas import BreachIn, BreachMove
from tests.personas import SYSTEM, mails_to

Api = Callable[[User | None], Any]


def leaked(**overrides: Any) -> BreachIn:
    """A mission's export of its registry was mailed to the wrong address."""
    values: dict[str, Any] = {
        "title": "Registry export sent to a wrong address",
        "discovered_at": utcnow() - timedelta(hours=2),
        "description": "120 Osaka registrations were emailed outside the ministry.",
        "data_kinds": ["full name", "phone", "address"],
        "subject_categories": ["citizens registered in Osaka"],
        "approx_subjects": 120,
        "approx_records": 120,
        "consequences": "Unwanted contact; scams using the names.",
        "measures": "Recipient asked to delete and confirm; mailbox rules tightened.",
        "risk": "high",
        "contact_name": "Trần Thị Lan",
        "contact_details": "lan.hq@mofa.gov.vn",
    }
    values.update(overrides)
    return BreachIn.model_validate(values)


def test_the_clock_alerts_headquarters_at_48_and_66_hours_until_notified(
    session: Session, hq_officer: User, admin: User, tokyo_officer: User
) -> None:
    breach = actions.record_breach(session, acting_user=hq_officer, data=leaked())
    found = breach.discovered_at
    assert queries.breach_hours_left(breach, now=found + timedelta(hours=10)) == 62.0
    assert actions.alert_breaches(session, acting_user=SYSTEM, now=found + timedelta(hours=47)) == 0
    assert actions.alert_breaches(session, acting_user=SYSTEM, now=found + timedelta(hours=48)) == 1
    assert actions.alert_breaches(session, acting_user=SYSTEM, now=found + timedelta(hours=50)) == 0
    told = session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.id)).all()
    assert {n.user_id for n in told} == {hq_officer.id, admin.id}  # not the missions
    assert any("24" in m for m in mails_to(hq_officer.email))
    assert actions.alert_breaches(session, acting_user=SYSTEM, now=found + timedelta(hours=66)) == 1
    assert breach.alerted == [48, 66]
    assert not mails_to(tokyo_officer.email)


def test_a_notified_breach_stops_the_clock_and_alerts_no_more(
    session: Session, hq_officer: User
) -> None:
    breach = actions.record_breach(session, acting_user=hq_officer, data=leaked())
    with pytest.raises(Conflict):  # assessed first
        actions.move_breach(
            session, acting_user=hq_officer, breach=breach,
            data=BreachMove(status=BreachStatus.authority_notified, reference="A05-1"),
        )  # fmt: skip
    actions.move_breach(
        session,
        acting_user=hq_officer,
        breach=breach,
        data=BreachMove(status=BreachStatus.assessed),
    )
    with pytest.raises(Invalid):  # the authority's reference is what proves the notification
        actions.move_breach(
            session, acting_user=hq_officer, breach=breach,
            data=BreachMove(status=BreachStatus.authority_notified),
        )  # fmt: skip
    actions.move_breach(
        session, acting_user=hq_officer, breach=breach,
        data=BreachMove(status=BreachStatus.authority_notified, reference="A05/2026/0117"),
    )  # fmt: skip
    assert queries.breach_hours_left(breach) is None
    later = breach.discovered_at + timedelta(hours=70)
    assert actions.alert_breaches(session, acting_user=SYSTEM, now=later) == 0
    actions.move_breach(
        session, acting_user=hq_officer, breach=breach, data=BreachMove(status=BreachStatus.closed)
    )
    assert breach.status is BreachStatus.closed and breach.closed_at is not None


def test_bad_breach_input_is_refused_and_nothing_is_written(
    api: Api, session: Session, hq_officer: User
) -> None:
    client = api(hq_officer)
    body = leaked().model_dump(mode="json")
    future = {**body, "discovered_at": (utcnow() + timedelta(days=1)).isoformat()}
    assert client.post("/api/v1/privacy/breaches", json=future).status_code == 422
    assert (
        client.post("/api/v1/privacy/breaches", json={**body, "approx_subjects": -1}).status_code
        == 422
    )
    assert client.post("/api/v1/privacy/breaches", json={**body, "risk": "dire"}).status_code == 422
    assert session.scalars(select(Breach)).all() == []


def test_the_draft_notification_to_a05_in_both_languages(
    api: Api, session: Session, hq_officer: User, tokyo_officer: User, partner_analyst: User
) -> None:
    client = api(hq_officer)
    made = client.post("/api/v1/privacy/breaches", json=leaked().model_dump(mode="json"))
    assert made.status_code == 201 and made.json()["status"] == "recorded"
    breach_id = made.json()["id"]
    page = client.get(
        f"/console/privacy/breaches/{breach_id}/notification", headers={"Accept": "text/html"}
    )
    assert page.status_code == 200
    for words in (
        "Cục An ninh mạng",
        "Department of Cybersecurity and High-Tech Crime Prevention (A05)",
        "about 120 people and 120 records",
        "Unwanted contact; scams using the names.",
        "lan.hq@mofa.gov.vn",
    ):
        assert words in page.text
    docx = client.get(f"/api/v1/privacy/breaches/{breach_id}/notification.docx")
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Cục An ninh mạng" in text and "Ministry of Public Security" in text
    assert "Recipient asked to delete and confirm" in text
    assert api(tokyo_officer).get(f"/api/v1/privacy/breaches/{breach_id}").status_code == 403
    assert api(partner_analyst).get("/api/v1/privacy/breaches").status_code == 403


def test_the_console_form_records_a_breach_in_utc(
    api: Api, session: Session, hq_officer: User
) -> None:
    found = (utcnow() - timedelta(hours=5)).replace(second=0, microsecond=0)
    form = {
        "title": "Phishing reached a mission mailbox",
        "discovered_at": found.strftime("%Y-%m-%dT%H:%M"),  # a datetime-local field
        "description": "An officer entered a password on a fake page.",
        "data_kinds": "email addresses\nphone numbers\n",
        "approx_subjects": "40",
        "risk": "medium",
    }
    answer = api(hq_officer).post(
        "/console/privacy/breaches",
        data=form,
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    breach = session.scalar(select(Breach))
    assert breach is not None and breach.discovered_at == found
    assert breach.data_kinds == ["email addresses", "phone numbers"]
    page = api(hq_officer).get(answer.headers["location"], headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Phishing reached a mission mailbox" in page.text
