"""The audit chain: every write appends an entry whose hash covers the one before it.

Entries keep digests of the before/after state, never the personal data itself, so erasing
a person leaves the chain intact and verifiable.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Protocol

from sqlalchemy import ForeignKey, Integer, String, bindparam, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from kieubao.platform.crypto import digest
from kieubao.platform.db import Base, insert_values, utcnow

GENESIS = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(80), index=True)
    target_type: Mapped[str] = mapped_column(String(60))
    target_id: Mapped[str] = mapped_column(String(64), index=True)
    fields: Mapped[str] = mapped_column(String(2000), default="")
    before_digest: Mapped[str | None] = mapped_column(String(64))
    after_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row: the last sequence number and hash. Updating it serialises writers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))


class Actor(Protocol):
    """What the audit needs of whoever acts: users and system processes alike."""

    @property
    def id(self) -> int | None: ...

    @property
    def email(self) -> str: ...


@dataclass(frozen=True)
class System:
    """A process acting on its own (a job, the CLI without a user)."""

    email: str
    id: int | None = None


def _label(actor: Actor) -> str:
    """Officers by address; a citizen by account number only, since a chain entry can never
    be erased and a citizen's address must be, with the rest of their data."""
    if getattr(actor, "role", None) == "citizen":
        return f"citizen #{actor.id}"
    return actor.email


def state_digest(state: dict[str, Any] | None) -> str | None:
    if state is None:
        return None
    return digest(json.dumps(state, sort_keys=True, default=str, ensure_ascii=False).encode())


def _entry_hash(entry: Mapping[str, Any]) -> str:
    parts = [
        entry["prev_hash"],
        str(entry["seq"]),
        entry["at"].isoformat(),
        str(entry["actor_id"] or ""),
        entry["actor_label"],
        entry["action"],
        entry["target_type"],
        entry["target_id"],
        entry["fields"],
        entry["before_digest"] or "",
        entry["after_digest"] or "",
    ]
    return digest("\x1f".join(parts).encode())


# Plain statements, built once, on the session's connection: the audit entry is written beside
# every write, and building them (or the ORM's bookkeeping for the entry) would cost more
# than the inserts.
_ADVANCE = (
    update(AuditHead)
    .where(AuditHead.id == 1)
    .values(seq=AuditHead.seq + bindparam("by"))
    .returning(AuditHead.seq, AuditHead.hash)
)
_MOVE_HEAD = update(AuditHead).where(AuditHead.id == 1).values(hash=bindparam("new_hash"))
_COLUMNS = [c.key for c in AuditEntry.__table__.columns]


@dataclass(frozen=True)
class Entry:
    """One entry to append: who did what to which record, and the state before and after."""

    actor: Actor
    action: str
    target_type: str
    target_id: object
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def record(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: object,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> SimpleNamespace:
    """Append an entry to the chain, in the caller's transaction; returns what it holds."""
    return record_many(session, [Entry(actor, action, target_type, target_id, before, after)])[0]


def record_many(session: Session, entries: list[Entry]) -> list[SimpleNamespace]:
    """Append entries to the chain in three statements however many they are: the group
    writer's batch of cases is audited at once."""
    connection = session.connection()
    # The head row is created by the first migration.
    seq, prev = connection.execute(_ADVANCE, {"by": len(entries)}).one()
    seq -= len(entries)
    rows: list[dict[str, Any]] = []
    for entry in entries:
        changed = sorted(set(entry.before or {}) | set(entry.after or {}))
        if entry.before is not None and entry.after is not None:
            changed = [k for k in changed if entry.before.get(k) != entry.after.get(k)]
        seq += 1
        row: dict[str, Any] = {
            "seq": seq,
            "at": utcnow(),
            "actor_id": entry.actor.id,
            "actor_label": _label(entry.actor),
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": str(entry.target_id),
            "fields": ",".join(changed)[:2000],
            "before_digest": state_digest(entry.before),
            "after_digest": state_digest(entry.after),
            "prev_hash": prev,
        }
        row["hash"] = prev = _entry_hash(row)
        rows.append(row)
    insert_values(connection, AuditEntry, rows)
    connection.execute(_MOVE_HEAD, {"new_hash": prev})
    return [SimpleNamespace(**row) for row in rows]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    problem: str | None = None


def verify(session: Session, batch: int = 5000) -> Verdict:
    """Walk the chain; name the first entry that was edited, removed or reordered."""
    prev, expected_seq, checked = GENESIS, 1, 0
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return Verdict(False, checked, f"entry {expected_seq} is missing")
            if entry.prev_hash != prev:
                return Verdict(
                    False, checked, f"entry {entry.seq} does not follow entry {entry.seq - 1}"
                )
            if _entry_hash({c: getattr(entry, c) for c in _COLUMNS}) != entry.hash:
                return Verdict(False, checked, f"entry {entry.seq} was altered")
            prev, expected_seq, checked, last = entry.hash, entry.seq + 1, checked + 1, entry.seq
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != checked or head.hash != prev):
        return Verdict(False, checked, f"entries after {checked} are missing (head is {head.seq})")
    return Verdict(True, checked)
