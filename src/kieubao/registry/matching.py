"""Person matching: who a name, a birth date and a country could be.

Candidates are found through blocking keys (``blocking``), so that a query reads a few
hundred rows however many millions are registered. A query makes the keys of every way it
can be read (surname first or last, a surname put right) and asks for the citizens sharing
the most of them; the one-letter-off keys are asked only when the first answer leaves the
question open. Each candidate is scored in the open (``scoring``).

``best`` is the first candidate when the system would bet on it: the same name and a
full birth date that agrees, at most one thing forgiven (a typo that is no word, a tone,
a middle name left out, day and month swapped or a date that reads both ways), in the
country asked about, and ahead of the second by ``MARGIN``. A namesake with another date,
or any name without a full date, is a candidate, never ``best``.
"""

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import bindparam, func, literal, select
from sqlalchemy.orm import Session

from kieubao.platform.countries import normalize_country
from kieubao.registry.blocking import GONE, day_key, digest, typed_anchors
from kieubao.registry.dates import PartialDate, parse_birth_date
from kieubao.registry.models import Citizen, NameKey
from kieubao.registry.names import deletions, read_name
from kieubao.registry.scoring import (
    NameFit,
    ceiling_one_off,
    combined,
    date_agreement,
    name_fit,
)

MAX_IDS = 300  # candidates read per pass, those sharing the most keys first
MARGIN = 0.04  # how far ahead of the second the best must be
# People matched in the same statements: their keys are two bound values each, and SQLite
# takes 32,766 in one statement.
MATCHED_TOGETHER = 100


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


_DAY_MONTH = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def parse_query_date(text: str | None) -> list[PartialDate]:
    """The readings of a typed birth date: none for an empty one, one ("1990", "1990-05",
    "17/05/1990", "05/17/1990"), or two when day and month could be either way round
    ("05/06/1990": 5 June as Vietnamese write it, then 6 May). ValueError says what is
    wrong with an impossible date ("31/02/1990 does not exist")."""
    if text is None or not text.strip():
        return []
    text = text.strip()
    if m := _DAY_MONTH.match(text):
        first, second, year = int(m[1]), int(m[2]), m[3]
        readings: list[PartialDate] = []
        for day, month in ((first, second), (second, first)):
            try:
                reading = parse_birth_date(f"{day:02d}/{month:02d}/{year}")
            except ValueError:
                continue
            if reading is not None and reading not in readings:
                readings.append(reading)
        if not readings:
            parse_birth_date(text)  # raises, saying why the day-first reading is impossible
        return readings
    reading = parse_birth_date(text)
    return [reading] if reading else []


@dataclass(frozen=True, slots=True)
class _Scored:
    candidate: Candidate
    name: NameFit
    dates: str

    @property
    def sure(self) -> bool:
        """A record a bet could fall on: the same name and full birth date, with at most
        one thing forgiven."""
        swapped = self.dates == "swapped"
        return (
            self.name.same and (self.dates == "exact" or swapped) and self.name.flaws + swapped <= 1
        )


class _Query:
    """A typed name, birth date and country, and the keys they are looked up by."""

    def __init__(self, name: str, readings: list[PartialDate], country: str | None) -> None:
        self.words = read_name(name)
        self.tokens = [token for _, token in self.words]
        self.readings = readings
        self.country = country
        self.anchors = typed_anchors(self.tokens) if self.tokens else set()
        years = sorted({r.year for r in readings})
        self.scopes = [*(f"y{y}" for y in years), "y?"] if readings else ["n"]

    def keys(self) -> set[str]:
        keys: set[str] = set()
        for scope in self.scopes:
            keys |= {f"{scope}={a.whole}" for a in self.anchors}
            keys |= {f"{scope}:{a.surname}:{a.given}" for a in self.anchors}
        for r in self.readings:
            if r.month and r.day:  # also the record that has day and month swapped
                days = {day_key(r.year, r.month, r.day), day_key(r.year, r.day, r.month)} - {None}
                keys |= {f"{day}:{token}" for day in days for token in self.tokens}
        return keys

    def one_off_keys(self) -> set[str]:
        """The given name a letter off, where the surname was not put right already: one
        typo is forgiven, not two."""
        typed = [a for a in self.anchors if a.typed]
        if self.readings:
            return {
                f"{scope}~{a.surname}:{form}"
                for scope in self.scopes
                for a in typed
                for form in deletions(a.given)
            }
        return {f"n~{a.surname}:{a.middle}:{form}" for a in typed for form in deletions(a.given)}

    def score(
        self,
        id_: int,
        ref: str | None,
        full_name: str,
        year: int | None,
        month: int | None,
        day: int | None,
        country: str,
    ) -> _Scored:
        born = PartialDate(year, month, day) if year else None
        fit = name_fit(self.words, read_name(full_name))
        dates = date_agreement(self.readings, born)
        same_country = None if self.country is None else country == self.country
        score = combined(fit.score, dates, same_country)
        text = str(born) if born else None
        return _Scored(Candidate(id_, ref, full_name, text, country, score), fit, dates)


class Wanted(NamedTuple):
    """A person to match: a typed name, birth date and country, and a record to leave out."""

    name: str
    date_of_birth: str | None = None
    country: str | None = None
    exclude: int | None = None


def match(
    session: Session,
    *,
    name: str,
    date_of_birth: str | None = None,
    country: str | None = None,
    limit: int = 10,
    exclude: int | None = None,
) -> MatchResult:
    """Who this could be: ranked candidates, and ``best`` when the system would bet on one."""
    [found] = match_many(session, [Wanted(name, date_of_birth, country, exclude)], limit=limit)
    return found


def match_many(session: Session, people: Sequence[Wanted], *, limit: int = 10) -> list[MatchResult]:
    """:func:`match` for many people at once, in four statements a hundred people: settling
    a surge's cases matches their people together."""
    return [
        result
        for start in range(0, len(people), MATCHED_TOGETHER)
        for result in _match_together(session, people[start : start + MATCHED_TOGETHER], limit)
    ]


def keys_read(person: Wanted) -> set[str]:
    """Every key a match for ``person`` may look up, those a letter off too: a record filed
    under none of them (:func:`~kieubao.registry.blocking.name_keys`) is never among its
    candidates. An import matches a batch's people together, then again alone only those
    who share a key with someone the batch has registered meanwhile."""
    query = _query(person)
    return query.keys() | query.one_off_keys()


def _query(person: Wanted) -> _Query:
    code = normalize_country(person.country) if person.country else None
    return _Query(person.name, parse_query_date(person.date_of_birth), code)


def _match_together(session: Session, people: Sequence[Wanted], limit: int) -> list[MatchResult]:
    queries = [_query(person) for person in people]
    excluded = [set() if p.exclude is None else {p.exclude} for p in people]
    scored = _read(session, queries, [q.keys() for q in queries], excluded)
    # The one-letter-off keys cost more reading: asked only when they could change the
    # answer, with nothing sure yet and fewer than `limit` candidates they cannot outrank.
    open_ = [
        i
        for i, (query, found) in enumerate(zip(queries, scored, strict=True))
        if not any(s.sure for s in found)
        and sum(
            s.candidate.score
            > ceiling_one_off(len(query.tokens), query.readings, query.country is not None)
            for s in found
        )
        < limit
    ]
    if open_:
        more = _read(
            session,
            [queries[i] for i in open_],
            [queries[i].one_off_keys() for i in open_],
            [excluded[i] | {s.candidate.id for s in scored[i]} for i in open_],
        )
        for i, found in zip(open_, more, strict=True):
            scored[i] += found
    results = []
    for query, found in zip(queries, scored, strict=True):
        found.sort(key=lambda s: (-s.candidate.score, s.candidate.id))
        results.append(
            MatchResult(_bet(found, query.country), [s.candidate for s in found[:limit]])
        )
    return results


def _read(
    session: Session, queries: list[_Query], keys: list[set[str]], skip: list[set[int]]
) -> list[list[_Scored]]:
    """Two statements for all the queries: each query's ids sharing the most of its keys
    (capped), then their rows, each scored for the queries that found it."""
    found: list[list[_Scored]] = [[] for _ in queries]
    ids: dict[int, list[int]] = {}
    for at, citizen_id in _ranked(session, keys):
        if citizen_id not in skip[at]:
            ids.setdefault(citizen_id, []).append(at)
    if not ids:
        return found
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
    )
    for row in rows:
        for at in ids[row.id]:
            found[at].append(queries[at].score(*row))
    return found


def _ranked(session: Session, keys: list[set[str]]) -> Iterable[tuple[int, int]]:
    """(query, citizen id) for the ``MAX_IDS`` citizens sharing the most of each query's
    keys, ties by id. A query alone is ranked by the database, with a LIMIT at which it stops
    reading; many are ranked here, from one read of who holds each of their keys."""
    if len(keys) == 1:
        if not keys[0]:
            return []
        ranked = (
            select(literal(0), NameKey.citizen_id)
            .where(NameKey.key.in_([digest(k) for k in keys[0]]))
            .group_by(NameKey.citizen_id)
            .order_by(func.count().desc(), NameKey.citizen_id)
            .limit(MAX_IDS)
        )
        return session.execute(ranked)
    asked = [{digest(k) for k in query_keys} for query_keys in keys]
    holders: dict[int, list[int]] = {}
    for key, citizen_id in session.execute(_HOLDERS, {"keys": sorted(set().union(*asked))}):
        holders.setdefault(key, []).append(citizen_id)
    found: list[tuple[int, int]] = []
    for at, digests in enumerate(asked):
        shared = Counter(c for d in digests for c in holders.get(d, ()))
        best = sorted(shared.items(), key=lambda held: (-held[1], held[0]))[:MAX_IDS]
        found += [(at, citizen_id) for citizen_id, _count in best]
    return found


_HOLDERS = select(NameKey.key, NameKey.citizen_id).where(
    NameKey.key.in_(bindparam("keys", expanding=True))
)


def _bet(scored: list[_Scored], country: str | None) -> Candidate | None:
    if not scored or not scored[0].sure:
        return None
    best = scored[0].candidate
    if country is not None and best.country != country:
        return None
    # Two records that agree (nearly) as well as each other: an officer must look.
    second = scored[1].candidate.score if len(scored) > 1 else 0.0
    return best if best.score - second >= MARGIN else None


def suspected_duplicates(
    session: Session, citizen: Citizen, found: MatchResult | None = None
) -> list[Candidate]:
    """Other records that may be this citizen, for an officer to decide: the same name and
    a full birth date that agrees (or swapped), in any country; on the birth year alone
    only when a single record shares name and year; never on a name alone. ``found`` is a
    match already made for the same name, date and country (an import asks it first)."""
    if found is None:
        found = match(
            session,
            name=citizen.full_name,
            date_of_birth=citizen.birth_date_text or None,
            country=citizen.country,
            limit=20,
            exclude=citizen.id,
        )
    born = _partial(citizen.birth_date_text)
    words = read_name(citizen.full_name)
    full, year_only = [], []
    for candidate in found.candidates:
        if candidate.id == citizen.id or not name_fit(words, read_name(candidate.full_name)).same:
            continue
        dates = date_agreement([born] if born else [], _partial(candidate.date_of_birth))
        if dates in ("exact", "swapped"):
            full.append(candidate)
        elif dates == "partial":
            year_only.append(candidate)
    return full or (year_only if len(year_only) == 1 else [])


def _partial(text: str | None) -> PartialDate | None:
    return PartialDate(*(int(part) for part in text.split("-"))) if text else None
