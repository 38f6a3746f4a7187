"""Blocking keys: what a registered citizen is filed under, for matching to find them.

A citizen's keys (``name_keys``), stored in ``citizen_name_keys`` as their ``digest``:

* ``d``: the full birth date with each word of the name (1990-05-17 + nguyen). With a
  full date, however the name was typed one word is intact, so this alone finds the
  person; a birth date and a surname are shared by a few dozen people among millions.
* ``y``: the birth year with surname and given name (1990 nguyen an), and with all the
  words (1990 an nguyen van). Word order and a left-out middle name do not change them; a
  mistyped surname is put right from the closed list of surnames, and a mistyped given
  name meets the ``y~`` keys: surname with the given name less one letter (symmetric
  deletion: two words one edit apart share one such form).
* ``n``: the same without the year, for queries without one; ``n~`` keys also hold the
  middle names, since without a year surname and given name a letter off are too many.

A lone surname is never a key: "nguyen" is four people in ten.
"""

import hashlib
from datetime import date
from typing import NamedTuple

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from kieubao.registry.models import Citizen, NameKey, RecordStatus
from kieubao.registry.names import SURNAMES, deletions, name_tokens, near_surnames

# Records that keep no keys and are no one's match.
GONE = (RecordStatus.merged, RecordStatus.erased)


def digest(key: str) -> int:
    """The 64-bit number a key is stored as."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


class Anchor(NamedTuple):
    """One way to read a name: surname, given name, middle names (sorted), all words."""

    surname: str
    given: str
    middle: str
    whole: str
    typed: bool  # the surname as typed, not put right from the list of surnames


def _anchor(tokens: list[str], s_at: int, surname: str, g_at: int, typed: bool) -> Anchor:
    middle = sorted(t for at, t in enumerate(tokens) if at not in (s_at, g_at))
    whole = sorted([surname, *(t for at, t in enumerate(tokens) if at != s_at)])
    return Anchor(surname, tokens[g_at], " ".join(middle), " ".join(whole), typed)


def _anchors(tokens: list[str]) -> set[Anchor]:
    """A registered name: surname first, unless it ends with a surname and does not start
    with one ("An Van Nguyen" or "Van An Nguyen": both readings are kept)."""
    last = len(tokens) - 1
    if tokens[last] in SURNAMES and tokens[0] not in SURNAMES:
        return {_anchor(tokens, last, tokens[last], g, True) for g in (0, last - 1)}
    return {_anchor(tokens, 0, tokens[0], last, True)}


def typed_anchors(tokens: list[str]) -> set[Anchor]:
    """A typed name: either end may be the surname, a mistyped one put right; the given
    name is the other end, or the word before the surname ("Van An Nguyen")."""
    last = len(tokens) - 1
    if last == 0:
        return {_anchor(tokens, 0, tokens[0], 0, True)}
    found: set[Anchor] = set()
    for s_at, givens in ((0, (last,)), (last, (0, last - 1))):
        end = tokens[s_at]
        surnames = {end: True} if end in SURNAMES else dict.fromkeys(near_surnames(end), False)
        for surname, typed in surnames.items():
            found |= {_anchor(tokens, s_at, surname, g, typed) for g in givens if g != s_at}
    return found or {
        _anchor(tokens, 0, tokens[0], last, True),
        _anchor(tokens, last, tokens[last], 0, True),
    }


def day_key(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).strftime("d%Y%m%d")
    except ValueError:
        return None


def name_keys(
    full_name: str,
    birth_year: int | None,
    birth_month: int | None = None,
    birth_day: int | None = None,
) -> set[str]:
    """The blocking keys of a registered citizen (stored as ``digest(key)``)."""
    tokens = name_tokens(full_name)
    if not tokens:
        return set()
    year = f"y{birth_year or '?'}"  # a record without a year is found by every year
    keys: set[str] = set()
    for a in _anchors(tokens):
        keys |= {f"{year}={a.whole}", f"{year}:{a.surname}:{a.given}"}
        keys |= {f"n={a.whole}", f"n:{a.surname}:{a.given}"}
        keys |= {f"{year}~{a.surname}:{form}" for form in deletions(a.given)}
        keys |= {f"n~{a.surname}:{a.middle}:{form}" for form in deletions(a.given)}
    if birth_year and birth_month and birth_day:
        day = day_key(birth_year, birth_month, birth_day)
        keys |= {f"{day}:{token}" for token in tokens} if day else set()
    return keys


def index_citizen(session: Session, citizen: Citizen) -> None:
    """Replace the citizen's keys: after registration, a change of name or birth date, a
    merge or its undoing. A merged or erased record keeps none."""
    session.execute(delete(NameKey).where(NameKey.citizen_id == citizen.id))
    if citizen.status in GONE:
        return
    keys = name_keys(citizen.full_name, citizen.birth_year, citizen.birth_month, citizen.birth_day)
    if keys:
        rows = [{"citizen_id": citizen.id, "key": digest(k)} for k in sorted(keys)]
        session.execute(insert(NameKey), rows)
