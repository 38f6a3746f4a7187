"""Self-registration by SMS: a phone with no internet texts "Ở ĐÂY <name> <birth year>" and its
owner is on the roster of the crisis open where they are, with an SMS saying so."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis import actions
from kieubao.crisis.models import Crisis, RosterEntry
from kieubao.inbound.models import InboundMessage
from kieubao.platform.models import User
from kieubao.platform.outbox import OutboxMessage
from kieubao.protection.models import Case
from kieubao.registry.models import Citizen
from tests.inbound.conftest import PROVIDERS, Provider, provider_secrets  # noqa: F401

pytestmark = pytest.mark.usefixtures("provider_secrets", "case_types")
OSAKA = {"circles": [{"lat": 34.69, "lon": 135.5, "radius_km": 60}], "polygons": []}
BANGKOK = {"circles": [{"lat": 13.75, "lon": 100.5, "radius_km": 60}], "polygons": []}
GATEWAY = next(p for p in PROVIDERS if p.name == "gateway")
TWILIO = next(p for p in PROVIDERS if p.name == "twilio")
PHONE = "+81 90 5555 0101"


@pytest.fixture
def case_types(session: Session) -> None:
    from kieubao.protection import actions as protection
    from tests.personas import SYSTEM

    protection.load_case_types(session, acting_user=SYSTEM)


@pytest.fixture
def kansai(session: Session, hq_officer: User) -> Crisis:
    return actions.open_crisis(
        session, acting_user=hq_officer, title="Kansai quake", area=OSAKA, countries=["JP"]
    )


def sms(client: TestClient, text: str, sid: str = "sms-1", provider: Provider = GATEWAY) -> Any:
    body, kind = provider.build(PHONE, sid, text)
    answer = client.post(
        provider.path, content=body, headers={"Content-Type": kind, **provider.sign(body)}
    )
    assert answer.status_code == 200, answer.text
    return answer


def answered(session: Session) -> str:
    (message,) = session.scalars(
        select(OutboxMessage).where(OutboxMessage.channel == "sms", OutboxMessage.key.like("here%"))
    )
    assert message.address == PHONE
    return message.body


def on_roster(session: Session, crisis: Crisis) -> list[Citizen]:
    return list(
        session.scalars(
            select(Citizen)
            .join(RosterEntry, RosterEntry.citizen_id == Citizen.id)
            .where(RosterEntry.crisis_id == crisis.id)
        )
    )


@pytest.mark.parametrize(
    "text",
    [
        "Ở ĐÂY Ngô Thị Lan 1991",
        "o day Ngo Thi Lan 1991",
        "TÔI Ở ĐÂY Ngô Thị Lan 1991",
        "oday Ngô Thị Lan 1991",
    ],
)
def test_a_keyword_by_sms_puts_the_sender_on_the_roster(
    text: str, session: Session, kansai: Crisis, app_client: TestClient
) -> None:
    sms(app_client, text)
    (lan,) = on_roster(session, kansai)
    assert lan.full_name.replace("ô", "o").replace("ị", "i").lower() in (
        "ngô thị lan",
        "ngo thi lan",
    )
    assert lan.birth_year == 1991
    assert lan.country == "JP" and lan.phones
    entry = session.scalar(select(RosterEntry).where(RosterEntry.citizen_id == lan.id))
    assert entry is not None and entry.status == "unaccounted"  # where she is, not how
    reply = answered(session)
    assert "SR-" in reply and "Kansai quake" in reply and f"/crises/{kansai.id}/here" in reply
    assert list(session.scalars(select(Case))) == []
    (log,) = session.scalars(select(InboundMessage))
    assert log.outcome == "here"


def test_an_english_keyword_by_twilio_is_answered_in_english(
    session: Session, kansai: Crisis, app_client: TestClient
) -> None:
    sms(app_client, "HERE Lan Ngo", provider=TWILIO)
    assert [c.full_name for c in on_roster(session, kansai)] == ["Lan Ngo"]
    assert "To add family members" in answered(session)


def test_a_registered_phone_may_send_the_keyword_alone(
    session: Session, kansai: Crisis, app_client: TestClient, make_citizen: Any
) -> None:
    an = make_citizen(full_name="Nguyễn Văn An", phones=[PHONE])
    sms(app_client, "ở đây")
    assert [c.id for c in on_roster(session, kansai)] == [an.id]


def test_the_keyword_alone_from_an_unknown_phone_is_answered_with_how_to(
    session: Session, kansai: Crisis, app_client: TestClient
) -> None:
    sms(app_client, "O DAY")
    assert on_roster(session, kansai) == []
    assert "O DAY <" in answered(session)
    assert list(session.scalars(select(Case))) == []


def test_a_message_that_only_starts_like_the_keyword_is_answered_and_still_becomes_a_case(
    session: Session, kansai: Crisis, app_client: TestClient
) -> None:
    sms(app_client, "Ở đây nước ngập đến tầng hai, cả xóm không ra được, xin giúp")
    assert on_roster(session, kansai) == []
    assert "O DAY <" in answered(session)
    assert len(list(session.scalars(select(Case)))) == 1


def test_with_no_crisis_open_the_sender_is_told_so(
    session: Session, app_client: TestClient
) -> None:
    sms(app_client, "HERE Lan Ngo 1991")
    assert "No crisis is open" in answered(session)
    (log,) = session.scalars(select(InboundMessage))
    assert log.outcome == "here_no_crisis"


def test_with_two_crises_open_the_phones_country_chooses_else_the_sender_is_asked(
    session: Session, kansai: Crisis, hq_officer: User, app_client: TestClient
) -> None:
    bangkok = actions.open_crisis(
        session, acting_user=hq_officer, title="Bangkok floods", area=BANGKOK, countries=["TH"]
    )
    sms(app_client, "O DAY Ngô Thị Lan 1991")  # the gateway says nothing of the phone's country
    asked = answered(session)
    assert f"{kansai.id}: Kansai quake" in asked and f"{bangkok.id}: Bangkok floods" in asked
    assert on_roster(session, kansai) == on_roster(session, bangkok) == []
    sms(app_client, f"O DAY {bangkok.id} Ngô Thị Lan 1991", sid="sms-2")
    assert [c.full_name for c in on_roster(session, bangkok)] == ["Ngô Thị Lan"]
    # A gateway that says the phone is Japanese: the crisis in Japan.
    body = json.dumps({"id": "sms-3", "from": PHONE, "text": "HERE Vu Thi Mai", "country": "JP"})
    headers = {"Content-Type": "application/json", **GATEWAY.sign(body.encode())}
    assert app_client.post(GATEWAY.path, content=body, headers=headers).status_code == 200
    assert [c.full_name for c in on_roster(session, kansai)] == ["Vu Thi Mai"]


def test_the_same_sms_delivered_twice_registers_and_answers_once(
    session: Session, kansai: Crisis, app_client: TestClient
) -> None:
    sms(app_client, "O DAY Ngô Thị Lan 1991")
    sms(app_client, "O DAY Ngô Thị Lan 1991")
    assert len(on_roster(session, kansai)) == 1
    answered(session)


@pytest.mark.parametrize(
    ("text", "name", "birth", "number"),
    [
        ("Ở ĐÂY Ngô Thị Lan 1991", "Ngô Thị Lan", "1991", None),
        ("toi o day #12 Tran Binh 02/01/1985", "Tran Binh", "02/01/1985", 12),
        ("HERE", "", None, None),
        ("I am here Lan", "Lan", None, None),
        ("ODAY   Lan   Ngo\nsecond line", "Lan Ngo", None, None),
    ],
)
def test_what_the_keyword_reads(
    text: str, name: str, birth: str | None, number: int | None
) -> None:
    found = actions.here_in(text)
    assert found is not None and (found.name, found.birth, found.crisis_number) == (
        name,
        birth,
        number,
    )


@pytest.mark.parametrize(
    "text", ["AN TOÀN", "can giup", "Hello", "", "Ở nhà", "heres", "O DAI Lan"]
)
def test_other_messages_are_not_the_keyword(text: str) -> None:
    assert actions.here_in(text) is None


@given(st.text())
def test_any_text_is_read_without_failing(text: str) -> None:
    found = actions.here_in(text)
    assert found is None or found.language in ("vi", "en")


@given(
    st.sampled_from(["Ở ĐÂY", "ở đây", "O DAY", "o day", "TÔI Ở ĐÂY", "toi o day", "HERE", "Here"]),
    st.lists(
        st.sampled_from(["Ngô", "Thị", "Lan", "Nguyen", "Van", "An", "Đặng"]),
        min_size=1,
        max_size=4,
    ),
    st.integers(1930, 2025),
)
def test_the_name_and_year_come_back_as_typed(keyword: str, words: list[str], year: int) -> None:
    found = actions.here_in(f"{keyword} {' '.join(words)} {year}")
    assert found is not None and found.name == " ".join(words) and found.birth == str(year)
