"""Key rotation: a new field key made current, then every encrypted column of every table
re-encrypted under it while the service runs.

The pass walks each table in primary-key order, a batch per transaction, and only touches
rows that still hold a token of another version, so a pass cut short is resumed by running
it again. Each row is rewritten only if it still holds the token that was read (compare and
set): a writer that changed it in between already wrote with the new key, and keeps its
change. Writers follow the new key within :data:`keyring.RELOAD_S`; the pass waits that long
before it starts and ends only when a last count finds no row on an older key.
"""

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    CursorResult,
    String,
    and_,
    bindparam,
    column,
    func,
    select,
)
from sqlalchemy import table as light_table
from sqlalchemy.orm import Session

from kieubao.platform import audit, keyring
from kieubao.platform.crypto import Encrypted, decrypt, encrypt
from kieubao.platform.db import Base, commit
from kieubao.platform.errors import Problem

BATCH = 500


class KeyProblem(Problem):
    status = 409
    title = "Key ring"


class Field:
    """One encrypted column, read and written as stored (tokens, not text)."""

    def __init__(self, table: str, name: str, key: str) -> None:
        self.name = name
        self.tokens = light_table(table, column(key), column(name, String))
        self.key: ColumnClause[Any] = self.tokens.c[key]
        self.raw: ColumnClause[Any] = self.tokens.c[name]


def fields() -> list[Field]:
    """Every encrypted column of every table loaded (the command loads every domain's models)."""
    found = []
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            if isinstance(col.type, Encrypted):
                (key,) = table.primary_key.columns  # a pass walks one key column
                found.append(Field(table.name, col.name, key.name))
    return found


def _on_version(raw: ColumnClause[Any], version: int) -> ColumnElement[bool]:
    if version == 1:
        return and_(raw.is_not(None), raw.not_like("v%:%"))
    return raw.like(f"{keyring.prefix(version)}%")


def _stale(raw: ColumnClause[Any], current: int) -> ColumnElement[bool]:
    """Tokens not written with the current key."""
    if current == 1:
        return raw.like("v%:%")
    return and_(raw.is_not(None), raw.not_like(f"{keyring.prefix(current)}%"))


def census(session: Session) -> dict[int, int]:
    """How many stored tokens each key version wrote, over every encrypted column."""
    counts: dict[int, int] = {}
    for f in fields():
        prefix = func.substr(f.raw, 1, 6)
        for head, n in session.execute(
            select(prefix, func.count())
            .select_from(f.tokens)
            .where(f.raw.is_not(None))
            .group_by(prefix)
        ):
            version, _ = keyring.split(str(head))
            counts[version] = counts.get(version, 0) + n
    return dict(sorted(counts.items()))


def stale_count(session: Session, current: int) -> int:
    total = 0
    for f in fields():
        total += (
            session.scalar(select(func.count()).select_from(f.tokens).where(_stale(f.raw, current)))
            or 0
        )
    return total


def _batches(
    session: Session, f: Field, current: int, size: int
) -> Iterator[list[tuple[object, str]]]:
    key, last = f.key, None
    while True:
        query = select(key, f.raw).where(_stale(f.raw, current)).order_by(key).limit(size)
        if last is not None:
            query = query.where(key > last)
        rows = [(k, str(token)) for k, token in session.execute(query)]
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def reencrypt(
    session: Session, *, size: int = BATCH, progress: Callable[[int], None] = lambda n: None
) -> int:
    """Rewrite every token of an older key under the current one; the rows rewritten."""
    current = keyring.ring().current
    done = 0
    for f in fields():
        rewrite = (
            f.tokens.update()
            .where(f.key == bindparam("row_key"), f.raw == bindparam("old"))
            .values({f.name: bindparam("new")})
        )
        for rows in _batches(session, f, current, size):
            changes = [{"row_key": k, "old": t, "new": encrypt(decrypt(t))} for k, t in rows]
            result = session.execute(rewrite, changes)
            assert isinstance(result, CursorResult)
            done += result.rowcount
            commit(session)
            progress(len(rows))
    return done


@dataclass(frozen=True)
class Rotation:
    version: int
    rewritten: int
    census: dict[int, int]


def make_current(session: Session, *, acting_user: audit.Actor, secret: str | None = None) -> int:
    """Add a key to the ring (given, or new) and make it the one writers use."""
    if secret is not None and len(secret) < 32:
        raise KeyProblem("a data key is at least 32 characters")

    def add(ring: keyring.Ring) -> keyring.Ring:
        version = max([1, *ring.keys, *ring.retired]) + 1
        return keyring.Ring(
            current=version,
            keys={**ring.keys, version: secret or secrets.token_urlsafe(32)},
            retired=ring.retired,
        )

    version = keyring.update(add).current
    audit.record(session, acting_user, "keys.rotated", "data_key", version)
    commit(session)
    return version


def rotate(
    session: Session,
    *,
    acting_user: audit.Actor,
    secret: str | None = None,
    resume: bool = False,
    size: int = BATCH,
    progress: Callable[[int], None] = lambda n: None,
    settle_s: float = keyring.RELOAD_S,
) -> Rotation:
    """A new current key (unless resuming a pass cut short), then every older token rewritten
    under it."""
    version = (
        keyring.ring().current
        if resume
        else make_current(session, acting_user=acting_user, secret=secret)
    )
    time.sleep(settle_s * 1.5)  # every process now writes with the new key
    rewritten = 0
    while stale_count(session, version):
        rewritten += reencrypt(session, size=size, progress=progress)
    return Rotation(version, rewritten, census(session))


def retire(session: Session, *, acting_user: audit.Actor, version: int) -> None:
    """Take a key out of the ring once nothing stored needs it."""
    ring = keyring.ring()
    if version == ring.current:
        raise KeyProblem(f"key {version} is the current key: rotate to a new one first")
    if version not in ring.versions:
        raise KeyProblem(f"key {version} is not in the ring")
    left = sum(
        session.scalar(
            select(func.count()).select_from(f.tokens).where(_on_version(f.raw, version))
        )
        or 0
        for f in fields()
    )
    if left:
        raise KeyProblem(f"{left} stored fields still use key {version}: run keys rotate --resume")

    def drop(now: keyring.Ring) -> keyring.Ring:
        if version == now.current:  # made current by a rotation started meanwhile
            raise KeyProblem(f"key {version} is the current key: rotate to a new one first")
        keys = {v: s for v, s in now.keys.items() if v != version}
        return keyring.Ring(now.current, keys, now.retired | {version})

    keyring.update(drop)
    audit.record(session, acting_user, "keys.retired", "data_key", version)
    commit(session)
