"""The people of a case in the registry: a subject the matcher did not find is registered."""

from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.db import commit
from kieubao.platform.errors import Conflict, NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.missions import directory
from kieubao.platform.models import User
from kieubao.protection.models import Case, CaseEvent, CaseSubject
from kieubao.registry import matching
from kieubao.registry.actions.registration import add_citizen
from kieubao.registry.schemas import CitizenIn


def register_subject(
    session: Session, *, acting_user: User, case: Case, subject_id: int
) -> CaseSubject:
    """Link the subject to the registry: to the citizen the matcher is now sure of, or to a
    new record made from what the case knows (name, birth date, country, city). The
    reporter's contacts are not copied: the reporter is someone else."""
    subject = next((s for s in case.subjects if s.id == subject_id), None)
    if subject is None:
        raise NotFound(_("person {id} of this case").format(id=subject_id))
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
