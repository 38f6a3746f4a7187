"""Messages from the people of a case by email or messaging, and the files they bring."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit
from kieubao.protection.actions.files import (
    IncomingFile,
    check_file,
    check_size,
    kept,
    safe_filename,
)
from kieubao.protection.actions.intake import Intake, admit
from kieubao.protection.models import Case, CaseEvent, Channel
from kieubao.protection.schemas import CaseIn

# Called with the case and the timeline entry of the message, before the commit.
Then = Callable[[Case, CaseEvent], None]


@dataclass(frozen=True)
class Inbound:
    """One message as it came: ``sender`` is the address in its channel (an email address,
    a phone number, a chat id) and ``provider_id`` the provider's own id for it. ``location``
    (latitude, longitude) is a position the sender shared: the case's reported location."""

    channel: Channel
    sender: str
    provider_id: str
    text: str
    files: Sequence[IncomingFile] = field(default_factory=tuple)
    location: tuple[float, float] | None = None

    def origin(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "channel": str(self.channel),
            "from": self.sender,
            "provider_id": self.provider_id,
        }
        if self.location is not None:
            found["location"] = {"latitude": self.location[0], "longitude": self.location[1]}
        return found


def receive_message(
    session: Session,
    *,
    acting_user: Actor,
    case: Case,
    message: Inbound,
    then: Then | None = None,
) -> CaseEvent:
    """A later message in the reporter's thread: on the case's timeline as they wrote it.

    ``then`` is for the caller's own rows that must be written in the same transaction."""
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
    with kept(session, case, event, message.files):
        audit.record(
            session,
            acting_user,
            "case.inbound",
            "case",
            case.number,
            after={"channel": str(message.channel), "files": len(message.files)},
        )
        if then is not None:
            then(case, event)
        commit(session)
    return event


def open_from_message(
    session: Session,
    *,
    acting_user: Actor,
    report: CaseIn,
    message: Inbound,
    then: Then | None = None,
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
    # The entry that records the message: a life-at-risk case escalates right after it.
    event = next(e for e in reversed(intake.case.events) if e.kind in ("opened", "report_added"))
    with kept(session, intake.case, event, message.files):
        if then is not None:
            then(intake.case, event)
        commit(session)
    return intake


def attach_fetched(
    session: Session, *, acting_user: Actor, case: Case, event_id: int, file: IncomingFile
) -> None:
    """A file a message announced and that was fetched from its provider afterwards: kept
    with the message it came with, if it is a kind a case keeps."""
    checked = check_file(file)
    check_size([checked])
    event = next(e for e in case.events if e.id == event_id)
    with kept(session, case, event, [checked]) as rows:
        audit.record(
            session,
            acting_user,
            "case.attachment_fetched",
            "case",
            case.number,
            after={"event": event_id, "attachment": rows[0].id, "sha256": rows[0].sha256},
        )
        commit(session)


def fetch_failed(
    session: Session, *, acting_user: Actor, case: Case, event_id: int, filename: str, reason: str
) -> None:
    """A file a message announced that could not be fetched: said on the case, with why, so
    the officer asks the sender for it again."""
    case.events.append(
        CaseEvent(
            kind="attachment_failed",
            text=reason[:1000],
            data={"event": event_id, "filename": safe_filename(filename)},
            actor_id=acting_user.id,
        )
    )
    audit.record(
        session,
        acting_user,
        "case.attachment_failed",
        "case",
        case.number,
        after={"event": event_id, "reason": reason[:300]},
    )
    commit(session)
