"""Surge time: nothing sits unread; officers claim the oldest, duty officers hear of delays."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.domains import install_templates
from kieubao.platform.models import User
from kieubao.platform.outbox_models import OutboxMessage
from kieubao.protection import actions, inbox
from kieubao.protection.actions.intake import Intake
from kieubao.protection.models import CaseEvent, Notification
from tests.personas import SYSTEM


def _age(session: Session, intake: Intake, minutes: int) -> None:
    for event in intake.case.events:
        event.at -= timedelta(minutes=minutes)
    session.commit()


def test_counters_per_channel_in_each_scope(
    session: Session,
    open_case: Callable[..., Intake],
    tokyo_officer: User,
    berlin_officer: User,
    hq_officer: User,
) -> None:
    first = open_case()
    _age(session, first, 30)
    open_case(subject={"full_name": "Đỗ Thị Lan"})  # a second case, just arrived
    open_case()  # the same son again, from a second relative: added to the first case
    first.case.events.append(CaseEvent(kind="inbound", text="Zalo", data={"channel": "zalo"}))
    session.commit()
    tokyo = inbox.counters(session, tokyo_officer)
    assert tokyo.by_channel == {"web": 3, "zalo": 1} and tokyo.total == 4
    age = tokyo.oldest_age()
    assert age is not None and timedelta(minutes=29) < age < timedelta(minutes=31)
    assert inbox.counters(session, hq_officer).total == 4
    assert inbox.counters(session, berlin_officer).total == 0


def test_claiming_takes_the_oldest_and_reads_it(
    session: Session, open_case: Callable[..., Intake], tokyo_officer: User
) -> None:
    older = open_case()
    _age(session, older, 10)
    newer = open_case(subject={"full_name": "Đỗ Thị Lan"})
    claimed = actions.claim_next(session, acting_user=tokyo_officer)
    assert claimed is older.case and claimed.assignee_id == tokyo_officer.id
    assert all(e.read_by_id == tokyo_officer.id for e in older.case.events if e.kind == "opened")
    assert actions.claim_next(session, acting_user=tokyo_officer) is newer.case
    assert actions.claim_next(session, acting_user=tokyo_officer) is None
    assert inbox.counters(session, tokyo_officer).total == 0


def test_a_case_held_by_a_colleague_is_not_claimed(
    session: Session, open_case: Callable[..., Intake], tokyo_officer: User, hq_officer: User
) -> None:
    held = open_case().case
    actions.assign(session, acting_user=hq_officer, case=held, officer=hq_officer)
    assert actions.claim_next(session, acting_user=tokyo_officer) is None
    assert actions.mark_read(session, acting_user=hq_officer, case=held) == 1
    assert actions.mark_read(session, acting_user=hq_officer, case=held) == 0


def test_duty_officers_are_alerted_once_when_a_message_waits_too_long(
    session: Session, open_case: Callable[..., Intake], tokyo_officer: User, hq_officer: User
) -> None:
    install_templates()  # the worker renders the email from the protection templates
    waiting = open_case()
    assert actions.alert_unread(session, acting_user=SYSTEM) == 0  # just arrived
    _age(session, waiting, 20)
    assert actions.alert_unread(session, acting_user=SYSTEM) == 1
    assert actions.alert_unread(session, acting_user=SYSTEM) == 0  # told once
    told = session.scalars(select(Notification.user_id)).all()
    assert sorted(told) == sorted([tokyo_officer.id, hq_officer.id])
    mails = session.scalars(select(OutboxMessage.address)).all()
    assert sorted(mails) == sorted([tokyo_officer.email, hq_officer.email])


def test_queue_pages_by_persona(
    api: Callable[[User | None], TestClient],
    session: Session,
    open_case: Callable[..., Intake],
    tokyo_officer: User,
    berlin_officer: User,
    hq_officer: User,
    partner_analyst: User,
) -> None:
    number = open_case().case.number
    page = api(tokyo_officer).get("/console/protection/queue?lang=vi")
    assert page.status_code == 200 and number in page.text and 'data-channel="web"' in page.text
    assert 'data-unread="1"' in api(hq_officer).get("/console/protection/unread").text
    berlin = api(berlin_officer)
    assert number not in berlin.get("/console/protection/queue").text
    empty = berlin.post("/console/protection/queue/claim", follow_redirects=False)
    assert empty.headers["location"].endswith("empty=1")
    assert berlin.post(f"/console/cases/{number}/read").status_code == 404
    assert (
        berlin.post(
            f"/console/cases/{number}/assign", data={"officer_email": berlin_officer.email}
        ).status_code
        == 404
    )
    for who, status in ((partner_analyst, 403), (None, 303)):  # anonymous: to the login page
        client = api(who)
        page = client.get("/console/protection/queue", follow_redirects=False)
        assert page.status_code == status
        claim = client.post("/console/protection/queue/claim", follow_redirects=False)
        assert claim.status_code == status
    tokyo = api(tokyo_officer)
    moved = tokyo.post(f"/console/cases/{number}/assign", data={"officer_email": "nobody@x.vn"})
    assert moved.status_code == 422
    claimed = tokyo.post("/console/protection/queue/claim", follow_redirects=False)
    assert claimed.headers["location"] == f"/console/cases/{number}"
    assert 'data-unread="0"' in tokyo.get("/console/protection/unread").text


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_inbound_messages_count_under_their_channel(
    session: Session, open_case: Callable[..., Intake], tokyo_officer: User, channel: str
) -> None:
    case = open_case().case
    actions.mark_read(session, acting_user=tokyo_officer, case=case)
    case.events.append(CaseEvent(kind="inbound", text="...", data={"channel": channel}))
    session.commit()
    assert inbox.counters(session, tokyo_officer).by_channel == {channel: 1}
