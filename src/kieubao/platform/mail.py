"""Outgoing email: an SMTP server when configured, else files under var/mail (the demo)."""

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from kieubao.platform.jobs import enqueue, enqueue_urgent, job
from kieubao.platform.settings import get_settings


def compose(to: str, subject: str, body: str, message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = get_settings().mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id
    msg.set_content(body)
    return msg


@job(retries=5)
def send_mail(*, to: str, subject: str, body: str, message_id: str) -> None:
    """Idempotent by Message-ID: a retry after a crash rewrites the same file."""
    settings = get_settings()
    msg = compose(to, subject, body, message_id)
    if settings.smtp_host:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            smtp.send_message(msg)
        return
    name = message_id.strip("<>").replace("@", "_").replace("/", "_")
    settings.var_path("mail", f"{name}.eml").write_bytes(bytes(msg))


@job(retries=5)
def send_mails(*, mails: list[dict[str, str]], urgent: bool = False) -> None:
    """Many messages queued as one job (one write to the queue for the sender), each then
    sent by a :func:`send_mail` of its own, retried alone; as urgent as the job was."""
    for mail in mails:
        (enqueue_urgent if urgent else enqueue)(send_mail, **mail)


def new_message_id() -> str:
    return make_msgid(idstring=uuid.uuid4().hex[:8], domain="kieubao")
