"""Safety-check answers that come back as messages (an SMS keyword, a reply to the mail)
rather than through the reply link."""

import re

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from kieubao.crisis.actions.roster import REPLY_PURPOSE, record_status
from kieubao.crisis.models import Crisis, RosterEntry, SafetyCheck
from kieubao.platform.audit import Actor
from kieubao.platform.crypto import unsigned
from kieubao.platform.text import fold
from kieubao.registry.models import Citizen

# Folded, spaces removed: AN TOÀN / an toan / antoan / SAFE, CẦN GIÚP / can giup / HELP.
ANSWERS = {"antoan": "safe", "safe": "safe", "cangiup": "needs_help", "help": "needs_help"}
# The national part of a phone number: the same person with or without the country code.
PHONE_TAIL = 9
_LINK = re.compile(r"/r/([0-9]+\.[A-Za-z0-9_-]{10,})")


def keyword(text: str) -> str:
    """Words as a keyword is looked up: folded (no tones, đ→d, lower), spaces removed, so that
    ``CẦN GIÚP``, ``can giup`` and ``cangiup`` are one."""
    return fold(text).replace(" ", "")


def answer_in(text: str) -> str | None:
    """ "safe" or "needs_help" when the message's first line is one of the keywords."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ANSWERS.get(keyword(first))


def entry_for_link_in(session: Session, text: str) -> RosterEntry | None:
    """The roster entry whose reply link a message quotes (a reply to the safety-check mail
    keeps the link in the quoted text)."""
    for token in _LINK.findall(text):
        value = unsigned(REPLY_PURPOSE, token)
        if value and value.isdigit() and (entry := session.get(RosterEntry, int(value))):
            return entry
    return None


def awaiting_reply(session: Session, *, phone: str) -> tuple[RosterEntry, bool] | None:
    """Where the owner of a phone number, or the person who gave it as their emergency
    contact, is on the roster of an open crisis that has sent a safety check (the latest
    crisis first); with whether the sender is that relative. None when no one was asked."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < PHONE_TAIL:
        return None
    tail = digits[-PHONE_TAIL:]
    contact = func.replace(Citizen.emergency_contact_phone, " ", "")
    for separator in "-+.()":
        contact = func.replace(contact, separator, "")
    for column, by_relative in ((Citizen.phone_index, False), (contact, True)):
        entry = session.scalar(
            select(RosterEntry)
            .join(Crisis, Crisis.id == RosterEntry.crisis_id)
            .join(Citizen, Citizen.id == RosterEntry.citizen_id)
            .where(
                Crisis.status == "open",
                exists().where(SafetyCheck.crisis_id == RosterEntry.crisis_id),
                column.endswith(tail, autoescape=True),
            )
            .order_by(Crisis.opened_at.desc(), RosterEntry.id.desc())
            .limit(1)
        )
        if entry is not None:
            return entry, by_relative
    return None


def is_own_address(entry: RosterEntry, session: Session, *, email: str) -> bool:
    citizen = session.get(Citizen, entry.citizen_id)
    return bool(citizen and citizen.email and citizen.email.lower() == email.strip().lower())


def answer(
    session: Session,
    *,
    acting_user: Actor,
    entry: RosterEntry,
    status: str,
    by_relative: bool,
    note: str,
) -> RosterEntry:
    """The answer on the roster, as the reply link would put it."""
    return record_status(
        session,
        acting_user=acting_user,
        entry=entry,
        status=status,
        source="relative" if by_relative else "citizen_reply",
        by_relative=by_relative,
        note=note,
    )
