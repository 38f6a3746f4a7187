"""Person matching: who a name, a birth date and a country could be.

Candidates come from blocking keys (``citizen_name_keys``) so a query touches a few hundred
rows out of millions; each is then scored openly: names token by token (any order, a
missing middle name, one typo per word), birth dates (full, swapped day and month, year
only, missing) and country. ``best`` is set only when the system would bet on it: the
name agrees, the full birth date agrees, and no other record agrees as well. A namesake
with another date, or a name with no date, is a candidate and never ``best``.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from kieubao.platform.countries import normalize_country
from kieubao.platform.text import fold
from kieubao.registry.dates import PartialDate, parse_birth_date
from kieubao.registry.models import Citizen, NameKey, RecordStatus
from kieubao.registry.names import COMMON, deletions, name_tokens, vietnamese_order

MAX_CANDIDATES = 2000
GONE = (RecordStatus.merged, RecordStatus.erased)


def _hash(text: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


def _pairs(tokens: list[str]) -> set[str]:
    """Unordered pairs of words. A pair of two common words that leaves out the given name
    ("nguyen van") says little and is skipped; every pair with the given name is kept."""
    givens = {ordered[-1] for ordered in vietnamese_order(tokens)}
    found = set()
    for i, a in enumerate(tokens):
        for b in tokens[i + 1 :]:
            if a != b and (a in givens or b in givens or not (a in COMMON and b in COMMON)):
                found.add("|".join(sorted((a, b))))
    return found


def _typo_keys(tokens: list[str]) -> set[str]:
    """Surname with each one-deletion form of the given name, and the given name with each
    of the surname's: a typo in either still meets the record (symmetric deletion)."""
    found = set()
    for ordered in vietnamese_order(tokens):
        if len(ordered) >= 2:
            surname, given = ordered[0], ordered[-1]
            found |= {f"{surname}:{form}" for form in deletions(given)}
            found |= {f"{form}:{given}" for form in deletions(surname)}
    return found


def key_texts(tokens: list[str], year: int | None, country: str | None) -> set[str]:
    """Keys with the birth year for pairs of words and for typos; with the country for pairs
    only, as a fallback for queries without a date (typos there would match too widely)."""
    keys = set()
    if year is not None:
        keys |= {f"y{year}:{w}" for w in _pairs(tokens) | _typo_keys(tokens)}
    if country:
        keys |= {f"c{country}:{w}" for w in _pairs(tokens)}
    return keys


def name_keys(full_name: str, birth_year: int | None, country: str | None) -> set[int]:
    return {_hash(k) for k in key_texts(name_tokens(full_name), birth_year, country)}


def index_citizen(session: Session, citizen: Citizen) -> None:
    """Replace the citizen's keys (after registration or a change of name, date or country)."""
    session.execute(delete(NameKey).where(NameKey.citizen_id == citizen.id))
    keys = name_keys(citizen.full_name, citizen.birth_year, citizen.country)
    if keys:
        session.execute(insert(NameKey), [{"citizen_id": citizen.id, "key": k} for k in keys])


@dataclass(frozen=True)
class Candidate:
    id: int
    external_ref: str | None
    full_name: str
    date_of_birth: str | None
    country: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    best: Candidate | None
    candidates: list[Candidate]


_SEPARATED = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def parse_query_date(text: str | None) -> list[PartialDate]:
    """The readings of a typed date: one, or two when day and month could be either way
    round ("05/06/1990"). Empty for no date; ValueError for an impossible one."""
    if text is None or not text.strip():
        return []
    text = text.strip()
    readings: list[PartialDate] = []
    if m := _SEPARATED.match(text):
        first, second, year = int(m[1]), int(m[2]), m[3]
        for day, month in ((first, second), (second, first)):
            try:
                reading = parse_birth_date(f"{day:02d}/{month:02d}/{year}")
            except ValueError:
                continue
            if reading is not None and reading not in readings:
                readings.append(reading)
        if not readings:
            parse_birth_date(text)  # raises with the reason
        return readings
    reading = parse_birth_date(text)
    return [reading] if reading else []


def _word_score(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if min(len(a), len(b)) >= 3 and DamerauLevenshtein.distance(a, b) == 1:
        return 0.8
    return 0.0


def name_agreement(query: list[str], record: list[str]) -> tuple[float, bool]:
    """How well two names agree (0..1), and whether they could be the same person's: every
    word of the shorter name found in the longer, in any order, at most one edit each, and
    the difference no more than a middle name."""
    if not query or not record:
        return 0.0, False
    short, long_ = (query, record) if len(query) <= len(record) else (record, query)
    remaining = list(long_)
    total = 0.0
    for word in short:
        score, at = max(
            ((_word_score(word, other), i) for i, other in enumerate(remaining)), default=(0.0, -1)
        )
        if score == 0.0:
            return total / max(len(long_), 1) * 0.5, False
        total += score
        remaining.pop(at)
    # A dropped middle name costs a little; more than one unmatched word is another person.
    agreement = total / len(short) - 0.1 * len(remaining)
    return max(agreement, 0.0), len(remaining) <= 1 and len(short) >= 2


def date_agreement(readings: list[PartialDate], y: int | None, m: int | None, d: int | None) -> str:
    """exact, swapped, year, unknown or conflict."""
    if not readings or y is None:
        return "unknown"
    best = "conflict"
    for r in readings:
        if r.year != y:
            continue
        if r.month is None or m is None:
            best = "year" if best == "conflict" else best
        elif r.day is None or d is None:
            if r.month == m and best in ("conflict", "year"):
                best = "year"
        elif (r.month, r.day) == (m, d):
            return "exact"
        elif (r.month, r.day) == (d, m):
            best = "swapped"
    return best


DATE_SCORE = {"exact": 1.0, "swapped": 0.9, "year": 0.6, "unknown": 0.4, "conflict": 0.0}


def _text(y: int | None, m: int | None, d: int | None) -> str | None:
    return str(PartialDate(y, m, d)) if y is not None else None


def match(
    session: Session,
    *,
    name: str,
    date_of_birth: str | None = None,
    country: str | None = None,
    limit: int = 10,
    exclude: int | None = None,
) -> MatchResult:
    tokens = name_tokens(name)
    readings = parse_query_date(date_of_birth)
    code = normalize_country(country) if country else None
    seen: set[int] = set()
    scored: list[tuple[Candidate, bool, str, float]] = []
    # The birth year narrows most; the country is the fallback for a record or a query
    # without a date, and the exact name the last resort.
    rounds = [set().union(*(key_texts(tokens, r.year, None) for r in readings))] if readings else []
    rounds.append(key_texts(tokens, None, code))
    for keys in rounds:
        ids = [i for i in _candidate_ids(session, keys, exclude) if i not in seen]
        scored += _score(session, ids, tokens, readings, code)
        seen.update(ids)
        if any(same_name for _, same_name, _, _ in scored):
            break
    if not scored and code is None and not readings:
        ids = list(
            session.scalars(
                select(Citizen.id).where(Citizen.name_folded == fold(name)).limit(MAX_CANDIDATES)
            )
        )
        scored = _score(session, ids, tokens, readings, code)
    scored.sort(key=lambda s: (-s[0].score, s[0].id))
    return MatchResult(_bet(scored), [s[0] for s in scored[:limit]])


def _score(
    session: Session,
    ids: list[int],
    tokens: list[str],
    readings: list[PartialDate],
    code: str | None,
) -> list[tuple[Candidate, bool, str, float]]:
    if not ids:
        return []
    rows = session.execute(
        select(
            Citizen.id,
            Citizen.external_ref,
            Citizen.full_name,
            Citizen.birth_year,
            Citizen.birth_month,
            Citizen.birth_day,
            Citizen.country,
        ).where(Citizen.id.in_(ids), Citizen.status.not_in(GONE))
    ).all()
    scored = []
    for row in rows:
        agreement, same_name = name_agreement(tokens, name_tokens(row.full_name))
        dates = date_agreement(readings, row.birth_year, row.birth_month, row.birth_day)
        place = 1.0 if code is None or row.country == code else 0.0
        score = round(0.6 * agreement + 0.3 * DATE_SCORE[dates] + 0.1 * place, 4)
        candidate = Candidate(
            row.id,
            row.external_ref,
            row.full_name,
            _text(row.birth_year, row.birth_month, row.birth_day),
            row.country,
            score,
        )
        scored.append((candidate, same_name, dates, place))
    return scored


def _bet(scored: list[tuple[Candidate, bool, str, float]]) -> Candidate | None:
    sure = [
        c
        for c, same_name, dates, place in scored
        if same_name and dates in ("exact", "swapped") and place == 1.0
    ]
    # Two records that agree as well as each other: an officer must look, not the machine.
    return sure[0] if len(sure) == 1 else None


def _candidate_ids(session: Session, keys: Iterable[str], exclude: int | None) -> list[int]:
    hashed = [_hash(k) for k in keys]
    if not hashed:
        return []
    query = (
        select(NameKey.citizen_id).where(NameKey.key.in_(hashed)).distinct().limit(MAX_CANDIDATES)
    )
    ids = list(session.scalars(query))
    return [i for i in ids if i != exclude]


def suspected_duplicates(
    session: Session, citizen: Citizen, found: MatchResult | None = None
) -> list[Candidate]:
    """Other records that may be this person: the same name and a birth date that agrees
    (or one side has none). ``found`` is a match already made for the same name, date and
    country (an import asks first whether the person is registered)."""
    if found is None:
        found = match(
            session,
            name=citizen.full_name,
            country=citizen.country,
            limit=20,
            date_of_birth=citizen.birth_date_text or None,
            exclude=citizen.id,
        )
    tokens = name_tokens(citizen.full_name)
    return [
        candidate
        for candidate in found.candidates
        if candidate.id != citizen.id
        and candidate.score >= 0.85
        and name_agreement(tokens, name_tokens(candidate.full_name))[1]
    ]
