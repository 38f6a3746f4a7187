"""Who read which sensitive record and why, and the break-glass way into a record outside
one's jurisdiction.

Every time a member of staff opens a protection case, a citizen's identity and status, or a
roster member's needs, one row is added to the access log. The row goes through the group
writer (one insert sharing a commit with the requests of the same moment), not through the
audit chain: the chain's head row serialises everyone who appends to it, and reads outnumber
writes by far. Break-glass grants and their reviews are writes and are chained.

A record outside an officer's jurisdiction still reads as absent, so its existence leaks to
no one browsing; an officer who needs it in an emergency names it by its reference and gives
a reason. That opens it for :data:`GRANT_FOR`, marks every read under it, and puts the grant
on headquarters' review list. Domains tell the platform how to find their records by
reference with :func:`register_kind`.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from kieubao.platform import audit, writer
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Conflict, Invalid, NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import BreakGlassGrant, RecordRead, User

GRANT_FOR = timedelta(hours=1)
MIN_REASON = 30


@dataclass(frozen=True)
class Target:
    """A record a domain found by its reference, and where it is read."""

    kind: str
    record_id: str
    url: str


@dataclass(frozen=True)
class Kind:
    label: Callable[[], str]
    resolve: Callable[[Session, str], Target | None]


_kinds: dict[str, Kind] = {}


def register_kind(
    kind: str, label: Callable[[], str], resolve: Callable[[Session, str], Target | None]
) -> None:
    """Let officers break the glass on a domain's records, found by ``resolve(reference)``;
    ``label()`` names the reference in the viewer's language."""
    _kinds[kind] = Kind(label, resolve)


def kinds() -> dict[str, str]:
    return {kind: k.label() for kind, k in sorted(_kinds.items())}


def log_read(
    session: Session,
    user: User,
    *,
    kind: str,
    record_id: object,
    fields: str,
    citizens: Collection[int] = (),
    grant: BreakGlassGrant | None = None,
) -> None:
    """Note that ``user`` was shown a record's sensitive ``fields``; one row per citizen it is
    about, so each of them sees it. Call before showing: a read that is not logged is not
    shown."""
    at = utcnow()
    rows = [
        {
            "at": at,
            "user_id": user.id,
            "role": user.role.value,
            "mission_id": user.mission_id,
            "record_kind": kind,
            "record_id": str(record_id),
            "citizen_id": citizen_id,
            "fields": fields,
            "purpose": grant.reason if grant else "",
            "break_glass": grant is not None,
            "grant_id": grant.id if grant else None,
        }
        for citizen_id in _whose(citizens)
    ]
    writer.write(session, lambda s: s.execute(insert(RecordRead), rows))


def _whose(citizens: Collection[int]) -> list[int | None]:
    found: list[int | None] = [*sorted(set(citizens))]
    return found or [None]


def active_grant(
    session: Session, user: User, kind: str, record_id: object
) -> BreakGlassGrant | None:
    return session.scalar(
        select(BreakGlassGrant)
        .where(
            BreakGlassGrant.user_id == user.id,
            BreakGlassGrant.record_kind == kind,
            BreakGlassGrant.record_id == str(record_id),
            BreakGlassGrant.expires_at > utcnow(),
        )
        .order_by(BreakGlassGrant.id.desc())
        .limit(1)
    )


def break_glass(
    session: Session, *, acting_user: User, kind: str, reference: str, reason: str
) -> tuple[BreakGlassGrant, Target]:
    """Open a record outside the officer's jurisdiction for a while, on a stated reason."""
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise Invalid("reason", _("say why, in at least {n} characters").format(n=MIN_REASON))
    if kind not in _kinds:
        raise Invalid("kind", _("not a kind of record"))
    # The officer learns that the record exists, with their reason on record for review.
    target = _kinds[kind].resolve(session, reference.strip())
    if target is None:
        raise NotFound(_("record {reference}").format(reference=reference.strip()[:40]))
    now = utcnow()
    grant = BreakGlassGrant(
        user_id=acting_user.id,
        record_kind=target.kind,
        record_id=target.record_id,
        reason=reason[:1000],
        granted_at=now,
        expires_at=now + GRANT_FOR,
    )
    session.add(grant)
    session.flush()
    audit.record(
        session,
        acting_user,
        "break_glass.granted",
        "break_glass_grant",
        grant.id,
        after={"kind": grant.record_kind, "record": grant.record_id, "reason": grant.reason},
    )
    commit(session)
    return grant, target


def review(
    session: Session, *, acting_user: User, grant_id: int, justified: bool, note: str
) -> BreakGlassGrant:
    """Headquarters' verdict on one break-glass access."""
    grant = session.get(BreakGlassGrant, grant_id)
    if grant is None:
        raise NotFound(_("break-glass access {id}").format(id=grant_id))
    if grant.verdict is not None:
        raise Conflict(_("this access was already reviewed"))
    note = note.strip()
    if not justified and not note:
        raise Invalid("note", _("say why the access was not justified"))
    grant.verdict = "justified" if justified else "unjustified"
    grant.review_note = note[:1000]
    grant.reviewed_by_id = acting_user.id
    grant.reviewed_at = utcnow()
    audit.record(
        session,
        acting_user,
        "break_glass.reviewed",
        "break_glass_grant",
        grant.id,
        after={"verdict": grant.verdict, "note": grant.review_note},
    )
    commit(session)
    return grant


def grants(session: Session, *, pending: bool) -> list[tuple[BreakGlassGrant, int]]:
    """Break-glass accesses, newest first, each with how many reads were made under it."""
    reads = (
        select(func.count())
        .where(RecordRead.grant_id == BreakGlassGrant.id)
        .correlate(BreakGlassGrant)
        .scalar_subquery()
    )
    query = select(BreakGlassGrant, reads).order_by(BreakGlassGrant.id.desc()).limit(500)
    if pending:
        query = query.where(BreakGlassGrant.verdict.is_(None))
    return [(grant, n) for grant, n in session.execute(query)]


def viewings(session: Session, citizen_id: int, limit: int | None = 200) -> list[RecordRead]:
    """Staff reads of a citizen's data, newest first (the last ``limit``, or all)."""
    query = (
        select(RecordRead)
        .where(RecordRead.citizen_id == citizen_id)
        .order_by(RecordRead.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
