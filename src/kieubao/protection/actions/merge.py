"""Merging a duplicate case into the case that carries on."""

from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Conflict
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import User
from kieubao.protection import search
from kieubao.protection.models import OPEN, Case, CaseEvent, Status


def merge_cases(session: Session, *, acting_user: User, keep: Case, duplicate: Case) -> Case:
    """The duplicate's reporters, timeline, people and liaison move to ``keep``; the
    duplicate is closed with a pointer to it. Its reporters track ``keep`` with their PIN."""
    if keep.id == duplicate.id:
        raise Conflict(_("a case cannot be merged into itself"))
    if keep.status not in OPEN or duplicate.status not in OPEN:
        raise Conflict(_("only open cases can be merged"))
    moved = {
        "reporters": len(duplicate.reporters),
        "events": len(duplicate.events),
        "liaisons": len(duplicate.liaisons),
    }
    for reporter in list(duplicate.reporters):
        reporter.case = keep
    for event in list(duplicate.events):
        event.case = keep
    for liaison in list(duplicate.liaisons):
        liaison.case = keep
    known = {(s.name_key, s.date_of_birth, s.citizen_id) for s in keep.subjects}
    subjects = 0
    for subject in list(duplicate.subjects):
        if (subject.name_key, subject.date_of_birth, subject.citizen_id) not in known:
            subject.case = keep
            subjects += 1
    moved["subjects"] = subjects
    now = utcnow()
    before = duplicate.status
    duplicate.status = Status.closed
    duplicate.closed_at = now
    duplicate.merged_into_id = keep.id
    duplicate.events.append(
        CaseEvent(
            kind="merged_into",
            public=True,
            data={"into": keep.number, "before": str(before)},
            actor_id=acting_user.id,
        )
    )
    keep.events.append(
        CaseEvent(
            kind="merged_from",
            public=True,
            data={"from": duplicate.number, **moved},
            actor_id=acting_user.id,
        )
    )
    # Its people and reporters are found under the case that carries on.
    search.reindex(session, duplicate)
    search.reindex(session, keep)
    audit.record(
        session,
        acting_user,
        "case.merged",
        "case",
        duplicate.number,
        before={"status": str(before)},
        after={"into": keep.number, **moved},
    )
    commit(session)
    return keep
