"""Case search: what an officer types, with or without tones, finds the cases it names.

Every word of a case's number, people, phone numbers, vessel or company and description is
folded the way names are read (``name_tokens``: no tones, đ→d, lower, Telex/VNI undone) and
stored as a keyed digest in ``protection_case_tokens`` with the fields it stands in, as the
registry keeps its name keys: equal words meet, the words are not there to read. A name's
words also leave their prefixes of ``PREFIX_MIN`` letters or more, so the last word typed
may be unfinished: "tran thi hu" does not find Trần Thị Hương, "tran thi huo" does. A new
case's words are written when it is settled (``actions.settling``), seconds after its intake,
not by the intake itself, which a surge waits for; its number finds it at once.

A query asks for the cases holding all its words. The rarest word leads: its rows are read
newest first (a mission's search skips other missions' rows there), each case checked for
the other words by primary key; a common surname among the words costs little. At most
``MAX_MATCHES`` cases are ranked: the number asked first, then cases where every word is in
a name, then the others, newest first in each.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, func, select, update
from sqlalchemy.orm import Session, selectinload

from kieubao.platform.crypto import keyed_token
from kieubao.platform.db import insert_rows
from kieubao.platform.models import User
from kieubao.protection.models import Case, CaseToken
from kieubao.protection.queries import jurisdiction, visible
from kieubao.registry.names import name_tokens

# Where a word stands, as bits of ``CaseToken.fields``.
NUMBER = 1
SUBJECT = 2
REPORTER = 4
ENTITY = 8  # a vessel or a company: its name or registration
DESCRIPTION = 16
WHOLE = 32  # the word itself, not only the start of a longer one
NAMED = NUMBER | SUBJECT | REPORTER | ENTITY

# The intake fields that name a vessel, a company or an employer.
ENTITY_FIELDS = (
    "vessel_name",
    "registration_number",
    "company_name",
    "company_registration",
    "employer",
)
PREFIX_MIN = 3
PHONE_DIGITS = 9  # a phone's last digits: the same with or without +84 or a leading 0
MAX_WORDS = 8
MAX_MATCHES = 200
# A word's cases are counted among the newest this many: the search reads newest first, so
# what leads best is the word that is rarest there, and counting stays cheap however common.
RECENT = 10_000

_NUMBER = re.compile(r"BH-?(\d{4})-?(\d{1,6})")
_PHONE = re.compile(r"\+?[\d\s().-]+")


@dataclass(frozen=True)
class CaseText:
    """What a case is found by."""

    number: str
    mission_id: int | None
    subjects: Sequence[str] = ()
    reporters: Sequence[tuple[str, str]] = ()  # (name, phone)
    details: Mapping[str, str] = field(default_factory=dict)
    description: str = ""


def case_text(case: Case) -> CaseText:
    return CaseText(
        number=case.number,
        mission_id=case.mission_id,
        subjects=[s.full_name for s in case.subjects],
        reporters=[(r.name, r.phone) for r in case.reporters],
        details=case.details,
        description=case.description,
    )


def _phone_word(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone)
    return digits[-PHONE_DIGITS:] if len(digits) >= 8 else None


def words(text: CaseText) -> dict[str, int]:
    """Each folded word (and name prefix) of a case with the bits of where it stands."""
    found: dict[str, int] = {}

    def add(word: str, bits: int) -> None:
        found[word] = found.get(word, 0) | bits

    def add_name(text: str, bits: int) -> None:
        for token in name_tokens(text):
            add(token, bits | WHOLE)
            for end in range(PREFIX_MIN, len(token)):
                add(token[:end], bits)

    sequence = text.number.rpartition("-")[2]
    if sequence.isdigit():
        add(sequence, NUMBER | WHOLE)
        add(str(int(sequence)), NUMBER | WHOLE)
    for name in text.subjects:
        add_name(name, SUBJECT)
    for name, phone in text.reporters:
        add_name(name, REPORTER)
        if digits := _phone_word(phone):
            add(digits, REPORTER | WHOLE)
    for key in ENTITY_FIELDS:
        if value := text.details.get(key):
            add_name(value, ENTITY)
    for token in name_tokens(text.description):
        add(token, DESCRIPTION | WHOLE)
    return found


def token_rows(case_id: int, text: CaseText) -> list[tuple[int, int, int | None, int]]:
    """The index rows of one case (``TOKEN_COLUMNS``), for an insert (the bulk loader writes
    the same)."""
    rows: dict[int, int] = {}
    for word, bits in words(text).items():
        token = keyed_token(word)
        rows[token] = rows.get(token, 0) | bits
    mission = text.mission_id
    return [(t, case_id, mission, bits) for t, bits in rows.items()]


TOKEN_COLUMNS = ("token", "case_id", "mission_id", "fields")
_DROP_TOKENS = delete(CaseToken).where(CaseToken.case_id.in_(bindparam("indexed", expanding=True)))


def index_case(session: Session, case_id: int, text: CaseText) -> None:
    """Replace a case's index rows, in the caller's transaction."""
    index_cases(session, [(case_id, text)])


def index_cases(session: Session, cases: list[tuple[int, CaseText]]) -> None:
    """Replace the index rows of cases, in the caller's transaction: settling indexes a
    whole batch of new cases at once."""
    connection = session.connection()
    connection.execute(_DROP_TOKENS, {"indexed": [case_id for case_id, _text in cases]})
    rows = [row for case_id, text in cases for row in token_rows(case_id, text)]
    insert_rows(connection, CaseToken.__tablename__, TOKEN_COLUMNS, rows)


def reindex(session: Session, case: Case) -> None:
    """After a change to what a case is found by: its people, reporters or description."""
    session.flush()
    index_case(session, case.id, case_text(case))


def rehome(session: Session, case: Case) -> None:
    """After the case moved to another mission."""
    session.flush()
    session.execute(
        update(CaseToken).where(CaseToken.case_id == case.id).values(mission_id=case.mission_id)
    )


def reindex_all(session: Session, *, batch: int = 1000) -> int:
    """Build the index of every case again (after an upgrade); returns how many."""
    done, last = 0, 0
    while ids := list(
        session.scalars(select(Case.id).where(Case.id > last).order_by(Case.id).limit(batch))
    ):
        cases = session.scalars(
            select(Case)
            .where(Case.id.in_(ids))
            .options(selectinload(Case.subjects), selectinload(Case.reporters))
        )
        for case in cases:
            index_case(session, case.id, case_text(case))
        session.commit()
        done, last = done + len(ids), ids[-1]
    return done


@dataclass(frozen=True)
class Term:
    token: int
    whole: bool  # must be a word of the case, not the start of one


@dataclass(frozen=True)
class Query:
    number: str | None
    terms: tuple[Term, ...]


def parse(text: str) -> Query:
    """A case number (BH-2026-000123), a phone number, or words; the last word may be
    unfinished."""
    compact = "".join(text.split()).upper()
    if number := _NUMBER.fullmatch(compact):
        return Query(f"BH-{number[1]}-{int(number[2]):06d}", ())
    if _PHONE.fullmatch(text.strip()) and (phone := _phone_word(text)):
        return Query(None, (Term(keyed_token(phone), True),))
    tokens = list(dict.fromkeys(name_tokens(text)))[:MAX_WORDS]
    last = len(tokens) - 1
    return Query(None, tuple(Term(keyed_token(t), at < last) for at, t in enumerate(tokens)))


@dataclass(frozen=True)
class Found:
    ids: list[int]  # the page, best first
    more: bool  # a next page follows
    capped: bool  # more cases matched than were ranked


def find(session: Session, user: User, text: str, *, offset: int = 0, limit: int = 50) -> Found:
    """The cases in the reader's scope that the text names, ranked, one page of them."""
    query = parse(text)
    mission = jurisdiction(user)
    if query.number is not None:
        hit = session.scalar(select(Case.id).where(Case.number == query.number, visible(user)))
        return Found([hit] if hit is not None and offset == 0 else [], False, False)
    if not query.terms:
        return Found([], False, False)
    matches: list[tuple[int, ...]] = [
        tuple(row) for row in session.execute(_matches(session, query.terms, mission))
    ]
    ranked = sorted(matches, key=lambda row: (_tier(row[1:]), -row[0]))
    page = [row[0] for row in ranked[offset : offset + limit]]
    return Found(page, len(ranked) > offset + limit, len(ranked) >= MAX_MATCHES)


def _tier(bits: Iterable[int]) -> int:
    bits = list(bits)
    if all(b & NUMBER for b in bits):
        return 0
    return 1 if all(b & NAMED for b in bits) else 2


def _rarest_first(session: Session, terms: Sequence[Term], mission: int | None) -> list[Term]:
    since = (session.scalar(select(func.max(Case.id))) or 0) - RECENT
    recent = select(func.count()).where(CaseToken.case_id > since)
    if mission is not None:
        recent = recent.where(CaseToken.mission_id == mission)

    def seen(term: Term) -> int:
        return session.scalar(recent.where(CaseToken.token == term.token)) or 0

    return sorted(terms, key=seen)


def _matches(session: Session, terms: Sequence[Term], mission: int | None) -> Select[Any]:
    """The newest MAX_MATCHES cases of the mission (None: all) holding every term, each with
    the bits of each term. The mission is read on the leading word's rows: no case is read."""
    lead, *others = _rarest_first(session, terms, mission) if len(terms) > 1 else list(terms)
    tables = [CaseToken.__table__.alias(f"t{at}") for at in range(len(terms))]
    first = tables[0]
    query = (
        select(first.c.case_id, *(t.c.fields for t in tables))
        .select_from(first)
        .where(first.c.token == lead.token)
    )
    if mission is not None:
        query = query.where(first.c.mission_id == mission)
    for table, term in zip(tables[1:], others, strict=True):
        query = query.join(
            table, and_(table.c.token == term.token, table.c.case_id == first.c.case_id)
        )
    for table, term in zip(tables, [lead, *others], strict=True):
        if term.whole:
            query = query.where(table.c.fields.op("&")(WHOLE) != 0)
    return query.order_by(first.c.case_id.desc()).limit(MAX_MATCHES)
