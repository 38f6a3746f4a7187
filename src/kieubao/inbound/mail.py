"""An email read into a message: its sender, subject, text and attachments, or the reason it
is refused (with the SMTP code the sending server is given)."""

import hashlib
import html
from email import policy
from email.errors import MessageDefect, MultipartInvariantViolationDefect
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr

import nh3

from kieubao.inbound.providers import Received
from kieubao.protection.actions import Inbound, IncomingFile
from kieubao.protection.models import Channel

NAME = "email"
# Defects after which the parts of a mail cannot be told apart.
BROKEN = (MultipartInvariantViolationDefect,)


class Refused(Exception):
    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code, self.text = code, text

    @property
    def reply(self) -> str:
        return f"{self.code} {self.text}"


def read(raw: bytes, *, envelope_from: str = "") -> Received:
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; what still fails is unreadable
        raise Refused(554, "5.6.0 the message cannot be read as MIME") from exc
    assert isinstance(msg, EmailMessage)  # policy.default makes EmailMessage
    if _broken(msg):
        raise Refused(554, "5.6.0 malformed MIME: the parts of the message cannot be read")
    name, address = parseaddr(str(msg.get("From", "")))
    address = address or envelope_from
    if "@" not in address:
        raise Refused(550, "5.1.7 the message has no sender address")
    subject = " ".join(str(msg.get("Subject", "")).split())
    try:
        text = _text(msg)
        files = [_file(part) for part in msg.iter_attachments()]
    except (LookupError, ValueError) as exc:  # an unknown charset, a broken encoding
        raise Refused(554, "5.6.0 a part of the message cannot be decoded") from exc
    files = [f for f in files if f.data]
    if not text.strip() and not files:
        raise Refused(550, "5.6.0 the message is empty: write what happened in the mail")
    message_id = str(msg.get("Message-ID", "")).strip() or hashlib.sha256(raw).hexdigest()
    return Received(
        provider=NAME,
        message=Inbound(
            channel=Channel.email,
            sender=address.lower(),
            provider_id=message_id,
            text=text,
            files=files,
        ),
        name=name,
        subject=subject,
    )


def _broken(msg: EmailMessage) -> bool:
    defects: list[MessageDefect] = [d for part in msg.walk() for d in part.defects]
    return any(isinstance(d, BROKEN) for d in defects)


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = str(part.get_content())
    if part.get_content_subtype() == "html":
        content = html.unescape(nh3.clean(content, tags=set()))
    return content.strip()


def _file(part: EmailMessage) -> IncomingFile:
    data = part.get_payload(decode=True)
    return IncomingFile(
        filename=part.get_filename() or "attachment",
        content_type=part.get_content_type(),
        data=data if isinstance(data, bytes) else b"",
    )
