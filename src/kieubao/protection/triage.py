"""Auto-triage: a guess of the case type, severity and mission from what the reporter wrote.

The text is folded (no tones, đ→d, lower case), so "bị bắt" and "bi bat" read the same.
An officer confirms or corrects the guess; the corrections are kept beside it.
"""

import re
from dataclasses import dataclass
from functools import cache

from kieubao.platform.text import fold
from kieubao.protection.models import Severity
from kieubao.protection.queries import TypeRules

# Words that put a life at risk whatever the type.
LIFE_AT_RISK = (
    "nguy kich",
    "hap hoi",
    "tu tu",
    "bi danh dap",
    "cap cuu",
    "dang chay mau",
    "de doa giet",
    "life threatening",
    "dying",
    "suicide",
    "critical condition",
    "bleeding",
    "threatened to kill",
    "urgent medical",
)


@dataclass(frozen=True)
class Guess:
    case_type: str | None
    severity: Severity
    keywords: tuple[str, ...]


def _hits(folded: str, phrases: list[str] | tuple[str, ...]) -> list[str]:
    # A phrase's words are looked for as plain text first, which most reports rule out for
    # most phrases at a fraction of a word-bounded match's cost.
    return [p for p in phrases if _folded(p) in folded and _pattern(p).search(folded)]


@cache
def _folded(phrase: str) -> str:
    return fold(phrase)


@cache
def _pattern(phrase: str) -> re.Pattern[str]:
    """Compiled once: every report is read against every keyword of every type."""
    return re.compile(rf"\b{re.escape(_folded(phrase))}\b")


def guess(text: str, case_types: list[TypeRules]) -> Guess:
    """The type whose keywords the text names most (ties: the more urgent type), and its
    severity, raised to life-at-risk when the text says so."""
    folded = fold(text)
    best: tuple[int, int, TypeRules] | None = None
    matched: list[str] = []
    urgency = list(Severity)
    for case_type in case_types:
        hits = _hits(folded, case_type.keywords)
        if not hits:
            continue
        rank = (len(hits), -urgency.index(case_type.default_severity))
        if best is None or rank > best[:2]:
            best, matched = (*rank, case_type), hits
    severity = best[2].default_severity if best else Severity.information
    alarm = _hits(folded, LIFE_AT_RISK)
    if alarm:
        severity = Severity.life_at_risk
    return Guess(best[2].code if best else None, severity, tuple(matched + alarm))
