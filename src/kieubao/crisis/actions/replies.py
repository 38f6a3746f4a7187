"""Safety-check answers that come back as messages (an SMS keyword, a reply to the mail)
rather than through the reply link."""

import re

from sqlalchemy import exists, select
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


def answer_in(text: str) -> str | None:
    """ "safe" or "needs_help" when the message's first line is one of the keywords."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ANSWERS.get(fold(first).replace(" ", ""))


def entry_for_link_in(session: Session, text: str) -> RosterEntry | None:
    """The roster entry whose reply link a message quotes (a reply to the safety-check mail
    keeps the link in the quoted text)."""
    for token in _LINK.findall(text):
        value = unsigned(REPLY_PURPOSE, token)
        if value and value.isdigit() and (entry := session.get(RosterEntry, int(value))):
            return entry
    return None


def awaiting_reply(session: Session, *, phone: str) -> RosterEntry | None:
    """Where the owner of a phone number is on the roster of an open crisis that has sent a
    safety check, the latest crisis first; None when no such question was asked of them."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < PHONE_TAIL:
        return None
    asked = exists().where(SafetyCheck.crisis_id == RosterEntry.crisis_id)
    return session.scalar(
        select(RosterEntry)
        .join(Crisis, Crisis.id == RosterEntry.crisis_id)
        .join(Citizen, Citizen.id == RosterEntry.citizen_id)
        .where(
            Crisis.status == "open",
            asked,
            Citizen.phone_index.endswith(digits[-PHONE_TAIL:], autoescape=True),
        )
        .order_by(Crisis.opened_at.desc(), RosterEntry.id.desc())
        .limit(1)
    )


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
