"""Deciding suspected duplicates: merge (reversible), or say they are different people."""

import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Conflict, Invalid, NotFound
from kieubao.registry import blocking
from kieubao.registry.actions.registration import state
from kieubao.registry.models import (
    PERSONAL_FIELDS,
    Citizen,
    DuplicateSuspect,
    Merge,
    NameKey,
    RecordStatus,
)


def _blank(value: object) -> bool:
    return value is None or value == [] or getattr(value, "value", None) == "unknown"


def merge_citizens(
    session: Session, *, acting_user: Actor, survivor: Citizen, absorbed: Citizen
) -> Merge:
    """One person, one record: the absorbed record's facts fill the survivor's gaps."""
    if survivor.id == absorbed.id:
        raise Invalid("absorbed", "a record cannot be merged into itself")
    if RecordStatus.merged in (survivor.status, absorbed.status) or RecordStatus.erased in (
        survivor.status,
        absorbed.status,
    ):
        raise Conflict("only active records can be merged")
    before_survivor, before_absorbed = state(survivor), state(absorbed)
    snapshot = {field: getattr(survivor, field) for field in PERSONAL_FIELDS}
    moved = {}
    for field in PERSONAL_FIELDS:
        if _blank(getattr(survivor, field)) and not _blank(getattr(absorbed, field)):
            moved[field] = getattr(absorbed, field)
    # Unique columns move: the absorbed record gives them up first.
    for unique in ("external_ref", "user_id"):
        if unique in moved:
            setattr(absorbed, unique, None)
    session.flush()
    for field, value in moved.items():
        setattr(survivor, field, value)
    absorbed.status = RecordStatus.merged
    absorbed.merged_into_id = survivor.id
    merge = Merge(
        survivor_id=survivor.id,
        absorbed_id=absorbed.id,
        merged_at=utcnow(),
        merged_by_id=acting_user.id,
        survivor_before=json.dumps({"fields": snapshot, "moved": sorted(moved)}, default=str),
    )
    session.add(merge)
    _close_suspicion(session, acting_user, survivor.id, absorbed.id, "merged")
    session.flush()
    blocking.index_citizen(session, survivor)
    audit.record(
        session,
        acting_user,
        "citizen.merged",
        "citizen",
        survivor.id,
        before=before_survivor,
        after=state(survivor),
    )
    audit.record(
        session,
        acting_user,
        "citizen.absorbed",
        "citizen",
        absorbed.id,
        before=before_absorbed,
        after=state(absorbed),
    )
    commit(session)
    return merge


def undo_merge(session: Session, *, acting_user: Actor, merge: Merge) -> None:
    if merge.undone_at is not None:
        raise Conflict("this merge was already undone")
    survivor = session.get(Citizen, merge.survivor_id)
    absorbed = session.get(Citizen, merge.absorbed_id)
    if survivor is None or absorbed is None:
        raise NotFound("citizen")
    saved = json.loads(merge.survivor_before)
    before_survivor = state(survivor)
    for field in saved["moved"]:
        value = getattr(survivor, field)
        setattr(survivor, field, saved["fields"][field])
        if field in ("external_ref", "user_id"):
            session.flush()
        # The absorbed record gets back what it lent.
        setattr(absorbed, field, value)
    absorbed.status = RecordStatus.active
    absorbed.merged_into_id = None
    merge.undone_at = utcnow()
    low, high = sorted((survivor.id, absorbed.id))
    suspect = session.scalar(
        select(DuplicateSuspect).where(
            DuplicateSuspect.citizen_id == low, DuplicateSuspect.other_id == high
        )
    )
    if suspect is not None:
        suspect.status = "open"
    session.flush()
    blocking.index_citizen(session, survivor)
    blocking.index_citizen(session, absorbed)
    audit.record(
        session,
        acting_user,
        "citizen.merge_undone",
        "citizen",
        survivor.id,
        before=before_survivor,
        after=state(survivor),
    )
    commit(session)


def dismiss_duplicate(session: Session, *, acting_user: Actor, suspect: DuplicateSuspect) -> None:
    """Two different people who look alike; they are not suggested again."""
    if suspect.status != "open":
        raise Conflict(f"this suspicion is already {suspect.status}")
    _close_suspicion(session, acting_user, suspect.citizen_id, suspect.other_id, "dismissed")
    audit.record(session, acting_user, "duplicate.dismissed", "duplicate", suspect.id)
    commit(session)


def _close_suspicion(session: Session, actor: Actor, a: int, b: int, status: str) -> None:
    low, high = sorted((a, b))
    suspect = session.scalar(
        select(DuplicateSuspect).where(
            DuplicateSuspect.citizen_id == low, DuplicateSuspect.other_id == high
        )
    )
    if suspect is None:
        suspect = DuplicateSuspect(citizen_id=low, other_id=high, score=0.0, found_at=utcnow())
        session.add(suspect)
    suspect.status = status
    suspect.decided_by_id = actor.id
    suspect.decided_at = utcnow()


def drop_keys(session: Session, citizen: Citizen) -> None:
    session.execute(delete(NameKey).where(NameKey.citizen_id == citizen.id))
