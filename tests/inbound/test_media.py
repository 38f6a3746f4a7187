"""Citizens send photos, documents and their position through messaging apps: the webhook
is answered at once, the files are fetched from the provider afterwards (its own hosts only,
within the size limit, of a kind a case keeps) and join the message on the case; a file that
cannot be fetched is tried again, then said on the case with the reason."""

import base64
import copy
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.inbound import media as fetching
from kieubao.inbound.models import InboundMedia
from kieubao.inbound.providers import Media, telegram, twilio, whatsapp, zalo
from kieubao.platform import storage
from kieubao.platform.db import utcnow
from kieubao.platform.models import User
from kieubao.platform.settings import Settings
from kieubao.protection import queries
from kieubao.protection.models import Case, CaseAttachment, CaseEvent
from tests.inbound.conftest import PROVIDERS, recorded
from tests.inbound.media_host import JPEG, PDF, MediaHost
from tests.outbox.providers import Telegram, Twilio, WhatsApp, serving

pytestmark = pytest.mark.usefixtures("case_types")
SIGN = {p.name: p.sign for p in PROVIDERS}
PATHS = {p.name: p.path for p in PROVIDERS}
TELEGRAM_PHOTO = "AgADBAADrKcxG6Ff7VAAAQj7y1O2nHOWzxsBAAFV6AEAAQY"
WHATSAPP_DOCUMENT = "1166297778271735"
TWILIO_MEDIA = "ME1234567890abcdef1234567890abcdef"


@pytest.fixture
def host(provider_secrets: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[MediaHost]:
    fake = MediaHost()
    with serving(fake) as base:
        fake.base = base
        for name in ("telegram", "whatsapp", "twilio", "zalo"):
            monkeypatch.setattr(provider_secrets, f"{name}_base_url", base)
        monkeypatch.setattr(provider_secrets, "telegram_bot_token", Telegram.token)
        monkeypatch.setattr(provider_secrets, "whatsapp_token", WhatsApp.token)
        monkeypatch.setattr(provider_secrets, "twilio_account_sid", Twilio.sid)
        monkeypatch.setattr(provider_secrets, "outbound_allowed_hosts", ["127.0.0.1"])
        yield fake


def send(client: TestClient, provider: str, body: bytes) -> Any:
    kind = "application/x-www-form-urlencoded" if provider == "twilio" else "application/json"
    headers = {"Content-Type": kind, **SIGN[provider](body)}
    return client.post(PATHS[provider], content=body, headers=headers)


def telegram_photo(_host: MediaHost) -> bytes:
    return json.dumps(recorded("telegram_photo.json")).encode()


def whatsapp_document(_host: MediaHost) -> bytes:
    payload = copy.deepcopy(recorded("whatsapp_document.json"))
    document = payload["entry"][0]["changes"][0]["value"]["messages"][0]["document"]
    # Meta gives the digest in base64.
    document["sha256"] = base64.b64encode(hashlib.sha256(PDF).digest()).decode()
    return json.dumps(payload).encode()


def zalo_image(host: MediaHost) -> bytes:
    event = recorded("zalo_user_send_image.json")
    event["message"]["attachments"][0]["payload"]["url"] = f"{host.base}/zalo/abc.jpg"
    return json.dumps(event, ensure_ascii=False).encode()


def twilio_mms(host: MediaHost) -> bytes:
    form = dict(recorded("twilio_mms.form"))
    url = form["MediaUrl0"].replace("https://api.twilio.com", host.base)
    form["MediaUrl0"] = url.replace("ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", Twilio.sid)
    return urlencode(form).encode()


# provider, recorded message, what its file is on the host, the file's name and type.
SENT: list[tuple[str, Callable[[MediaHost], bytes], str, bytes, str, str]] = [
    ("telegram", telegram_photo, TELEGRAM_PHOTO, JPEG, "photo.jpg", "image/jpeg"),
    ("whatsapp", whatsapp_document, WHATSAPP_DOCUMENT, PDF, "FILENAME.pdf", "application/pdf"),
    ("zalo", zalo_image, "abc.jpg", JPEG, "zalo-image.jpg", "image/jpeg"),
    ("twilio", twilio_mms, TWILIO_MEDIA, JPEG, "mms-1.jpg", "image/jpeg"),
]


def only_case(session: Session) -> Case:
    session.expire_all()
    (case,) = session.scalars(select(Case))
    return case


def pending(session: Session) -> InboundMedia:
    session.expire_all()
    (found,) = session.scalars(select(InboundMedia))
    return found


@pytest.mark.parametrize(
    ("provider", "body", "key", "data", "name", "kind"),
    SENT,
    ids=lambda v: v if isinstance(v, str) and len(v) < 10 else "",
)
def test_a_file_sent_by_message_joins_the_message_on_the_case(
    provider: str,
    body: Callable[[MediaHost], bytes],
    key: str,
    data: bytes,
    name: str,
    kind: str,
    host: MediaHost,
    session: Session,
    app_client: TestClient,
    api: Any,
    hq_officer: User,
) -> None:
    host.files[key] = (data, kind)
    answer = send(app_client, provider, body(host))
    assert answer.status_code == 200, answer.text

    case = only_case(session)
    (attachment,) = case.attachments
    message = next(e for e in case.events if e.id == attachment.event_id)
    assert message.kind == "opened"
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        name,
        kind,
        len(data),
    )
    assert storage.storage().get(attachment.storage_key) == data
    assert pending(session).status == "fetched"
    page = api(hq_officer).get(f"/console/cases/{case.number}")
    assert f'data-file="{attachment.id}"' in page.text


def test_the_webhook_is_answered_while_the_provider_is_down_and_the_file_comes_later(
    host: MediaHost, session: Session, app_client: TestClient
) -> None:
    host.files[TELEGRAM_PHOTO] = (JPEG, "image/jpeg")
    host.failing = 1
    assert send(app_client, "telegram", telegram_photo(host)).status_code == 200
    waiting = pending(session)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert "HTTP 503" in waiting.last_error
    assert only_case(session).attachments == []

    later = utcnow() + timedelta(minutes=2)
    assert fetching.due(session, later) == [waiting.id]
    assert fetching.fetch(session, waiting.id, now=later) == "fetched"
    assert len(only_case(session).attachments) == 1
    # Run again (a duplicate job, the minute's sweep): nothing more.
    assert fetching.fetch(session, waiting.id) == "fetched"
    assert session.scalar(select(func.count()).select_from(CaseAttachment)) == 1
    assert host.downloads == [TELEGRAM_PHOTO, TELEGRAM_PHOTO]


def test_a_file_that_never_comes_is_said_on_the_case_after_the_last_attempt(
    host: MediaHost, session: Session, app_client: TestClient, api: Any, hq_officer: User
) -> None:
    host.files[TELEGRAM_PHOTO] = (JPEG, "image/jpeg")
    host.failing = 100
    send(app_client, "telegram", telegram_photo(host))
    waiting = pending(session)
    now = utcnow()
    for _ in fetching.RETRY_AFTER:
        now += timedelta(hours=3)
        assert fetching.due(session, now) == [waiting.id]
        fetching.fetch(session, waiting.id, now=now)
    assert pending(session).status == "failed"
    case = only_case(session)
    (failed,) = [e for e in case.events if e.kind == "attachment_failed"]
    assert "HTTP 503" in failed.text
    assert failed.data == {"event": case.events[0].id, "filename": "photo.jpg"}
    console = api(hq_officer)
    page = console.get(f"/console/cases/{case.number}", params={"lang": "en"}).text
    assert "Attachment could not be fetched" in page and "HTTP 503" in page
    assert Telegram.token not in page
    page = console.get(f"/console/cases/{case.number}", params={"lang": "vi"}).text
    assert "Không tải được tệp đính kèm" in page


@pytest.mark.parametrize(
    ("served", "limit", "reason"),
    [
        ((b"<html><script>alert(1)</script></html>", "text/html"), None, "text/html"),
        # Said in the language of the server, where the job ran.
        ((b"GIF89a not a jpeg", "image/jpeg"), None, "zalo-image.jpg"),
        ((JPEG, "image/jpeg"), 1024, "1,024"),
        (None, None, "HTTP 404"),
    ],
    ids=["refused type", "mislabelled", "too large", "gone"],
)
def test_a_file_refused_or_gone_is_said_at_once_without_retrying(
    served: tuple[bytes, str] | None,
    limit: int | None,
    reason: str,
    host: MediaHost,
    session: Session,
    app_client: TestClient,
    provider_secrets: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if served is not None:
        host.files["abc.jpg"] = served
    if limit is not None:
        monkeypatch.setattr(provider_secrets, "inbound_max_bytes", limit)
    assert send(app_client, "zalo", zalo_image(host)).status_code == 200
    assert pending(session).status == "failed"
    case = only_case(session)
    assert case.attachments == []
    (failed,) = [e for e in case.events if e.kind == "attachment_failed"]
    assert reason in failed.text


def test_an_address_off_the_providers_hosts_is_never_asked(
    host: MediaHost, session: Session, app_client: TestClient
) -> None:
    event = recorded("zalo_user_send_image.json")
    event["message"]["attachments"][0]["payload"]["url"] = (
        "http://169.254.169.254/latest/meta-data/"
    )
    send(app_client, "zalo", json.dumps(event).encode())
    (failed,) = [e for e in only_case(session).events if e.kind == "attachment_failed"]
    assert "169.254.169.254 is not one of this request's hosts" in failed.text


def test_a_provider_redirecting_elsewhere_is_not_followed(
    host: MediaHost, session: Session, app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = host.get

    def elsewhere(path: str, headers: Any) -> tuple[int, bytes, dict[str, str]]:
        status, data, extra = original(path, headers)
        if status == 307:
            extra = {"Location": "http://10.0.0.1/latest/meta-data/"}
        return status, data, extra

    monkeypatch.setattr(host, "get", elsewhere)
    host.files[TWILIO_MEDIA] = (JPEG, "image/jpeg")
    send(app_client, "twilio", twilio_mms(host))
    assert pending(session).status == "failed"
    assert host.downloads == []


def test_a_retried_delivery_fetches_nothing_twice(
    host: MediaHost, session: Session, app_client: TestClient
) -> None:
    host.files[TELEGRAM_PHOTO] = (JPEG, "image/jpeg")
    send(app_client, "telegram", telegram_photo(host))
    send(app_client, "telegram", telegram_photo(host))
    assert session.scalar(select(func.count()).select_from(InboundMedia)) == 1
    assert host.downloads == [TELEGRAM_PHOTO]


def _telegram_location() -> bytes:
    return json.dumps(recorded("telegram_location.json")).encode()


def _whatsapp_location() -> bytes:
    return json.dumps(recorded("whatsapp_location.json")).encode()


def _zalo_location() -> bytes:
    return json.dumps(recorded("zalo_user_send_location.json"), ensure_ascii=False).encode()


@pytest.mark.parametrize(
    ("provider", "body", "where"),
    [
        ("telegram", _telegram_location, {"latitude": 34.702485, "longitude": 135.495951}),
        ("whatsapp", _whatsapp_location, {"latitude": 37.483307, "longitude": -122.148981}),
        ("zalo", _zalo_location, {"latitude": 10.7642473, "longitude": 106.6564482}),
    ],
    ids=["telegram", "whatsapp", "zalo"],
)
def test_a_shared_position_becomes_the_cases_reported_location(
    provider: str,
    body: Callable[[], bytes],
    where: dict[str, float],
    session: Session,
    app_client: TestClient,
    api: Any,
    hq_officer: User,
) -> None:
    assert send(app_client, provider, body()).status_code == 200
    case = only_case(session)
    assert queries.reported_location(case) == where
    page = api(hq_officer).get(f"/console/cases/{case.number}").text
    assert f'data-location="{where["latitude"]},{where["longitude"]}"' in page


def test_a_position_sent_later_in_the_thread_moves_the_reported_location(
    session: Session, app_client: TestClient
) -> None:
    first = recorded("telegram_message.json")
    first["message"]["text"] = "Tôi bị lạc ở Osaka, điện thoại sắp hết pin"
    send(app_client, "telegram", json.dumps(first).encode())
    assert queries.reported_location(only_case(session)) is None
    send(app_client, "telegram", _telegram_location())
    case = only_case(session)
    assert [e.kind for e in case.events if e.kind == "inbound"] == ["inbound"]
    assert queries.reported_location(case) == {"latitude": 34.702485, "longitude": 135.495951}
    assert (
        session.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "opened")
        )
        == 1
    )


def test_each_provider_reads_what_its_files_are_from_its_own_payload() -> None:
    (image,) = whatsapp.parse(json.dumps(recorded("whatsapp_image.json")).encode())
    assert image.message.text == "CAPTION"
    assert image.media == (Media("1003383421387256", "image", "image/jpeg", "IMAGE_HASH"),)
    (document,) = zalo.parse(recorded("zalo_user_send_file.json"))
    assert document.message.text == ""
    assert document.media == (Media("https://dl.zaloapp.com/abc/giay-to.pdf", "giay-to.pdf", ""),)
    (photo,) = telegram.parse(telegram_photo(MediaHost()))
    # The largest of the sizes Telegram sends of one photo.
    assert [m.reference for m in photo.media] == [TELEGRAM_PHOTO]
    (mms,) = twilio.parse(parse_qsl(twilio_mms(MediaHost(base="https://api.twilio.com")).decode()))
    assert [m.content_type for m in mms.media] == ["image/jpeg"]


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
PARTS = ["photo", "document", "voice", "location", "attachments", "image", "type", "payload"]


@settings(max_examples=500, deadline=None)
@given(
    st.dictionaries(st.sampled_from(PARTS), JSONISH, max_size=5),
    st.sampled_from(["image", "document", "location", "audio", "sticker"]),
)
def test_any_shape_of_message_is_read_or_left_out_never_a_crash(
    message: dict[str, Any], kind: str
) -> None:
    update = {"update_id": 1, "message": {**message, "chat": {"id": 1}}}
    telegram.parse(json.dumps(update).encode())
    event = {
        "event_name": f"user_send_{kind}",
        "sender": {"id": "1"},
        "message": {"msg_id": "1", **message},
    }
    zalo.parse(event)
    payload = copy.deepcopy(recorded("whatsapp_text.json"))
    payload["entry"][0]["changes"][0]["value"]["messages"] = [
        {"from": "1", "id": "1", "type": kind, **message}
    ]
    whatsapp.parse(json.dumps(payload).encode())
