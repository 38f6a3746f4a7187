"""Retention: personal data kept no longer than its purpose needs, rule by rule.

Each domain declares what it forgets and when (closed cases after some years, crisis rosters
some months after the crisis closed, delivered messages' addresses after some days); a daily
job applies every rule, and ``kieubao retention --dry-run`` says what each would do today.
Forgetting keeps the figures (a case's type, country and dates; a message's status): only the
personal fields go. Every run is audited with its counts, never with what was removed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from huey import crontab
from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, session_scope, utcnow
from kieubao.platform.jobs import job
from kieubao.platform.models import AuthSession, LoginLink
from kieubao.platform.outbox_models import OutboxMessage
from kieubao.platform.settings import get_settings

# Rows forgotten per transaction: small enough that other writers never wait long.
BATCH = 500
RETENTION = audit.System("retention")


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    # The ids due to be forgotten at ``now``, at most ``limit`` (None: all of them).
    due: Callable[[Session, datetime, int | None], list[int]]
    # Forget them, without the commit.
    forget: Callable[[Session, list[int]], None]


@dataclass(frozen=True)
class Outcome:
    rule: str
    description: str
    due: int
    forgotten: int


_rules: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    _rules[rule.name] = rule
    return rule


def rules() -> list[Rule]:
    return sorted(_rules.values(), key=lambda r: r.name)


def apply_rules(
    session: Session, *, acting_user: Actor, dry_run: bool, now: datetime | None = None
) -> list[Outcome]:
    """Every rule's count of what is due; unless ``dry_run``, forgotten too, batch by batch."""
    now = now or utcnow()
    outcomes = []
    for rule in rules():
        due = len(rule.due(session, now, None))
        forgotten = 0
        while not dry_run and (ids := rule.due(session, now, BATCH)):
            rule.forget(session, ids)
            forgotten += len(ids)
            audit.record(
                session,
                acting_user,
                "retention.forgotten",
                "rule",
                rule.name,
                after={"rows": len(ids)},
            )
            commit(session)
        outcomes.append(Outcome(rule.name, rule.description, due, forgotten))
    return outcomes


@job(schedule=crontab(hour="1", minute="30"))
def run_retention() -> None:
    """Every night: what has outlived its purpose is forgotten."""
    with session_scope() as session:
        apply_rules(session, acting_user=RETENTION, dry_run=False)


def _older(days: float, now: datetime) -> datetime:
    return now - timedelta(days=days)


def limited(session: Session, query: Select[int], limit: int | None) -> list[int]:
    return list(session.scalars(query.limit(limit) if limit else query))


# Sessions and one-time links are told apart by sign: links' ids are kept negative here.
def _ended_sessions(session: Session, now: datetime, limit: int | None) -> list[int]:
    before = _older(get_settings().retention_sessions_days, now)
    sessions = select(AuthSession.id).where(AuthSession.expires_at < before)
    links = select(-LoginLink.id).where(LoginLink.expires_at < before)
    return limited(session, sessions.order_by(AuthSession.id), limit) + limited(
        session, links.order_by(LoginLink.id), limit
    )


def _forget_sessions(session: Session, ids: list[int]) -> None:
    session.execute(delete(AuthSession).where(AuthSession.id.in_([i for i in ids if i > 0])))
    session.execute(delete(LoginLink).where(LoginLink.id.in_([-i for i in ids if i < 0])))


FORGOTTEN_ADDRESS = "—"


def _settled_messages(session: Session, now: datetime, limit: int | None) -> list[int]:
    query = select(OutboxMessage.id).where(
        OutboxMessage.updated_at < _older(get_settings().retention_outbox_days, now),
        OutboxMessage.status.not_in(["queued", "sending"]),
        OutboxMessage.address != FORGOTTEN_ADDRESS,
    )
    return limited(session, query.order_by(OutboxMessage.id), limit)


def _forget_messages(session: Session, ids: list[int]) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(address=FORGOTTEN_ADDRESS, body="", subject="")
    )


register(
    Rule(
        "platform.sessions",
        "sign-in sessions and one-time links ended more than the kept days ago",
        _ended_sessions,
        _forget_sessions,
    )
)
register(
    Rule(
        "platform.outbox",
        "addresses and texts of messages settled more than the kept days ago",
        _settled_messages,
        _forget_messages,
    )
)
