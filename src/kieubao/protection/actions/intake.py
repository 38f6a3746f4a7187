"""Intake: every channel opens a case here, or adds its report to the case it repeats.

The report becomes a :class:`~kieubao.protection.actions.drafts.Draft`, which the group
writer writes with the others waiting beside it; what need not delay the answer is settled
afterwards (:mod:`~kieubao.protection.actions.settling`)."""

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kieubao.platform import writer
from kieubao.platform.audit import Actor
from kieubao.platform.models import Mission
from kieubao.platform.security import hash_pin
from kieubao.protection.actions.drafts import Draft, Taken
from kieubao.protection.models import (
    Case,
    Channel,
    Severity,
)
from kieubao.protection.schemas import CaseIn


@dataclass(frozen=True)
class Intake:
    case: Case
    pin: str
    appended: bool


def new_pin() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def open_case(
    session: Session,
    *,
    acting_user: Actor,
    report: CaseIn,
    channel: Channel,
    severity: Severity | None = None,
    mission: Mission | None = None,
    location: dict[str, float] | None = None,
) -> Intake:
    """A report becomes a case: triaged, routed to the mission, its procedure's deadlines set.

    A report of the same subject, type and country as an open case of the last days is
    added to that case instead; its reporter gets a PIN of their own for it. ``mission``
    overrides the routing by place; ``location`` (a shared position) stays with the report.

    The intake is the group writer's, so the answer comes once the case is on disk; the case
    is then read back, for the page that shows it. What need not delay the answer (the
    search's index of its words, the match to the registry, a life-at-risk escalation)
    follows in a job: see :func:`~kieubao.protection.actions.settling.settle`.
    """
    pin = new_pin()
    where = {"location": location} if location else None
    draft = Draft(acting_user, report, channel, severity, hash_pin(pin), mission, where)
    taken = writer.write(session, draft)
    return Intake(_loaded(session.get_one(Case, taken.case_id)), pin, taken.appended)


async def receive_report(
    *, acting_user: Actor, report: CaseIn, channel: Channel
) -> tuple[Taken, str]:
    """:func:`open_case` for a handler on the event loop whose answer is the case number and
    the PIN: no session and no thread of its own, and nothing read back."""
    pin = new_pin()
    draft = Draft(acting_user, report, channel, None, hash_pin(pin))
    return await writer.write_awaited(draft), pin


def admit(
    session: Session,
    *,
    acting_user: Actor,
    report: CaseIn,
    channel: Channel,
    severity: Severity | None = None,
    opened_data: dict[str, Any] | None = None,
    deduplicate: bool = True,
) -> Intake:
    """:func:`open_case` without the commit, for intake that keeps more in the same
    transaction (a message's files); ``opened_data`` is added to the event that records it.
    ``deduplicate=False`` when the subject's name is not known: strangers are not one case."""
    pin = new_pin()
    draft = Draft(
        acting_user, report, channel, severity, hash_pin(pin), None, opened_data, deduplicate
    )
    taken = draft(session)
    return Intake(session.get_one(Case, taken.case_id), pin, taken.appended)


def _loaded(case: Case) -> Case:
    """The case with what its page shows loaded: it is read after its session closed."""
    _ = case.mission, case.case_type
    return case
