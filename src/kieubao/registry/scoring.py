"""How alike a typed name, birth date and country are to a registered person, in the open.

    score = 0.6 name + 0.3 birth date + 0.1 country

* name: the words are paired in any order, equal words first, then words one letter off
  (changed, dropped, added or two swapped). An equal word counts 1 (0.97 when both are
  typed with marks and the tones differ: "Ánh" is not "Anh"); a word one letter off
  counts 0.85 when it is no Vietnamese word itself ("Nguyne", "Ahn": a typo), 0.6 when it
  is one ("An" for "Anh": more likely another name); a middle name that one side leaves
  out counts 0.75. The sum is divided by the longer name's number of words.
* birth date: 1 equal; 0.85 day and month swapped, or equal under one reading of a date
  that reads both ways ("05/06/1990"); 0.6 agreeing as far as both go (the year, or year
  and month); 0.4 unknown on either side; 0 different.
* country: 1 the same, 0.5 not asked, 0 another.
"""

from dataclasses import dataclass
from operator import eq

from rapidfuzz.distance import DamerauLevenshtein

from kieubao.registry.dates import PartialDate
from kieubao.registry.names import MIDDLE_NAMES, is_syllable, tone_and_marks

TYPO = 0.85
OTHER_WORD = 0.6
MISSING_MIDDLE = 0.75
TONE = 0.03
DATE_SCORE = {"exact": 1.0, "swapped": 0.85, "partial": 0.6, "unknown": 0.4, "conflict": 0.0}

Words = tuple[tuple[str, str], ...]  # a name as names.read_name gives it: (word, token)


def combined(name: float, dates: str, same_country: bool | None) -> float:
    country = 0.5 if same_country is None else float(same_country)
    return round(0.6 * name + 0.3 * DATE_SCORE[dates] + 0.1 * country, 4)


def ceiling_one_off(words: int, dates: list[PartialDate], country_asked: bool) -> float:
    """The best score a record with a word a letter off could reach against a query."""
    best_date = "unknown"
    if dates:
        best_date = "exact" if any(d.day for d in dates) else "partial"
    return combined((words - 1 + TYPO) / words, best_date, True if country_asked else None)


@dataclass(frozen=True, slots=True)
class NameFit:
    score: float  # 0..1
    same: bool  # could be the same person's name
    flaws: int  # what was forgiven: a typo, a tone, middle names left out


def name_fit(query: Words, record: Words) -> NameFit:
    """How two names agree. They may be the same person's when at least two words pair
    up, at most one is a letter off (and then a typo, not another word), and whatever is
    left over, on one side only, is middle names: inside a registered name, or inside or a
    known middle name in a typed one ("Van An Nguyen")."""
    q, r = [token for _, token in query], [token for _, token in record]
    if not q or not r:
        return NameFit(0.0, False, 0)
    marked = any(tone_and_marks(w) for w, _ in query) and any(tone_and_marks(w) for w, _ in record)
    left_q, left_r = list(range(len(q))), list(range(len(r)))
    total, edits, typos, tones = 0.0, 0, 0, 0
    for one_off in (False, True):
        for i in list(left_q):
            j = next((j for j in left_r if (_one_off if one_off else eq)(q[i], r[j])), None)
            if j is None:
                continue
            left_q.remove(i)
            left_r.remove(j)
            if one_off:
                typo = not (is_syllable(q[i]) and is_syllable(r[j]))
                total += TYPO if typo else OTHER_WORD
                edits += 1
                typos += typo
            elif marked and tone_and_marks(query[i][0]) != tone_and_marks(record[j][0]):
                total += 1.0 - TONE
                tones += 1
            else:
                total += 1.0
    middles = [at for at in left_r if 0 < at < len(r) - 1]
    middles += [at for at in left_q if 0 < at < len(q) - 1 or q[at] in MIDDLE_NAMES]
    left_out = not (left_q and left_r) and len(middles) == len(left_q) + len(left_r)
    same = len(q) - len(left_q) >= 2 and left_out and edits <= 1 and typos == edits
    credit = MISSING_MIDDLE * len(middles) if left_out else 0.0
    score = round((total + credit) / max(len(q), len(r)), 4)
    return NameFit(score, same, edits + tones + bool(middles))


def _one_off(a: str, b: str) -> bool:
    return min(len(a), len(b)) >= 2 and DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1


def date_agreement(readings: list[PartialDate], born: PartialDate | None) -> str:
    """exact, swapped, partial, unknown or conflict (see the module's doc)."""
    if not readings or born is None:
        return "unknown"
    found = "conflict"
    for r in readings:
        if r.year != born.year:
            continue
        if None in (r.month, r.day, born.month, born.day):
            if r.month is None or born.month is None or r.month == born.month:
                found = "partial" if found == "conflict" else found
        elif (r.month, r.day) == (born.month, born.day) and len(readings) == 1:
            return "exact"
        elif (born.month, born.day) in ((r.month, r.day), (r.day, r.month)):
            found = "swapped"
    return found
