"""A send reaches each recipient once, in their language, and its delivery is tracked."""

import smtplib
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import channels, delivery, i18n, outbox
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Invalid
from kieubao.platform.models import User
from kieubao.platform.outbox import Message, OutboxMessage, Status
from kieubao.platform.settings import get_settings
from kieubao.platform.smtp_sink import Sink
from tests.personas import mails_to

NOTICE = {"title": "Typhoon Yagi: stay indoors", "text": "Shelters are open in Da Nang."}


def _messages(n: int, channel: str = "log", language: str = "vi") -> list[Message]:
    return [
        Message(
            key=f"typhoon-yagi:{channel}:{i}",
            channel=channel,
            address=f"person{i}@example.jp",
            language=language,
            fields={"name": f"Nguyễn Văn {i}"},
        )
        for i in range(n)
    ]


def _rows(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def log_channel(monkeypatch: pytest.MonkeyPatch) -> channels.LogChannel:
    fresh = channels.LogChannel()
    monkeypatch.setitem(channels.CHANNELS, "log", fresh)
    return fresh


def test_each_reader_gets_the_notice_in_their_language_addressed_by_name(
    session: Session, log_channel: channels.LogChannel
) -> None:
    mary = Message("typhoon-yagi:log:en", "log", "mary@example.jp", "en", {"name": "Mary"})
    messages = [*_messages(2, language="vi"), mary]
    outbox.queue(session, send_key="typhoon-yagi", kind="notice", context=NOTICE, messages=messages)
    commit(session)

    by_address = {m.address: m for m in log_channel.sent}
    greeting = i18n.translations("vi").gettext("Dear $name,").replace("$name", "Nguyễn Văn 1")
    assert by_address["person1@example.jp"].body.startswith(greeting)
    assert by_address["mary@example.jp"].body.startswith("Dear Mary,")
    assert by_address["mary@example.jp"].subject == NOTICE["title"]
    assert all(r.status is Status.sent and r.provider_id for r in _rows(session))


def test_queueing_the_same_send_twice_sends_each_message_once(
    session: Session, log_channel: channels.LogChannel
) -> None:
    for _ in range(2):
        outbox.queue(session, send_key="yagi", kind="notice", context=NOTICE, messages=_messages(3))
        commit(session)
    assert len(_rows(session)) == 3
    assert sorted(m.key for m in log_channel.sent) == sorted(m.key for m in _messages(3))


def test_a_dollar_sign_in_the_shared_text_is_kept(
    session: Session, log_channel: channels.LogChannel
) -> None:
    context = {**NOTICE, "text": "The fee of $name is US$25."}
    outbox.queue(session, send_key="fee", kind="notice", context=context, messages=_messages(1))
    commit(session)
    assert "The fee of $name is US$25." in log_channel.sent[0].body


def test_a_rolled_back_caller_queues_nothing(
    session: Session, log_channel: channels.LogChannel
) -> None:
    outbox.queue(session, send_key="yagi", kind="notice", context=NOTICE, messages=_messages(2))
    session.rollback()
    commit(session)
    assert _rows(session) == [] and log_channel.sent == []


def test_an_unknown_channel_or_an_empty_address_is_refused(session: Session) -> None:
    with pytest.raises(Invalid, match="channel"):
        outbox.queue(
            session,
            send_key="yagi",
            kind="notice",
            context=NOTICE,
            messages=[Message("k", "pigeon", "roof")],
        )
    with pytest.raises(Invalid, match="address"):
        outbox.queue(
            session,
            send_key="yagi",
            kind="notice",
            context=NOTICE,
            messages=[Message("k", "log", " ")],
        )


class Refusing(channels.OneByOne):
    """A provider that answers every message with the same refusal."""

    name = "log"

    def __init__(self, permanent: bool) -> None:
        self.permanent = permanent

    def connect(self) -> channels.Connection:
        return self

    def deliver(self, message: channels.Outgoing, prepared: bytes) -> str:
        raise channels.Rejected("421 try later", permanent=self.permanent)


def test_a_temporary_refusal_is_retried_later_and_gives_up_after_the_last_attempt(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(channels.CHANNELS, "log", Refusing(permanent=False))
    monkeypatch.setattr(get_settings(), "outbox_max_attempts", 2)
    outbox.queue(session, send_key="yagi", kind="notice", context=NOTICE, messages=_messages(1))
    commit(session)
    [row] = _rows(session)
    assert row.status is Status.queued and row.attempts == 1 and "421" in row.error
    first_wait = row.next_attempt_at - utcnow()
    assert timedelta(seconds=20) < first_wait <= timedelta(seconds=30)

    row.next_attempt_at = utcnow()
    commit(session)
    delivery.drain("log")
    session.refresh(row)
    assert row.status is Status.failed and row.attempts == 2


def test_a_permanent_refusal_fails_at_once(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(channels.CHANNELS, "log", Refusing(permanent=True))
    outbox.queue(session, send_key="yagi", kind="notice", context=NOTICE, messages=_messages(1))
    commit(session)
    [row] = _rows(session)
    assert row.status is Status.failed and row.attempts == 1


class Silent(channels.OneByOne):
    """A provider that takes the message and never answers."""

    name = "log"

    def __init__(self) -> None:
        self.keys: list[str] = []

    def connect(self) -> channels.Connection:
        return self

    def deliver(self, message: channels.Outgoing, prepared: bytes) -> str:
        self.keys.append(message.key)
        raise channels.Unconfirmed("read timed out")


def test_a_message_with_no_answer_is_sent_again_later_under_the_same_key(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    silent = Silent()
    monkeypatch.setitem(channels.CHANNELS, "log", silent)
    outbox.queue(session, send_key="yagi", kind="notice", context=NOTICE, messages=_messages(1))
    commit(session)
    [row] = _rows(session)
    # Never marked sent without the provider's word: it may have arrived, so it goes again
    # with its key, for the provider or the reader to fold.
    assert row.status is Status.queued and row.error.startswith("unconfirmed")
    row.next_attempt_at = utcnow()
    commit(session)
    delivery.drain("log")
    assert silent.keys == ["typhoon-yagi:log:0"] * 2


def test_messages_held_by_a_dead_worker_go_back_to_the_queue_and_a_live_ones_stay(
    session: Session, monkeypatch: pytest.MonkeyPatch, log_channel: channels.LogChannel
) -> None:
    monkeypatch.setattr(outbox, "enqueue", lambda *a, **k: None)  # no worker runs here
    outbox.queue(session, send_key="yagi", kind="notice", context=NOTICE, messages=_messages(3))
    commit(session)
    dead, alive, old = _rows(session)
    host = delivery.worker_name().rpartition(":")[0]
    for row, holder, age in (
        (dead, f"{host}:999999999", 0),
        (alive, delivery.worker_name(), 0),
        (old, "another-host:12", 3600),
    ):
        row.status, row.claimed_by = Status.sending, holder
        row.claimed_at = utcnow() - timedelta(seconds=age)
    monkeypatch.setattr(get_settings(), "outbox_lease_s", 600.0)
    commit(session)

    assert delivery.release_abandoned(session) == 2
    for row in (dead, alive, old):
        session.refresh(row)
    assert (dead.status, alive.status, old.status) == (Status.queued, Status.sending, Status.queued)


def test_a_row_taken_back_from_a_slow_worker_that_got_it_through_is_not_sent_again(
    session: Session, monkeypatch: pytest.MonkeyPatch, log_channel: channels.LogChannel
) -> None:
    monkeypatch.setattr(outbox, "enqueue", lambda *a, **k: None)
    outbox.queue(session, send_key="yagi", kind="notice", context=NOTICE, messages=_messages(2))
    commit(session)
    batch = delivery.claim(session, "log", 10)
    first = session.get(OutboxMessage, batch[0].id)
    assert first is not None
    first.status, first.claimed_by = Status.queued, None  # the lease ran out meanwhile
    commit(session)

    assert delivery.send_batch(session, log_channel.connect(), batch, delivery.Pacer(0)) == 2
    assert delivery.drain("log") == 0  # the provider's answer settled it: nothing to resend
    assert [m.id for m in log_channel.sent] == [m.id for m in batch]
    session.expire_all()
    assert all(r.status is Status.sent for r in _rows(session))


def test_a_refusal_seen_by_a_worker_that_lost_its_claim_leaves_the_row_to_its_new_holder(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "enqueue", lambda *a, **k: None)
    outbox.queue(session, send_key="yagi", kind="notice", context=NOTICE, messages=_messages(1))
    commit(session)
    [message] = delivery.claim(session, "log", 10)
    row = session.get(OutboxMessage, message.id)
    assert row is not None
    row.claimed_by = "another-host:7"  # taken back and claimed again meanwhile
    commit(session)

    refusing = Refusing(permanent=True)
    assert delivery.send_batch(session, refusing, [message], delivery.Pacer(0)) == 0
    session.refresh(row)
    assert row.status is Status.sending and row.claimed_by == "another-host:7"


def test_the_pacer_holds_a_channel_to_its_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(delivery.time, "sleep", slept.append)
    monkeypatch.setattr(delivery.time, "monotonic", lambda: 100.0)
    pacer = delivery.Pacer(4.0)
    for _ in range(3):
        pacer.wait()
    assert slept == [0.25, 0.5]


def test_email_goes_over_one_smtp_session_with_a_stable_message_id(
    session: Session, sink: Sink
) -> None:
    outbox.queue(
        session, send_key="yagi", kind="notice", context=NOTICE, messages=_messages(5, "email")
    )
    commit(session)
    assert sink.recipients == {f"person{i}@example.jp": 1 for i in range(5)}
    assert set(sink.handler.message_ids) == {
        channels.message_id(f"typhoon-yagi:email:{i}") for i in range(5)
    }
    assert all(
        r.status is Status.sent and "accepted" in (r.provider_id or "") for r in _rows(session)
    )


RECEIPTS = "/api/v1/outbox/receipts/log"


@pytest.fixture
def provider(
    app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> Callable[[dict[str, object]], Response]:
    """The provider's side: receipts posted with the shared receipt token."""
    monkeypatch.setattr(get_settings(), "outbox_receipt_secret", "s3cret-shared-with-provider")

    def post(body: dict[str, object], url: str = RECEIPTS, token: str | None = None) -> Response:
        headers = {"X-Receipt-Token": token or "s3cret-shared-with-provider"}
        return app_client.post(url, json=body, headers=headers)

    return post


def test_a_provider_reports_delivery_and_bounces_and_a_bounced_address_is_disabled(
    session: Session, provider: Callable[..., Response], log_channel: channels.LogChannel
) -> None:
    outbox.queue(session, send_key="yagi", kind="notice", context=NOTICE, messages=_messages(2))
    commit(session)
    first, second = _rows(session)

    ok = provider({"provider_id": first.provider_id, "status": "delivered"})
    assert ok.status_code == 200 and ok.json()["status"] == "delivered"
    bounce = provider(
        {
            "provider_id": second.provider_id,
            "status": "bounced",
            "reason": "550 no such user",
            "disable_address": True,
        }
    )
    assert bounce.json()["status"] == "bounced"

    outbox.queue(
        session,
        send_key="yagi-2",
        kind="notice",
        context=NOTICE,
        messages=[Message("yagi-2:1", "log", second.address)],
    )
    commit(session)
    again = session.scalar(select(OutboxMessage).where(OutboxMessage.key == "yagi-2:1"))
    assert again is not None and again.status is Status.failed and "bounce" in again.error


def test_receipts_that_make_no_sense_or_lack_the_token_are_refused(
    session: Session, provider: Callable[..., Response]
) -> None:
    assert provider({"provider_id": "nope", "status": "delivered"}).status_code == 404
    wrong = provider({"provider_id": "x", "status": "queued"})
    assert wrong.status_code == 422
    assert any("status" in str(e) for e in wrong.json()["errors"])
    failed = {"provider_id": "x", "status": "failed"}
    assert provider(failed, url="/api/v1/outbox/receipts/fax").status_code == 404
    assert provider(failed, token="guess").status_code == 403


def test_the_console_lists_each_send_with_its_counts_in_both_languages(
    session: Session,
    api: Callable[[User | None], TestClient],
    hq_officer: User,
    partner_analyst: User,
    log_channel: channels.LogChannel,
) -> None:
    outbox.queue(
        session, send_key="typhoon-yagi", kind="notice", context=NOTICE, messages=_messages(3)
    )
    commit(session)
    client = api(hq_officer)
    english = client.get("/console/outbox?lang=en")
    assert "typhoon-yagi" in english.text and "Delivered" in english.text
    assert "<td>3</td>" in english.text
    vietnamese = client.get("/console/outbox?lang=vi")
    assert 'lang="vi"' in vietnamese.text
    assert i18n.translations("vi").gettext("Delivered") in vietnamese.text
    assert api(partner_analyst).get("/console/outbox").status_code == 403


def test_without_an_smtp_server_email_lands_in_the_demo_mailbox(session: Session) -> None:
    text = {**NOTICE, "text": ".\nA line that starts with a dot stays as written."}
    messages = _messages(1, "email", language="en")
    outbox.queue(session, send_key="demo", kind="notice", context=text, messages=messages)
    commit(session)
    [mail] = mails_to("person0@example.jp")
    assert mail.startswith("Dear Nguyễn Văn 0,")
    assert "\n.\nA line that starts with a dot stays as written." in mail.replace("\r\n", "\n")


@pytest.mark.parametrize("pipelining", [False, True], ids=["step by step", "pipelined"])
def test_an_unknown_mailbox_fails_alone_and_the_rest_of_the_group_is_delivered(
    session: Session, sink: Sink, monkeypatch: pytest.MonkeyPatch, pipelining: bool
) -> None:
    sink.handler.unknown.add("person2@example.jp")
    sink.handler.pipelining = pipelining
    writes = []
    write = smtplib.SMTP.send
    monkeypatch.setattr(smtplib.SMTP, "send", lambda smtp, s: writes.append(s) or write(smtp, s))
    messages = _messages(12, "email")
    outbox.queue(session, send_key="yagi", kind="notice", context=NOTICE, messages=messages)
    commit(session)
    # Without pipelining a message takes four writes (MAIL, RCPT, DATA, text with its dot;
    # the refused one stops after RCPT). With it, a session writes its first envelope, then
    # one text and the next envelope at a time: a write a message and one a session.
    steps = [w for w in writes if not str(w).startswith(("ehlo", "rset", "quit"))]
    sessions = get_settings().smtp_sessions
    assert len(steps) == (12 + sessions if pipelining else 4 * 11 + 2)
    rows = {r.address: r for r in _rows(session)}
    refused = rows.pop("person2@example.jp")
    assert refused.status is Status.failed and refused.error.startswith("550")
    assert all(r.status is Status.sent for r in rows.values())
    assert sorted(sink.recipients) == sorted(rows)
