"""Volunteers, programs and contributions as community editors keep them."""

from sqlalchemy.orm import Session

from kieubao.community import queries
from kieubao.community.actions.rows import assign, fields_of
from kieubao.community.models import Contribution, Program, Volunteer
from kieubao.community.schemas import ContributionIn, ProgramIn, VolunteerIn
from kieubao.platform import audit
from kieubao.platform.db import commit
from kieubao.platform.models import User


def save_volunteer(
    session: Session, *, acting_user: User, data: VolunteerIn, volunteer: Volunteer | None = None
) -> Volunteer:
    if data.association_id is not None:
        queries.get_association(session, data.association_id)
    before = fields_of(volunteer, data) if volunteer else None
    volunteer = volunteer or Volunteer()
    assign(volunteer, data)
    session.add(volunteer)
    session.flush()
    audit.record(
        session,
        acting_user,
        "volunteer.saved",
        "volunteer",
        volunteer.id,
        before=before,
        after=fields_of(volunteer, data),
    )
    commit(session)
    return volunteer


def save_program(
    session: Session, *, acting_user: User, data: ProgramIn, program: Program | None = None
) -> Program:
    if data.association_id is not None:
        queries.get_association(session, data.association_id)
    before = fields_of(program, data) if program else None
    program = program or Program()
    assign(program, data)
    session.add(program)
    session.flush()
    audit.record(
        session,
        acting_user,
        "program.saved",
        "program",
        program.id,
        before=before,
        after=fields_of(program, data),
    )
    commit(session)
    return program


def save_contribution(
    session: Session,
    *,
    acting_user: User,
    data: ContributionIn,
    contribution: Contribution | None = None,
) -> Contribution:
    """A contribution names who made it: an expert or association of the directories when
    known."""
    if data.expert_id is not None:
        queries.get_expert(session, data.expert_id)
    if data.association_id is not None:
        queries.get_association(session, data.association_id)
    before = fields_of(contribution, data) if contribution else None
    contribution = contribution or Contribution()
    assign(contribution, data)
    session.add(contribution)
    session.flush()
    audit.record(
        session,
        acting_user,
        "contribution.saved",
        "contribution",
        contribution.id,
        before=before,
        after=fields_of(contribution, data),
    )
    commit(session)
    return contribution
