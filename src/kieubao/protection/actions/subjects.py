"""The people of a case: a name put right, a subject the matcher did not find registered."""

from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.db import commit
from kieubao.platform.errors import Conflict, NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.missions import directory
from kieubao.platform.models import User
from kieubao.platform.text import fold, nfc
from kieubao.protection import search
from kieubao.protection.models import Case, CaseEvent, CaseSubject
from kieubao.protection.schemas import SubjectIn
from kieubao.registry import matching
from kieubao.registry.actions.registration import add_citizen
from kieubao.registry.schemas import CitizenIn


def _subject(case: Case, subject_id: int) -> CaseSubject:
    subject = next((s for s in case.subjects if s.id == subject_id), None)
    if subject is None:
        raise NotFound(_("person {id} of this case").format(id=subject_id))
    return subject


def correct_subject(
    session: Session, *, acting_user: User, case: Case, subject_id: int, data: SubjectIn
) -> CaseSubject:
    """A subject's name or birth date put right (a name misheard on the hotline): the case is
    found by the new name from now on, and no longer by the old one."""
    subject = _subject(case, subject_id)
    before = {"full_name": subject.full_name, "date_of_birth": subject.date_of_birth}
    subject.full_name = nfc(data.full_name)
    subject.name_key = fold(data.full_name)
    subject.date_of_birth = data.date_of_birth
    after = {"full_name": subject.full_name, "date_of_birth": subject.date_of_birth}
    case.events.append(
        CaseEvent(
            kind="subject_corrected",
            data={"before": before, "after": after},
            actor_id=acting_user.id,
        )
    )
    search.reindex(session, case)
    audit.record(
        session,
        acting_user,
        "case.subject_corrected",
        "case",
        case.number,
        before=before,
        after=after,
    )
    commit(session)
    return subject


def register_subject(
    session: Session, *, acting_user: User, case: Case, subject_id: int
) -> CaseSubject:
    """Link the subject to the registry: to the citizen the matcher is now sure of, or to a
    new record made from what the case knows (name, birth date, country, city). The
    reporter's contacts are not copied: the reporter is someone else."""
    subject = _subject(case, subject_id)
    if subject.citizen_id is not None:
        raise Conflict(_("this person is already linked to the registry"))
    found = matching.match(
        session, name=subject.full_name, date_of_birth=subject.date_of_birth, country=case.country
    )
    if found.best is not None:
        subject.citizen_id = found.best.id
        how = "matched"
    else:
        data = CitizenIn(
            full_name=subject.full_name,
            date_of_birth=subject.date_of_birth,
            country=case.country,
            city=case.city,
        )
        citizen = add_citizen(
            session,
            acting_user,
            data,
            source="protection",
            missions=directory(session),
            found=found,
        )
        subject.citizen_id = citizen.id
        how = "created"
    case.events.append(
        CaseEvent(
            kind="subject_registered",
            data={"subject": subject.full_name, "citizen": subject.citizen_id, "how": how},
            actor_id=acting_user.id,
        )
    )
    audit.record(
        session,
        acting_user,
        "case.subject_registered",
        "case",
        case.number,
        after={"subject": subject.id, "citizen": subject.citizen_id, "how": how},
    )
    commit(session)
    return subject
