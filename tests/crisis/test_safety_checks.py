"""Safety checks: each person still unaccounted for asked once, with their own reply link."""

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis import actions, queries
from kieubao.crisis.models import SafetyCheck
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
