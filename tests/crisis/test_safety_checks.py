"""Safety checks: each person still unaccounted for asked once, with their own reply link."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kieubao.crisis import actions, queries
from kieubao.crisis.models import SafetyCheck
from kieubao.domains import install_templates
from kieubao.platform.models import User
from kieubao.platform.outbox_models import OutboxMessage
from tests.personas import mails_to

AREA = {"circles": [{"lat": 34.69, "lon": 135.5, "radius_km": 60}], "polygons": []}


def test_the_unaccounted_are_asked_and_their_replies_counted(
    session: Session,
    hq_officer: User,
    make_citizen: Callable[..., Any],
    app_client: Any,
) -> None:
    lan = make_citizen(full_name="Ngô Thị Lan", email="lan@example.jp")
    make_citizen(full_name="Đặng Văn Sơn", date_of_birth="1988-02-02")  # a phone only: SMS
    make_citizen(
        full_name="Lý Thu Hà",
        date_of_birth="1995-03-03",
        email="ha@example.jp",
        consents={"crisis_alerts": False},
    )
    crisis = actions.open_crisis(session, acting_user=hq_officer, title="Kansai", area=AREA)
    check = actions.send_safety_check(session, acting_user=hq_officer, crisis=crisis)
    assert (check.round, check.recipients, check.not_asked) == (1, 2, 1)
    channels = set(session.scalars(select(OutboxMessage.channel)))
    assert channels == {"email", "sms"}

    (mail,) = mails_to("lan@example.jp")
    assert "Ngô Thị Lan" in mail and "Kansai" in mail
    link = re.search(r"http://testserver(/r/\S+)", mail)
    assert link, mail
    app_client.post(link[1], data={"answer": "safe"})
    (progress,) = queries.safety_checks(session, crisis)
    assert progress.replied == 1 and sum(progress.by_status.values()) == 2
    entry = next(e for e, c in queries.roster(session, crisis, _hq(hq_officer)) if c.id == lan.id)
    assert entry.status == "safe" and entry.last_source == "citizen_reply"

    again = actions.send_safety_check(session, acting_user=hq_officer, crisis=crisis)
    assert (again.round, again.recipients) == (2, 1)  # Lan answered: not asked again
    assert len(mails_to("lan@example.jp")) == 1 and mails_to("ha@example.jp") == []


def _hq(user: User) -> Any:
    from kieubao.platform.deps import scope_of

    return scope_of(user)


def test_those_not_heard_from_are_asked_again_by_the_other_channel(
    session: Session,
    hq_officer: User,
    make_citizen: Callable[..., Any],
    monkeypatch: Any,
) -> None:
    from kieubao.crisis.actions.safety_checks import follow_up_due
    from kieubao.platform.settings import get_settings

    make_citizen(full_name="Ngô Thị Lan", email="lan@example.jp")  # email and a phone
    make_citizen(full_name="Đặng Văn Sơn", date_of_birth="1988-02-02", phones=[])
    crisis = actions.open_crisis(session, acting_user=hq_officer, title="Kansai", area=AREA)
    first = actions.send_safety_check(session, acting_user=hq_officer, crisis=crisis)
    assert (first.recipients, first.not_asked) == (1, 1)  # Sơn has no address at all
    assert follow_up_due(session, acting_user=hq_officer) == 0  # not yet: an hour to answer

    monkeypatch.setattr(get_settings(), "safety_check_follow_up_minutes", 0)
    assert follow_up_due(session, acting_user=hq_officer) == 1
    second = session.scalars(select(SafetyCheck).where(SafetyCheck.round == 2)).one()
    assert second.follow_up_of == first.id and second.recipients == 1
    sms = session.scalars(
        select(OutboxMessage.channel).where(OutboxMessage.key.like("safety-check-%-2-%"))
    ).all()
    assert sms == ["sms"]
    assert follow_up_due(session, acting_user=hq_officer) == 0  # a round is followed up once


def _channels_of(session: Session, round_: int) -> dict[str, str]:
    rows = session.execute(
        select(OutboxMessage.address, OutboxMessage.channel).where(
            OutboxMessage.key.like(f"safety-check-%-{round_}-%")
        )
    )
    return {address: channel for address, channel in rows}


def test_each_person_is_asked_by_the_best_channel_they_have_in_the_order_set(
    session: Session,
    hq_officer: User,
    make_citizen: Callable[..., Any],
    monkeypatch: Any,
) -> None:
    from kieubao.platform.settings import get_settings

    make_citizen(full_name="Ngô Thị Lan", email="lan@example.jp", zalo="84901000001")
    make_citizen(full_name="Đặng Văn Sơn", date_of_birth="1988-02-02", phones=[], zalo="849002")
    make_citizen(
        full_name="Lý Thu Hà", date_of_birth="1995-03-03", phones=[], whatsapp="+819012340000"
    )
    crisis = actions.open_crisis(session, acting_user=hq_officer, title="Kansai", area=AREA)
    first = actions.send_safety_check(session, acting_user=hq_officer, crisis=crisis)
    assert (first.recipients, first.not_asked) == (3, 0)
    assert _channels_of(session, 1) == {
        "lan@example.jp": "email",
        "849002": "zalo",
        "+819012340000": "whatsapp",
    }

    monkeypatch.setattr(get_settings(), "safety_check_channels", ["zalo", "email"])
    again = actions.send_safety_check(session, acting_user=hq_officer, crisis=crisis)
    assert (again.recipients, again.not_asked) == (2, 1)  # Hà has no channel in that list
    assert _channels_of(session, 2) == {"84901000001": "zalo", "849002": "zalo"}


def test_an_undelivered_message_is_followed_at_once_by_the_next_channel_and_so_on_in_time(
    session: Session,
    hq_officer: User,
    make_citizen: Callable[..., Any],
    monkeypatch: Any,
) -> None:
    from kieubao.crisis.actions.safety_checks import follow_up_due
    from kieubao.platform.outbox_models import DisabledAddress
    from kieubao.platform.settings import get_settings

    # Lan's mailbox bounced for good before: her email fails as soon as it is queued.
    session.add(DisabledAddress(channel="email", address="lan@example.jp", reason="550"))
    make_citizen(full_name="Ngô Thị Lan", email="lan@example.jp", telegram="5550001")
    make_citizen(
        full_name="Đặng Văn Sơn", date_of_birth="1988-02-02", email="son@example.jp", zalo="84902"
    )
    crisis = actions.open_crisis(session, acting_user=hq_officer, title="Kansai", area=AREA)
    first = actions.send_safety_check(session, acting_user=hq_officer, crisis=crisis)
    assert first.recipients == 2

    # Within the hour: only Lan, whose email could not be delivered, is asked again.
    assert follow_up_due(session, acting_user=hq_officer) == 1
    assert _channels_of(session, 2) == {"+81 90 1234 5678": "sms"}
    assert first.followed_up_at is None  # Sơn still has his hour to answer
    assert follow_up_due(session, acting_user=hq_officer) == 0

    # The hour passes: Sơn by SMS (round 3 follows round 1), Lan by Telegram (round 4, 2).
    monkeypatch.setattr(get_settings(), "safety_check_follow_up_minutes", 0)
    assert follow_up_due(session, acting_user=hq_officer) == 2
    assert _channels_of(session, 3) == {"+81 90 1234 5678": "sms"}
    assert _channels_of(session, 4) == {"5550001": "telegram"}
    # Then Sơn by Zalo; Lan has nothing left and stays on the call list.
    assert follow_up_due(session, acting_user=hq_officer) == 1
    assert _channels_of(session, 5) == {"84902": "zalo"}
    assert follow_up_due(session, acting_user=hq_officer) == 0
    checks = session.scalars(select(SafetyCheck).order_by(SafetyCheck.round)).all()
    assert [c.follow_up_of for c in checks] == [
        None,
        first.id,
        first.id,
        checks[1].id,
        checks[2].id,
    ]
    assert all(c.followed_up_at is not None for c in checks)


GIVEN = "An Bình Chi Dũng Giang Hà Khánh Linh Minh Nam Oanh Phúc Quang Sơn Trang Vân".split()


def _name(i: int) -> str:
    """A name of its own for the i-th person (names hold no digits)."""
    return f"Nguyễn {GIVEN[i % len(GIVEN)]} {GIVEN[i // len(GIVEN)]}"


@pytest.fixture(autouse=True)
def _templates() -> None:
    install_templates()  # the safety check's text lives with the crisis domain


def _statements_during(session: Session, action: Callable[[], object]) -> list[str]:
    from sqlalchemy import event

    seen: list[str] = []
    engine = session.get_bind()

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def test_within_the_hour_a_round_that_reached_everyone_costs_one_indexed_look(
    session: Session,
    hq_officer: User,
    make_citizen: Callable[..., Any],
) -> None:
    from kieubao.crisis.actions.safety_checks import follow_up_due
    from kieubao.platform import outbox

    for i in range(30):
        make_citizen(full_name=_name(i), date_of_birth=f"1980-01-{i + 1:02d}")
    crisis = actions.open_crisis(session, acting_user=hq_officer, title="Kansai", area=AREA)
    first = actions.send_safety_check(session, acting_user=hq_officer, crisis=crisis)
    assert first.recipients == 30

    statements = _statements_during(session, lambda: follow_up_due(session, acting_user=hq_officer))
    # The pending rounds, then the round's undelivered messages: never the roster, never a
    # scan of the outbox by key prefix.
    assert not any("roster_entries" in s.lower() for s in statements), statements
    assert not any(" like " in s.lower() for s in statements), statements
    if session.get_bind().dialect.name == "sqlite":
        query = (
            select(OutboxMessage.key)
            .join(outbox.OutboxSend, outbox.OutboxSend.id == OutboxMessage.send_id)
            .where(
                outbox.OutboxSend.key == first.send_key,
                OutboxMessage.status.in_(["failed", "bounced"]),
            )
        )
        compiled = str(query.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row) for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "ix_outbox_messages_send_status" in plan, plan


def test_after_the_hour_only_the_unanswered_are_read_and_asked_again(
    session: Session,
    hq_officer: User,
    make_citizen: Callable[..., Any],
    monkeypatch: Any,
) -> None:
    from kieubao.crisis.actions.safety_checks import follow_up_due
    from kieubao.crisis.models import RosterEntry
    from kieubao.platform.settings import get_settings

    people = [
        make_citizen(full_name=_name(i), date_of_birth=f"1980-01-{i + 1:02d}", email=f"p{i}@x.jp")
        for i in range(12)
    ]
    crisis = actions.open_crisis(session, acting_user=hq_officer, title="Kansai", area=AREA)
    first = actions.send_safety_check(session, acting_user=hq_officer, crisis=crisis)
    assert first.recipients == 12
    entries = session.scalars(
        select(RosterEntry).where(RosterEntry.crisis_id == crisis.id).order_by(RosterEntry.id)
    ).all()
    for entry in entries[:10]:  # ten answered "safe" within the hour
        entry.status = "safe"
    session.flush()

    monkeypatch.setattr(get_settings(), "safety_check_follow_up_minutes", 0)
    statements = _statements_during(session, lambda: follow_up_due(session, acting_user=hq_officer))
    assert not any(" like " in s.lower() for s in statements), statements
    second = session.scalars(select(SafetyCheck).where(SafetyCheck.round == 2)).one()
    assert second.recipients == 2 and second.follow_up_of == first.id
    asked = set(_channels_of(session, 2))
    unanswered = {p.phones[0] for p in people[10:]}
    assert asked == unanswered  # by SMS, their next channel
    # Round 2 is due in turn; they have no channel left and stay on the call list.
    assert follow_up_due(session, acting_user=hq_officer) == 0
    session.refresh(second)
    assert second.followed_up_at is not None
