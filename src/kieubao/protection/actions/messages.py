"""Messages from the people of a case by email or messaging, and the files they bring."""

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kieubao.platform import audit, storage
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit
from kieubao.platform.errors import Problem
from kieubao.platform.i18n import gettext as _
from kieubao.platform.settings import get_settings
from kieubao.protection.actions.intake import Intake, admit
from kieubao.protection.models import Case, CaseAttachment, CaseEvent, Channel
from kieubao.protection.schemas import CaseIn


class TooLarge(Problem):
    status = 413
    title = "Too large"


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Inbound:
    """One message as it came: ``sender`` is the address in its channel (an email address,
    a phone number, a chat id) and ``provider_id`` the provider's own id for it."""

    channel: Channel
    sender: str
    provider_id: str
    text: str
    files: Sequence[IncomingFile] = field(default_factory=tuple)

    def origin(self) -> dict[str, Any]:
        return {"channel": str(self.channel), "from": self.sender, "provider_id": self.provider_id}


def receive_message(
    session: Session,
    *,
    acting_user: Actor,
    case: Case,
    message: Inbound,
    then: Callable[[Case], None] | None = None,
) -> CaseEvent:
    """A later message in the reporter's thread: on the case's timeline as they wrote it.

    ``then`` is called with the case before the commit, for the caller's own rows that
    must be written in the same transaction."""
    check_size(message.files)
    event = CaseEvent(
        kind="inbound",
        public=True,
        text=message.text,
        data=message.origin(),
        actor_id=acting_user.id,
    )
    case.events.append(event)
    session.flush()
    with _kept(session, case, event, message.files):
        audit.record(
            session,
            acting_user,
            "case.inbound",
            "case",
            case.number,
            after={"channel": str(message.channel), "files": len(message.files)},
        )
        if then is not None:
            then(case)
        commit(session)
    return event


def open_from_message(
    session: Session,
    *,
    acting_user: Actor,
    report: CaseIn,
    message: Inbound,
    then: Callable[[Case], None] | None = None,
    deduplicate: bool = True,
) -> Intake:
    """A first message becomes a case (or a report added to the case it repeats), with its
    files, in one transaction; ``then`` as for :func:`receive_message`, ``deduplicate`` as
    for :func:`~kieubao.protection.actions.intake.admit`."""
    check_size(message.files)
    intake = admit(
        session,
        acting_user=acting_user,
        report=report,
        channel=message.channel,
        opened_data=message.origin(),
        deduplicate=deduplicate,
    )
    session.flush()
    with _kept(session, intake.case, intake.case.events[-1], message.files):
        if then is not None:
            then(intake.case)
        commit(session)
    return intake


def check_size(files: Sequence[IncomingFile]) -> None:
    limit = get_settings().inbound_max_bytes
    if sum(len(f.data) for f in files) > limit:
        raise TooLarge(
            _("the attachments are larger than {mb} MB").format(mb=limit // (1024 * 1024))
        )


def safe_filename(name: str) -> str:
    """The sender's file name as a label only: no folders, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    clean = unicodedata.normalize("NFC", clean).strip().lstrip(".")
    return clean[:200] or "attachment"


@contextmanager
def _kept(
    session: Session, case: Case, event: CaseEvent, files: Sequence[IncomingFile]
) -> Iterator[None]:
    """Files stored before the rows that name them; taken back out if the rows fail."""
    store = storage.storage()
    stored: list[storage.Stored] = []
    try:
        for incoming in files:
            content_type = (incoming.content_type or "application/octet-stream")[:100]
            kept = storage.put(
                incoming.data, content_type, prefix=f"cases/{case.number}", store=store
            )
            stored.append(kept)
            case.attachments.append(
                CaseAttachment(
                    event_id=event.id,
                    filename=safe_filename(incoming.filename),
                    content_type=content_type,
                    size=kept.size,
                    sha256=kept.sha256,
                    storage_key=kept.key,
                )
            )
        session.flush()
        yield
    except BaseException:
        for kept in stored:
            store.delete(kept.key)
        raise
