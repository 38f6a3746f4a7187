"""Retention of the platform's own personal data: ended sign-in sessions, settled messages;
the command says what is due before it forgets anything."""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from kieubao.platform import accounts, outbox
from kieubao.platform.db import utcnow
from kieubao.platform.models import AuthSession, User
from kieubao.platform.outbox import Message, OutboxMessage
from kieubao.platform.retention import apply_rules
from tests.personas import SYSTEM


def _by_rule(session: Session, *, dry_run: bool) -> dict[str, tuple[int, int]]:
    return {
        o.rule: (o.due, o.forgotten)
        for o in apply_rules(session, acting_user=SYSTEM, dry_run=dry_run)
    }


def test_ended_sessions_and_settled_messages_are_forgotten(
    session: Session, hq_officer: User
) -> None:
    for _ in range(2):
        accounts.start_session(session, user=hq_officer, stage="full")
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == min(session.scalars(select(AuthSession.id))))
        .values(expires_at=utcnow() - timedelta(days=60))
    )
    outbox.queue(
        session,
        send_key="notice-1",
        kind="notice",
        context={"title": "Cảnh báo", "text": "Bão số 3"},
        messages=[Message("notice-1:a", "email", "an@example.vn", "vi", {"name": "An"})],
    )
    session.execute(
        update(OutboxMessage).values(status="sent", updated_at=utcnow() - timedelta(days=400))
    )
    session.commit()

    due = _by_rule(session, dry_run=True)
    assert due["platform.sessions"] == (1, 0) and due["platform.outbox"] == (1, 0)
    done = _by_rule(session, dry_run=False)
    assert done["platform.sessions"] == (1, 1) and done["platform.outbox"] == (1, 1)
    assert len(session.scalars(select(AuthSession)).all()) == 1
    (message,) = session.scalars(select(OutboxMessage))
    assert (message.address, message.body, message.status) == ("—", "", "sent")


def test_the_command_runs_dry_first(session: Session) -> None:
    from kieubao.cli import build

    result = CliRunner().invoke(build(), ["retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "protection.closed_cases: due" in result.output
    assert "crisis.rosters: due" in result.output
