"""An erased citizen in the community work: as a delegate, an expert, an invitee, a
volunteer or an association's leader. The rows stay where events and directories count them
(an event's attendance, an association's size); who the person was goes."""

from collections.abc import Collection

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kieubao.community.models import Association, Delegate, Expert, Invitation, Volunteer
from kieubao.platform import audit
from kieubao.platform.audit import Actor

FORGOTTEN = "—"


def forget_person(
    session: Session, *, acting_user: Actor, citizen_id: int, addresses: Collection[str]
) -> int:
    """The rows touched. The caller commits (one erasure, one transaction)."""
    known = [a for a in addresses if a]
    touched = 0
    for delegate in session.scalars(
        select(Delegate).where(or_(Delegate.citizen_id == citizen_id, Delegate.email.in_(known)))
    ):
        delegate.full_name, delegate.email = FORGOTTEN, ""
        delegate.date_of_birth = delegate.city = delegate.organisation = None
        delegate.citizen_id = None
        touched += 1
    experts = list(
        session.scalars(
            select(Expert).where(or_(Expert.citizen_id == citizen_id, Expert.email.in_(known)))
        )
    )
    for expert in experts:
        expert.full_name, expert.consent_listing = FORGOTTEN, False
        expert.date_of_birth = expert.city = expert.email = expert.citizen_id = None
        expert.affiliations, expert.degrees, expert.contributions = [], [], []
        touched += 1
    for invitation in session.scalars(
        select(Invitation).where(
            or_(Invitation.expert_id.in_([e.id for e in experts]), Invitation.email.in_(known))
        )
    ):
        invitation.name, invitation.email = FORGOTTEN, None
        touched += 1
    for volunteer in session.scalars(
        select(Volunteer).where(or_(Volunteer.email.in_(known), Volunteer.phone.in_(known)))
    ):
        volunteer.full_name, volunteer.available = FORGOTTEN, False
        volunteer.email = volunteer.phone = volunteer.availability = None
        touched += 1
    for association in session.scalars(select(Association)):
        kept = [
            leader
            for leader in association.leaders
            if not {leader.get("email"), leader.get("phone")} & set(known)
        ]
        if len(kept) != len(association.leaders):
            association.leaders = kept
            touched += 1
    audit.record(
        session, acting_user, "community.person_forgotten", "citizen", citizen_id,
        after={"rows": touched},
    )  # fmt: skip
    return touched
