"""Data-subject requests: a citizen asks on the portal, officers of the right mission answer
within the legal time limit, reminders go before it and a flag when it passes."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform.errors import Conflict, Invalid
from kieubao.platform.models import User
from kieubao.privacy import actions, rules
from kieubao.privacy.models import PrivacyNotice, RequestKind, RequestStatus, SubjectRequest
from kieubao.privacy.schemas import RequestIn
from kieubao.registry.models import Citizen, Purpose
from tests.personas import SYSTEM, mails_to

Api = Callable[[User | None], Any]


def _account(session: Session, citizen: Citizen) -> User:
    user = session.get(User, citizen.user_id)
    assert user is not None
    return user


def test_the_citizen_asks_and_follows_her_request_on_the_portal(
    api: Api, session: Session, citizen_in_osaka: Citizen
) -> None:
    client = api(_account(session, citizen_in_osaka))
    made = client.post("/api/v1/privacy/requests", json={"kind": "access"})
    assert made.status_code == 201, made.text
    body = made.json()
    # Signed in on the portal is identity enough; the law's clock starts at receipt.
    assert body["status"] == "verified" and body["channel"] == "portal"
    assert 71.9 < body["hours_left"] <= 72
    again = client.post("/api/v1/privacy/requests", json={"kind": "access"})
    assert again.json()["id"] == body["id"]  # one open request per kind, not two
    assert [r["id"] for r in client.get("/api/v1/privacy/requests").json()] == [body["id"]]
    page = client.get("/me/privacy", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Truy cập / bản sao dữ liệu" in page.text and "Đã xác minh danh tính" in page.text


def test_requests_are_seen_within_jurisdiction_only(
    api: Api,
    session: Session,
    citizen_in_osaka: Citizen,
    make_citizen: Callable[..., Citizen],
    tokyo_officer: User,
    berlin_officer: User,
    hq_officer: User,
    partner_analyst: User,
) -> None:
    made = actions.receive_request(
        session,
        acting_user=_account(session, citizen_in_osaka),
        citizen=citizen_in_osaka,
        data=RequestIn(kind=RequestKind.erasure),
    )
    path = f"/api/v1/privacy/requests/{made.id}"
    assert api(tokyo_officer).get(path).status_code == 200
    assert api(hq_officer).get(path).status_code == 200
    assert api(berlin_officer).get(path).status_code == 404
    assert api(berlin_officer).get("/api/v1/privacy/requests").json() == []
    assert api(partner_analyst).get("/api/v1/privacy/requests").status_code == 403
    other = make_citizen(full_name="Trần Văn Bảo", country="DE", city="Berlin")
    # Berlin cannot record a request about someone of Japan, nor Tokyo about Berlin.
    body = {"kind": "correction", "citizen_id": other.id, "channel": "letter",
            "identity_note": "passport copy matched"}  # fmt: skip
    assert api(tokyo_officer).post("/api/v1/privacy/requests", json=body).status_code == 404
    assert api(berlin_officer).post("/api/v1/privacy/requests", json=body).status_code == 201


def test_an_officer_records_a_letter_only_saying_how_identity_was_checked(
    api: Api, citizen_in_osaka: Citizen, tokyo_officer: User, session: Session
) -> None:
    client = api(tokyo_officer)
    body: dict[str, Any] = {
        "kind": "erasure",
        "citizen_id": citizen_in_osaka.id,
        "channel": "letter",
    }
    refused = client.post("/api/v1/privacy/requests", json=body)
    assert refused.status_code == 422 and "identity" in refused.text
    assert session.scalars(select(SubjectRequest)).all() == []
    body["identity_note"] = "Letter with a certified passport copy; signature matches."
    made = client.post("/api/v1/privacy/requests", json=body).json()
    assert made["status"] == "received"
    bad = client.post("/api/v1/privacy/requests", json={**body, "kind": "forget-me"})
    assert bad.status_code == 422


def test_consent_withdrawal_is_carried_out_in_the_registry_with_history_kept(
    session: Session, citizen_in_osaka: Citizen, tokyo_officer: User
) -> None:
    with pytest.raises(Invalid):
        actions.receive_request(
            session,
            acting_user=_account(session, citizen_in_osaka),
            citizen=citizen_in_osaka,
            data=RequestIn(kind=RequestKind.consent_withdrawal),
        )
    request = actions.receive_request(
        session,
        acting_user=_account(session, citizen_in_osaka),
        citizen=citizen_in_osaka,
        data=RequestIn(kind=RequestKind.consent_withdrawal, purpose="crisis_alerts"),
    )
    with pytest.raises(Conflict):  # work must start before it is done
        actions.carry_out(
            session, acting_user=tokyo_officer, request=request, citizen=citizen_in_osaka
        )
    actions.move_request(
        session, acting_user=tokyo_officer, request=request, status=RequestStatus.in_progress
    )
    actions.carry_out(session, acting_user=tokyo_officer, request=request, citizen=citizen_in_osaka)
    assert request.status is RequestStatus.done and request.assignee_id == tokyo_officer.id
    assert not citizen_in_osaka.consent_for(Purpose.crisis_alerts)
    history = [
        (c.granted, c.source)
        for c in citizen_in_osaka.consents
        if c.purpose == Purpose.crisis_alerts
    ]
    assert history == [(True, "self"), (False, "privacy_request")]


def test_a_refusal_gives_its_reason(
    session: Session, citizen_in_osaka: Citizen, tokyo_officer: User
) -> None:
    request = actions.receive_request(
        session,
        acting_user=_account(session, citizen_in_osaka),
        citizen=citizen_in_osaka,
        data=RequestIn(kind=RequestKind.objection),
    )
    with pytest.raises(Invalid):
        actions.move_request(
            session, acting_user=tokyo_officer, request=request, status=RequestStatus.refused
        )
    actions.move_request(
        session, acting_user=tokyo_officer, request=request, status=RequestStatus.refused,
        note="Processing is required for an open protection case.",
    )  # fmt: skip
    assert request.status is RequestStatus.refused and request.decided_at is not None
    with pytest.raises(Conflict):
        actions.move_request(
            session, acting_user=tokyo_officer, request=request, status=RequestStatus.verified
        )


def test_reminders_go_before_the_deadline_once_each_and_overdue_is_flagged_once(
    session: Session, citizen_in_osaka: Citizen, tokyo_officer: User, hq_officer: User
) -> None:
    request = actions.receive_request(
        session,
        acting_user=_account(session, citizen_in_osaka),
        citizen=citizen_in_osaka,
        data=RequestIn(kind=RequestKind.erasure),
    )
    actions.assign_request(session, acting_user=hq_officer, request=request, assignee=tokyo_officer)
    start = request.received_at
    assert request.due_at == start + timedelta(hours=rules.deadlines().hours[RequestKind.erasure])

    def notices() -> list[tuple[int, str]]:
        rows = session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.id))
        return [(n.user_id, n.text) for n in rows]

    # The 72-hour mark is the whole period: nothing to remind of at receipt.
    assert actions.remind_due(session, acting_user=SYSTEM, now=start + timedelta(hours=1)) == 0
    assert actions.remind_due(session, acting_user=SYSTEM, now=start + timedelta(hours=49)) == 1
    assert actions.remind_due(session, acting_user=SYSTEM, now=start + timedelta(hours=50)) == 0
    reminded = notices()
    assert {u for u, _t in reminded} == {tokyo_officer.id, hq_officer.id}
    assert all(f"{request.id}" in t for _u, t in reminded)
    assert mails_to(tokyo_officer.email) and mails_to(hq_officer.email)
    assert actions.remind_due(session, acting_user=SYSTEM, now=start + timedelta(hours=73)) == 1
    assert actions.remind_due(session, acting_user=SYSTEM, now=start + timedelta(hours=80)) == 0
    assert request.overdue_at == start + timedelta(hours=73)
    assert len(notices()) == 4


def test_the_scheduled_job_sends_what_is_due_and_nothing_twice(
    session: Session, citizen_in_osaka: Citizen, hq_officer: User
) -> None:
    from kieubao.privacy import jobs

    request = actions.receive_request(
        session,
        acting_user=_account(session, citizen_in_osaka),
        citizen=citizen_in_osaka,
        data=RequestIn(kind=RequestKind.correction),
    )
    # Received two days and a hour ago: 23 hours are left, past the 24-hour mark.
    request.received_at -= timedelta(hours=49)
    request.due_at -= timedelta(hours=49)
    session.commit()
    jobs.remind_request_deadlines()
    jobs.remind_request_deadlines()
    texts = [n.text for n in session.scalars(select(PrivacyNotice))]
    assert len(texts) == 1 and "23" in texts[0]
