"""Self-registration by SMS, for a phone with no internet: "Ở ĐÂY <full name> <birth year>"
(or TÔI Ở ĐÂY, HERE, I AM HERE; with or without tones) while a crisis is open in the sender's
country puts the sender on its roster, as the public form would, and an SMS answers it.

Which crisis: the one named by its number after the keyword ("O DAY 12 ..."), else the one
open in the country the provider says the phone is from, else the only one open; with
several and no way to choose, the answer lists them and asks. A phone already in the registry
may send the keyword alone: the record it belongs to is the person."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis.actions.replies import PHONE_TAIL, keyword
from kieubao.crisis.actions.self_reports import keep_self_report
from kieubao.crisis.models import Crisis
from kieubao.crisis.schemas import SelfReportIn
from kieubao.platform import outbox, writer
from kieubao.platform.db import commit
from kieubao.platform.settings import get_settings
from kieubao.registry.models import Citizen

# Folded, spaces removed; the English ones answer in English.
KEYWORDS = {"oday": "vi", "toioday": "vi", "here": "en", "iamhere": "en", "imhere": "en"}
# A birth year or date as the last word: 1990, 05/04/1991, 1991-04-05.
_BIRTH = re.compile(r"^(\d{4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{2}-\d{2})$")
_NUMBER = re.compile(r"^#?(\d{1,6})$")
# Longer than a name: a message that starts with "Ở đây..." ("here...") about something else.
MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class HereMessage:
    language: str
    name: str  # as typed; "" when the keyword came alone
    birth: str | None
    crisis_number: int | None


def here_in(text: str) -> HereMessage | None:
    """The keyword and what follows it on the first line; None for any other message."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    words = line.split()
    for length in range(1, min(3, len(words)) + 1):
        language = KEYWORDS.get(keyword(" ".join(words[:length])))
        if language is not None:
            rest = words[length:]
            break
    else:
        return None
    number = None
    if rest and (found := _NUMBER.match(rest[0])):
        number, rest = int(found[1]), rest[1:]
    birth = None
    if rest and _BIRTH.match(rest[-1]):
        birth, rest = rest[-1], rest[:-1]
    return HereMessage(language, " ".join(rest), birth, number)


def names_no_one(message: HereMessage) -> bool:
    """Words after the keyword that are not a name: a message about something else."""
    return bool(message.name) and not 2 <= len(message.name.split()) <= MAX_NAME_WORDS


def register_by_sms(
    session: Session,
    *,
    sender: str,
    country: str | None,
    message: HereMessage,
    message_key: str,
    then: Callable[[str], None],
) -> str:
    """Put the sender on the roster, or answer why not; returns what was done ("here",
    "here_help", "here_no_crisis", "here_ask"), which ``then`` is also given before the
    commit. The answer is queued with the write."""
    open_crises = list(
        session.scalars(select(Crisis).where(Crisis.status == "open").order_by(Crisis.id))
    )
    if not open_crises:
        return _answer(session, then, "here_no_crisis", sender, message, message_key)
    crisis = _pick(open_crises, country, message.crisis_number)
    if crisis is None:
        return _answer(session, then, "here_ask", sender, message, message_key, crises=open_crises)
    data = _submission(session, sender, crisis, country, message)
    if data is None:
        return _answer(session, then, "here_help", sender, message, message_key, crisis=crisis)

    def keep_and_answer(session: Session) -> str:
        number = keep_self_report(crisis.id, data)(session)
        then("here")
        return _queue(session, "here", sender, message, message_key, crisis, f"SR-{number}")

    return writer.write(session, keep_and_answer)


def _pick(crises: list[Crisis], country: str | None, number: int | None) -> Crisis | None:
    if number is not None:
        return next((c for c in crises if c.id == number), None)
    if country and len(there := [c for c in crises if country.upper() in c.countries]) == 1:
        return there[0]
    return crises[0] if len(crises) == 1 else None


def _submission(
    session: Session, sender: str, crisis: Crisis, country: str | None, message: HereMessage
) -> SelfReportIn | None:
    """The form the message fills in; None when it names no one we can put on the roster."""
    name, birth = message.name, message.birth
    if names_no_one(message):
        return None
    if not name and (known := _registered(session, sender)) is not None:
        name, birth = known.full_name, known.birth_date_text or None
    where = country.upper() if country and country.upper() in crisis.countries else None
    try:
        return SelfReportIn(
            people=[{"full_name": name, "date_of_birth": birth}],
            phone="+" + re.sub(r"\D", "", sender),
            country=where or (crisis.countries[0] if crisis.countries else country or ""),
            status=None,
            note=f"SMS: {' '.join(message.name.split())[:200]}",
        )
    except ValidationError:
        return None


def _registered(session: Session, sender: str) -> Citizen | None:
    digits = re.sub(r"\D", "", sender)
    if len(digits) < PHONE_TAIL:
        return None
    return session.scalar(
        select(Citizen)
        .where(Citizen.phone_index.endswith(digits[-PHONE_TAIL:], autoescape=True))
        .order_by(Citizen.id)
        .limit(1)
    )


def _answer(
    session: Session,
    then: Callable[[str], None],
    outcome: str,
    sender: str,
    message: HereMessage,
    message_key: str,
    crisis: Crisis | None = None,
    crises: list[Crisis] | None = None,
) -> str:
    _queue(session, outcome, sender, message, message_key, crisis, "", crises or [])
    then(outcome)
    commit(session)
    return outcome


def _queue(
    session: Session,
    outcome: str,
    sender: str,
    message: HereMessage,
    message_key: str,
    crisis: Crisis | None,
    reference: str,
    crises: list[Crisis] | None = None,
) -> str:
    base = get_settings().base_url.rstrip("/")
    outbox.queue(
        session,
        send_key=f"here-sms-{message_key}",
        kind="here_sms",
        context={
            "outcome": outcome,
            "reference": reference,
            "title": crisis.title if crisis else "",
            "form": f"{base}/crises/{crisis.id}/here" if crisis else "",
            "crises": [(c.id, c.title) for c in crises or []],
        },
        messages=[
            outbox.Message(
                key=f"here-sms-{message_key}",
                channel="sms",
                address=sender,
                language=message.language,
            )
        ],
    )
    return outcome
