"""What an incoming message becomes: an answer to a safety check, a message on the case its
thread (or its subject) names, or a new case."""

import re
from dataclasses import dataclass, replace

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kieubao.crisis import actions as crisis
from kieubao.inbound import jobs
from kieubao.inbound.models import InboundMedia, InboundMessage
from kieubao.inbound.providers import Received
from kieubao.platform import audit, outbox
from kieubao.platform.db import on_commit
from kieubao.platform.jobs import enqueue
from kieubao.platform.settings import get_settings
from kieubao.platform.text import nfc
from kieubao.protection import actions as protection
from kieubao.protection import queries as cases
from kieubao.protection.models import Case, CaseEvent, Channel
from kieubao.protection.schemas import CaseIn, ReporterIn, SubjectIn
from kieubao.registry.schemas import CountryCode, PersonName

CASE_NUMBER = re.compile(r"\bBH-\d{4}-\d{6}\b", re.IGNORECASE)
# The reporter and subject of a case opened from a message whose sender gave no usable name.
UNKNOWN_SENDER = "Người gửi chưa rõ tên"
# Channels whose sender address is a phone number.
PHONE_CHANNELS = (Channel.sms, Channel.whatsapp)
_NAME = TypeAdapter(PersonName)
_COUNTRY = TypeAdapter(CountryCode)


@dataclass(frozen=True)
class Outcome:
    # "opened", "appended", "safety_reply", "duplicate"; "here" (on a crisis roster by SMS),
    # "here_help", "here_no_crisis", "here_ask" (answered how to, that none is open, which one)
    kind: str
    case_number: str | None = None


def thread_key(channel: Channel, sender: str) -> str:
    address = sender.strip().lower()
    if channel in PHONE_CHANNELS:
        address = re.sub(r"\D", "", address)
    return f"{channel}:{address}"[:250]


def receive(session: Session, received: Received) -> Outcome:
    """Take one message in, once: the same provider id again is answered "duplicate"."""
    message = received.message
    log = InboundMessage(
        provider=received.provider,
        provider_id=message.provider_id[:200],
        channel=str(message.channel),
        thread_key=thread_key(message.channel, message.sender),
        outcome="",
    )
    try:
        with session.begin_nested():
            session.add(log)
    except IntegrityError:
        return _duplicate(session, received)
    # They wrote: a provider's window for free-text answers is open again.
    outbox.heard_from(session, channel=str(message.channel), address=message.sender)
    actor = audit.System(f"inbound {received.provider}")
    if (outcome := _here(session, received, log)) is not None:
        return outcome
    if (outcome := _safety_reply(session, received, log, actor)) is not None:
        return outcome
    if received.subject:
        # On the case, a mail reads as it was sent: its subject above its text.
        text = f"{received.subject}\n\n{message.text}" if message.text else received.subject
        message = replace(message, text=text.strip())

    def keep(case: Case, event: CaseEvent) -> None:
        log.case_number = case.number
        _announce(session, received, log, case, event)

    case = _case_named(session, received) or _thread_case(session, log.thread_key)
    if case is not None:
        log.outcome = "appended"
        protection.receive_message(
            session, acting_user=actor, case=case, message=message, then=keep
        )
        return Outcome("appended", case.number)
    log.outcome = "opened"
    report = _report(received.name, received.country, message)
    intake = protection.open_from_message(
        session,
        acting_user=actor,
        report=report,
        message=message,
        then=keep,
        deduplicate=report.subject.full_name != UNKNOWN_SENDER,
    )
    return Outcome("appended" if intake.appended else "opened", intake.case.number)


def _announce(
    session: Session, received: Received, log: InboundMessage, case: Case, event: CaseEvent
) -> None:
    """The files the message announces, written down with it, each fetched by a job once the
    message is on disk."""
    found = [
        InboundMedia(
            message_id=log.id,
            position=position,
            provider=received.provider,
            reference=media.reference,
            filename=media.filename[:200],
            content_type=media.content_type[:100],
            sha256=media.sha256[:64],
            case_number=case.number,
            event_id=event.id,
        )
        for position, media in enumerate(received.media)
    ]
    session.add_all(found)
    session.flush()
    for media in found:
        on_commit(session, enqueue, jobs.fetch_media, media_id=media.id)


def _duplicate(session: Session, received: Received) -> Outcome:
    known = session.scalar(
        select(InboundMessage).where(
            InboundMessage.provider == received.provider,
            InboundMessage.provider_id == received.message.provider_id[:200],
        )
    )
    return Outcome("duplicate", known.case_number if known else None)


def _here(session: Session, received: Received, log: InboundMessage) -> Outcome | None:
    """ "Ở ĐÂY <name> <birth year>" by SMS: the sender on the roster of the crisis open where
    they are, answered by SMS. A message that only starts like it, with more than a name after
    the keyword, is answered with how to send it and still goes on to a case, as any other."""
    message = received.message
    if message.channel not in PHONE_CHANNELS or (here := crisis.here_in(message.text)) is None:
        return None

    def keep(outcome: str) -> None:
        log.outcome = outcome

    done = crisis.register_by_sms(
        session,
        sender=message.sender,
        country=received.country,
        message=here,
        message_key=f"{received.provider}-{message.provider_id}"[:180],
        then=keep,
    )
    return None if crisis.names_no_one(here) else Outcome(done)


def _safety_reply(
    session: Session, received: Received, log: InboundMessage, actor: audit.Actor
) -> Outcome | None:
    message = received.message
    status = crisis.answer_in(message.text)
    if status is None:
        return None
    found = crisis.entry_for_link_in(session, f"{received.subject}\n{message.text}")
    if found is not None:
        # A link forwarded to someone else comes back from their address: a relative.
        entry, by_relative = (
            found,
            not (
                message.channel is Channel.email
                and crisis.is_own_address(found, session, email=message.sender)
            ),
        )
    elif message.channel in PHONE_CHANNELS:
        # The provider vouches for the number. A mail's From is anyone's to write, so a
        # mail answers only with the signed link the safety check sent, quoted back.
        asked = crisis.awaiting_reply(session, phone=message.sender)
        if asked is None:
            return None
        entry, by_relative = asked
    else:
        return None
    if entry.crisis.status != "open":
        return None
    log.outcome, log.roster_entry_id = "safety_reply", entry.id
    crisis.answer(
        session,
        acting_user=actor,
        entry=entry,
        status=status,
        by_relative=by_relative,
        note=f"{message.channel} {message.sender}: {message.text}"[:1000],
    )
    return Outcome("safety_reply")


def _case_named(session: Session, received: Received) -> Case | None:
    found = CASE_NUMBER.search(received.subject)
    return cases.open_case_by_number(session, found[0]) if found else None


def _thread_case(session: Session, key: str) -> Case | None:
    number = session.scalar(
        select(InboundMessage.case_number)
        .where(InboundMessage.thread_key == key, InboundMessage.case_number.is_not(None))
        .order_by(InboundMessage.id.desc())
        .limit(1)
    )
    return cases.open_case_by_number(session, number) if number else None


def _report(sender_name: str, country: str | None, message: protection.Inbound) -> CaseIn:
    """The report a first message makes: the sender is its reporter and, until an officer
    says otherwise at triage, the person it is about."""
    name = _person_name(sender_name)
    text = nfc(message.text)
    if len(text) < 5:
        text = f"{text or '-'} ({message.channel} {message.sender})"
    is_phone = message.channel in PHONE_CHANNELS
    # Built, not validated: a chat id is a way to reach the sender that a form does not know.
    reporter = ReporterIn.model_construct(
        name=name,
        phone=("+" + re.sub(r"\D", "", message.sender))[:40] if is_phone else "",
        email=message.sender if message.channel is Channel.email else None,
        relation="",
    )
    # Each part checked on its own: the whole is built, as the reporter is.
    return CaseIn.model_construct(
        case_type=None,
        country=_country(country),
        city=None,
        description=text[:5000],
        reporter=reporter,
        subject=SubjectIn(full_name=name),
        details={},
    )


def _person_name(raw: str) -> str:
    try:
        return str(_NAME.validate_python(nfc(raw)))
    except ValidationError:
        return UNKNOWN_SENDER


def _country(given: str | None) -> str:
    try:
        return str(_COUNTRY.validate_python(given))
    except ValidationError:
        return get_settings().inbound_unknown_country
