"""Answers to a safety check that come back as an SMS keyword or a reply to the mail."""

import re
import smtplib
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis import actions as crisis
from kieubao.crisis.models import RosterChange, RosterEntry
from kieubao.inbound.smtp import IntakeServer
from kieubao.platform.models import User
from kieubao.platform.smtp_sink import free_port
from kieubao.protection.models import Case
from tests.inbound.conftest import PROVIDERS
from tests.personas import mails_to

pytestmark = pytest.mark.usefixtures("case_types")
AREA = {"circles": [{"lat": 34.69, "lon": 135.5, "radius_km": 60}], "polygons": []}
GATEWAY = next(p for p in PROVIDERS if p.name == "gateway")
WHATSAPP = next(p for p in PROVIDERS if p.name == "whatsapp")


@pytest.fixture
def asked(
    session: Session, hq_officer: User, make_citizen: Callable[..., Any], app_client: TestClient
) -> RosterEntry:
    """Ngô Thị Lan, in Osaka when the quake struck, has been sent a safety check."""
    lan = make_citizen(full_name="Ngô Thị Lan", email="lan@example.jp", phones=["090-1234-5678"])
    opened = crisis.open_crisis(session, acting_user=hq_officer, title="Kansai", area=AREA)
    crisis.send_safety_check(session, acting_user=hq_officer, crisis=opened)
    entry = session.scalar(select(RosterEntry).where(RosterEntry.citizen_id == lan.id))
    assert entry is not None and entry.status == "unaccounted"
    return entry


def sms(client: TestClient, sender: str, sid: str, text: str, provider: Any = GATEWAY) -> Any:
    body, kind = provider.build(sender, sid, text)
    return client.post(
        provider.path, content=body, headers={"Content-Type": kind, **provider.sign(body)}
    )


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("AN TOÀN", "safe"),
        ("an toan", "safe"),
        ("antoan", "safe"),
        ("Safe", "safe"),
        ("CẦN GIÚP", "needs_help"),
        ("can giup", "needs_help"),
        ("HELP", "needs_help"),
    ],
)
def test_a_keyword_by_sms_answers_the_safety_check(
    text: str, status: str, asked: RosterEntry, session: Session, app_client: TestClient
) -> None:
    started = time.perf_counter()
    response = sms(app_client, "+81 90 1234 5678", "sms-1", text)
    assert response.status_code == 200
    assert time.perf_counter() - started < 5  # well within the second, on an idle machine
    session.expire_all()
    assert asked.status == status and asked.last_source == "citizen_reply"
    change = session.scalar(select(RosterChange).where(RosterChange.entry_id == asked.id))
    assert change is not None and not change.by_relative
    assert list(session.scalars(select(Case))) == []


def test_a_whatsapp_keyword_answers_too(
    asked: RosterEntry, session: Session, app_client: TestClient
) -> None:
    assert sms(app_client, "819012345678", "wamid.9", "Cần giúp", WHATSAPP).status_code == 200
    session.expire_all()
    assert asked.status == "needs_help"


def test_other_words_from_someone_asked_open_a_case(
    asked: RosterEntry, session: Session, app_client: TestClient
) -> None:
    sms(app_client, "+819012345678", "sms-2", "Nhà tôi bị sập, tôi đang ở trường học gần ga")
    session.expire_all()
    assert asked.status == "unaccounted"
    assert len(list(session.scalars(select(Case)))) == 1


def test_a_keyword_from_someone_not_asked_is_a_message(
    asked: RosterEntry, session: Session, app_client: TestClient
) -> None:
    sms(app_client, "+84 912 000 111", "sms-3", "HELP")
    session.expire_all()
    assert asked.status == "unaccounted"
    (case,) = session.scalars(select(Case))
    assert case.description.startswith("HELP")


def test_a_relative_answers_the_mail_for_her(asked: RosterEntry, session: Session) -> None:
    (sent,) = mails_to("lan@example.jp")
    link = re.search(r"http://testserver/r/\S+", sent)
    assert link
    reply = EmailMessage()
    reply["From"], reply["To"] = "Ngô Văn Bình <binh.ngo@example.vn>", "kieubao@localhost"
    reply["Subject"] = "Re: Are you safe? Kansai"
    reply.set_content(f"An toàn\n\nEm gái tôi gọi về rồi.\n\n> {link[0]}\n")
    with IntakeServer(port=free_port()) as server, smtplib.SMTP("127.0.0.1", server.port) as smtp:
        smtp.send_message(reply)
    session.expire_all()
    assert asked.status == "safe" and asked.last_source == "relative"
    change = session.scalar(select(RosterChange).where(RosterChange.entry_id == asked.id))
    assert (
        change is not None and change.by_relative and "binh.ngo@example.vn" in (change.note or "")
    )


KEYWORDS = {
    "AN TOÀN": "safe",
    "an toan": "safe",
    "SAFE": "safe",
    "CẦN GIÚP": "needs_help",
    "can giup": "needs_help",
    "Help": "needs_help",
}


@given(
    st.sampled_from(sorted(KEYWORDS)),
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.text(alphabet=" \t", max_size=3),
    st.text(max_size=60),
)
def test_keywords_in_any_case_and_spacing_are_answers(
    word: str, upper: list[bool], pad: str, rest: str
) -> None:
    typed = "".join(c.upper() if u else c.lower() for c, u in zip(word, upper, strict=False))
    typed += word[len(upper) :]
    assert crisis.answer_in(f"\n{pad}{typed}{pad}\n{rest}") == KEYWORDS[word]


WORD = st.text(st.characters(categories=("Ll", "Lu", "Nd")), min_size=1, max_size=12)


@given(st.sampled_from(sorted(KEYWORDS)), WORD)
def test_a_keyword_inside_a_sentence_is_no_answer(word: str, more: str) -> None:
    """Punctuation around a keyword ("AN TOÀN!") still answers; another word does not."""
    assert crisis.answer_in(f"{word} {more}") is None
    assert crisis.answer_in(f"{more} {word}") is None


def test_a_mail_answers_only_with_the_link_it_was_sent(
    asked: RosterEntry, session: Session
) -> None:
    """Anyone can write her address in From: without the signed link, a mail is no answer."""
    (sent,) = mails_to("lan@example.jp")
    link = re.search(r"http://testserver/r/(\d+)\.\S+", sent)
    assert link
    with IntakeServer(port=free_port()) as server, smtplib.SMTP("127.0.0.1", server.port) as smtp:
        for n, quoted in enumerate(("", f"> http://testserver/r/{link[1]}.forgedforgedforged")):
            spoof = EmailMessage()
            spoof["From"], spoof["To"] = "lan@example.jp", "kieubao@localhost"
            spoof["Subject"], spoof["Message-ID"] = "Re: Are you safe?", f"<spoof-{n}@x>"
            spoof.set_content(f"AN TOÀN\n\n{quoted}\n")
            smtp.send_message(spoof)
    session.expire_all()
    assert asked.status == "unaccounted"


def test_her_emergency_contact_answers_for_her_by_sms(
    session: Session,
    hq_officer: User,
    make_citizen: Callable[..., Any],
    app_client: TestClient,
) -> None:
    tuan = make_citizen(
        full_name="Vũ Minh Tuấn",
        email="tuan@example.jp",
        emergency_contact={"name": "Vũ Thị Hằng", "phone": "+84 912-345-678", "relation": "mẹ"},
    )
    opened = crisis.open_crisis(session, acting_user=hq_officer, title="Kansai", area=AREA)
    crisis.send_safety_check(session, acting_user=hq_officer, crisis=opened)
    assert sms(app_client, "+84912345678", "sms-m", "an toàn").status_code == 200
    entry = session.scalar(select(RosterEntry).where(RosterEntry.citizen_id == tuan.id))
    assert entry is not None
    session.refresh(entry)
    assert entry.status == "safe" and entry.last_source == "relative"
    change = session.scalar(select(RosterChange).where(RosterChange.entry_id == entry.id))
    assert change is not None and change.by_relative
