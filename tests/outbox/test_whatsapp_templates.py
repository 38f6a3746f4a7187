"""WhatsApp takes free text only within 24 hours of a person's last message; a safety check to
anyone else goes as the approved template of its type and language, filled with their values."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kieubao.domains import install_templates
from kieubao.platform import outbox
from kieubao.platform.db import commit, utcnow
from kieubao.platform.outbox import Message, OutboxMessage, Status
from kieubao.platform.outbox_models import LastHeard
from kieubao.platform.settings import WhatsAppTemplate, get_settings
from tests.outbox.providers import WhatsApp, serving

TEMPLATES = {
    "safety_check": WhatsAppTemplate(
        names={"vi": "kieubao_safety_check_vi", "en": "kieubao_safety_check_en"},
        parameters=["name", "title", "link"],
    )
}
LAN, MINH, MARY = "+84 901 000 001", "+84 901 000 002", "+44 7700 900003"


@pytest.fixture
def cloud_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[WhatsApp]:
    install_templates()  # the safety check's text lives with the crisis domain
    fake = WhatsApp(
        window=set(),
        approved={("kieubao_safety_check_vi", "vi"), ("kieubao_safety_check_en", "en")},
    )
    with serving(fake) as url:
        for name, value in {
            "whatsapp_base_url": url,
            "whatsapp_phone_number_id": WhatsApp.phone_number_id,
            "whatsapp_token": WhatsApp.token,
            "whatsapp_templates": TEMPLATES,
        }.items():
            monkeypatch.setattr(get_settings(), name, value)
        monkeypatch.setitem(get_settings().outbox_rates, "whatsapp", 0.0)
        yield fake


def _safety_check(session: Session, people: list[tuple[str, str, str]]) -> dict[str, Status]:
    outbox.queue(
        session,
        send_key="kansai-1",
        kind="safety_check",
        context={"title": "Kansai earthquake"},
        messages=[
            Message(
                f"kansai-1-{i}",
                "whatsapp",
                number,
                language,
                {"name": name, "link": f"https://kieubao.example/r/{i}"},
            )
            for i, (number, language, name) in enumerate(people)
        ],
    )
    commit(session)
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return {row.address: row.status for row in rows}


def _wrote(session: Session, number: str, hours_ago: float, cloud_api: WhatsApp) -> None:
    digits = number.lstrip("+").replace(" ", "")
    outbox.heard_from(session, channel="whatsapp", address=digits)
    session.execute(
        update(LastHeard)
        .where(LastHeard.address == digits)
        .values(at=utcnow() - timedelta(hours=hours_ago))
    )
    if hours_ago < 24:
        cloud_api.window.add(digits)  # type: ignore[union-attr]
    commit(session)


def test_inside_the_window_free_text_outside_it_the_template_in_the_readers_language(
    session: Session, cloud_api: WhatsApp
) -> None:
    _wrote(session, LAN, hours_ago=2, cloud_api=cloud_api)
    _wrote(session, MINH, hours_ago=30, cloud_api=cloud_api)
    statuses = _safety_check(
        session, [(LAN, "vi", "Ngô Thị Lan"), (MINH, "vi", "Trần Minh"), (MARY, "en", "Mary")]
    )
    assert set(statuses.values()) == {Status.sent}

    sent = {r["to"]: r for r in cloud_api.received}
    lan, minh, mary = (sent[n.lstrip("+").replace(" ", "")] for n in (LAN, MINH, MARY))
    assert lan["type"] == "text" and "Ngô Thị Lan" in lan["text"]["body"]
    assert minh["type"] == "template"
    assert minh["template"]["name"] == "kieubao_safety_check_vi"
    assert minh["template"]["language"] == {"code": "vi"}
    [body] = minh["template"]["components"]
    assert body["type"] == "body"
    assert [p["text"] for p in body["parameters"]] == [
        "Trần Minh",
        "Kansai earthquake",
        "https://kieubao.example/r/1",
    ]
    assert mary["type"] == "template" and mary["template"]["language"] == {"code": "en"}


def test_without_a_template_for_the_type_outside_the_window_the_refusal_is_final(
    session: Session, cloud_api: WhatsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "whatsapp_templates", {})
    statuses = _safety_check(session, [(MINH, "vi", "Trần Minh")])
    # Final for this channel: a safety check moves on to the person's next one at once.
    assert statuses == {MINH: Status.failed}
    row = session.scalars(select(OutboxMessage)).one()
    assert row.error.startswith("WhatsApp 131047") and cloud_api.received == []


def test_a_template_is_chosen_for_a_language_it_is_approved_in_only(
    session: Session, cloud_api: WhatsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_vi = WhatsAppTemplate(names={"vi": "kieubao_safety_check_vi"}, parameters=["name"])
    monkeypatch.setattr(get_settings(), "whatsapp_templates", {"safety_check": only_vi})
    statuses = _safety_check(session, [(MINH, "vi", "Trần Minh"), (MARY, "en", "Mary")])
    assert statuses == {MINH: Status.sent, MARY: Status.failed}
    [minh] = cloud_api.received
    assert minh["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "Trần Minh"}
    ]


def test_writing_to_us_again_opens_the_window_again(session: Session) -> None:
    outbox.heard_from(session, channel="whatsapp", address="84901000001")
    first = session.scalars(select(LastHeard.at)).one()
    outbox.heard_from(session, channel="whatsapp", address="84901000001")
    commit(session)
    rows = session.scalars(select(LastHeard)).all()
    assert len(rows) == 1 and rows[0].at >= first
