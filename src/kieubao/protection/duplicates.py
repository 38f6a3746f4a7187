"""Reports of the same event that came in as separate cases: the same person (a close
folded name whose birth dates do not disagree) or the same vessel."""

import re
from dataclasses import dataclass
from datetime import timedelta

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform.models import User
from kieubao.platform.text import fold
from kieubao.protection.models import OPEN, Case, CaseSubject
from kieubao.protection.queries import visible

# Cases opened this far apart are still compared: relatives call days after the event.
WINDOW = timedelta(days=30)
# Folded-name similarity (0-100) from which two subjects may be the same person.
NAME_THRESHOLD = 88


@dataclass(frozen=True)
class Suggestion:
    case: Case
    reasons: tuple[str, ...]


def vessel_key(value: str) -> str:
    """A vessel's registration or name as compared: folded, letters and digits only, so
    "QNg-90123-TS" and "qng 90123 ts" are the same boat."""
    return re.sub(r"[^0-9a-z]", "", fold(value).casefold())


def _vessels(case: Case) -> set[str]:
    keys = {vessel_key(case.details.get(k, "")) for k in ("registration_number", "vessel_name")}
    return keys - {""}


def births_agree(a: str | None, b: str | None) -> bool:
    """Birth dates given as a year, a month or a day agree unless they say different things."""
    if not a or not b:
        return True
    return a.startswith(b) or b.startswith(a)


def same_person(a: CaseSubject, b: CaseSubject) -> bool:
    close = fuzz.token_sort_ratio(a.name_key, b.name_key) >= NAME_THRESHOLD
    return close and births_agree(a.date_of_birth, b.date_of_birth)


def reasons(case: Case, other: Case) -> tuple[str, ...]:
    found = []
    if any(same_person(a, b) for a in case.subjects for b in other.subjects):
        found.append("person")
    if _vessels(case) & _vessels(other):
        found.append("vessel")
    return tuple(found)


def suggestions(session: Session, user: User, case: Case) -> list[Suggestion]:
    """Other open cases of the same country the reader may see that look like this one."""
    if case.status not in OPEN:
        return []
    candidates = session.scalars(
        select(Case)
        .where(
            visible(user),
            Case.id != case.id,
            Case.country == case.country,
            Case.status.in_(OPEN),
            Case.created_at >= case.created_at - WINDOW,
            Case.created_at <= case.created_at + WINDOW,
        )
        .order_by(Case.id)
    )
    found = []
    for other in candidates:
        why = reasons(case, other)
        if why:
            found.append(Suggestion(other, why))
    return found
