"""Mail to the intake server: each becomes a case or a message on one, or is refused with a
reason the sending server can give its user."""

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.inbound.smtp import IntakeServer
from kieubao.platform.models import User
from kieubao.platform.smtp_sink import free_port
from kieubao.protection.models import Case, Channel

pytestmark = pytest.mark.usefixtures("case_types")
MB = 1024 * 1024


@pytest.fixture
def server(session: Session) -> Iterator[IntakeServer]:
    with IntakeServer(port=free_port()) as running:
        yield running


def mail(
    subject: str, text: str, sender: str = "Trần Thị Mai <mai.tran@example.vn>"
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "baohocongdan@mofa.gov.vn", subject
    msg.set_content(text)
    return msg


def send(server: IntakeServer, msg: EmailMessage | bytes) -> None:
    with smtplib.SMTP("127.0.0.1", server.port, timeout=60) as smtp:
        if isinstance(msg, bytes):
            smtp.sendmail("mai.tran@example.vn", ["baohocongdan@mofa.gov.vn"], msg)
        else:
            smtp.send_message(msg)


def refused(server: IntakeServer, msg: EmailMessage | bytes) -> int:
    with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as caught:
        send(server, msg)
    return int(caught.value.smtp_code)


def test_a_mother_mails_about_her_son_and_then_sends_his_passport_on_the_case(
    server: IntakeServer, session: Session, hq_officer: User, api: Any
) -> None:
    send(server, mail("Con trai tôi bị bắt ở Osaka", "Con trai tôi Lê Văn Hùng bị cảnh sát giữ."))
    (case,) = session.scalars(select(Case))
    assert case.channel is Channel.email
    assert case.reporters[0].email == "mai.tran@example.vn"
    assert case.reporters[0].name == "Trần Thị Mai"
    assert "bị cảnh sát giữ" in case.description

    follow = mail(
        f"Re: hồ sơ {case.number}",
        "Gửi kèm hộ chiếu của cháu.",
        sender="Lê Văn Tâm <tam.le@example.vn>",
    )
    follow.add_attachment(
        b"%PDF-1.7 passport scan",
        maintype="application",
        subtype="pdf",
        filename="../../hộ chiếu.pdf",
    )
    send(server, follow)
    session.expire_all()
    (case,) = session.scalars(select(Case))
    event = case.events[-1]
    assert event.kind == "inbound" and event.data["from"] == "tam.le@example.vn"
    (attachment,) = case.attachments
    assert attachment.filename == "hộ chiếu.pdf" and attachment.event_id == event.id
    download = api(hq_officer).get(f"/console/cases/{case.number}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.content == b"%PDF-1.7 passport scan"
    assert download.headers["content-disposition"].startswith("attachment;")

    # The same sender writing again without the number: the same thread, the same case.
    send(server, mail("Cập nhật", "Cháu đã được gặp luật sư.", sender="tam.le@example.vn"))
    session.expire_all()
    assert len(list(session.scalars(select(Case)))) == 1
    assert case.events[-1].text.endswith("Cháu đã được gặp luật sư.")


def test_the_same_mail_delivered_twice_is_one_case(server: IntakeServer, session: Session) -> None:
    msg = mail("Mất liên lạc", "Em gái tôi ở Nagoya mất liên lạc ba ngày nay.")
    msg["Message-ID"] = "<retry-1@example.vn>"
    send(server, msg)
    send(server, msg)
    assert len(list(session.scalars(select(Case)))) == 1


def test_an_empty_mail_is_refused(server: IntakeServer, session: Session) -> None:
    assert refused(server, mail("", "   \n")) == 550
    assert list(session.scalars(select(Case))) == []


def test_malformed_mime_is_refused(server: IntakeServer, session: Session) -> None:
    broken = (
        b"From: mai.tran@example.vn\r\nSubject: help\r\n"
        b'Content-Type: multipart/mixed; boundary="zz"\r\n\r\nno parts at all\r\n'
    )
    assert refused(server, broken) == 554
    bad_charset = (
        b"From: mai.tran@example.vn\r\nSubject: help\r\n"
        b"Content-Type: text/plain; charset=no-such-charset\r\n\r\nhello there\r\n"
    )
    assert refused(server, bad_charset) == 554
    assert list(session.scalars(select(Case))) == []


def test_a_30_mb_attachment_is_refused_with_552(server: IntakeServer, session: Session) -> None:
    msg = mail("Ảnh hiện trường", "Ảnh chụp vụ tai nạn.")
    msg.add_attachment(b"\0" * (30 * MB), maintype="image", subtype="jpeg", filename="a.jpg")
    assert refused(server, msg) == 552
    assert list(session.scalars(select(Case))) == []


def test_strangers_who_give_no_name_are_not_one_case(
    server: IntakeServer, session: Session
) -> None:
    send(server, mail("Tai nạn", "Tai nạn giao thông ở Busan.", sender="d1@example.vn"))
    send(server, mail("Tai nạn", "Tai nạn giao thông ở Busan.", sender="d2@example.vn"))
    cases = list(session.scalars(select(Case)))
    assert len(cases) == 2
    assert {c.reporters[0].email for c in cases} == {"d1@example.vn", "d2@example.vn"}
