"""The audit chain proves that no entry was edited or removed."""

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from kieubao.platform import audit
from kieubao.platform.audit import AuditEntry
from kieubao.platform.models import User

ACTOR = audit.System("tests")


def _entries(session: Session, n: int) -> None:
    for i in range(n):
        audit.record(session, ACTOR, "thing.done", "thing", i, after={"i": i})
    session.commit()


def test_an_untouched_chain_verifies(session: Session) -> None:
    start = audit.verify(session).checked
    _entries(session, 5)
    verdict = audit.verify(session)
    assert verdict.ok and verdict.checked == start + 5


def test_an_edited_entry_is_named(session: Session) -> None:
    _entries(session, 5)
    last = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()))
    assert last is not None
    session.execute(
        update(AuditEntry).where(AuditEntry.seq == last - 2).values(action="thing.hidden")
    )
    verdict = audit.verify(session)
    assert not verdict.ok
    assert verdict.problem == f"entry {last - 2} was altered"


def test_a_removed_entry_is_named(session: Session) -> None:
    _entries(session, 5)
    last = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()))
    assert last is not None
    session.execute(delete(AuditEntry).where(AuditEntry.seq == last - 1))
    assert audit.verify(session).problem == f"entry {last - 1} is missing"


def test_removing_the_newest_entries_is_noticed(session: Session) -> None:
    _entries(session, 3)
    last = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()))
    assert last is not None
    session.execute(delete(AuditEntry).where(AuditEntry.seq == last))
    verdict = audit.verify(session)
    assert not verdict.ok and "missing" in (verdict.problem or "")


def test_entries_keep_digests_not_personal_data(session: Session) -> None:
    entry = audit.record(
        session,
        ACTOR,
        "citizen.registered",
        "citizen",
        1,
        after={"full_name": "Nguyễn Văn An", "passport_no": "C1234567"},
    )
    assert "Nguyễn" not in repr(vars(entry))
    assert entry.fields == "full_name,passport_no"
    assert entry.after_digest is not None and len(entry.after_digest) == 64


def test_every_write_is_audited_with_who_did_it(session: Session, hq_officer: User) -> None:
    entry = session.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == "user.created")
        .order_by(AuditEntry.seq.desc())
    )
    assert entry is not None and entry.target_id == str(hq_officer.id)


@pytest.mark.parametrize("tamper", ["edit", "none"])
def test_the_command_exits_non_zero_on_a_broken_chain(session: Session, tamper: str) -> None:
    from kieubao.cli import build

    _entries(session, 3)
    if tamper == "edit":
        first = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()))
        session.execute(update(AuditEntry).where(AuditEntry.seq == first).values(target_id="x"))
    result = CliRunner().invoke(build(), ["audit", "verify"])
    if tamper == "edit":
        assert result.exit_code == 1
        assert "was altered" in result.output
    else:
        assert result.exit_code == 0, result.output
        assert "audit chain intact" in result.output
