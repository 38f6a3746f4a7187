"""Associations, experts and country profiles as community editors keep them."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.community.actions.rows import assign, fields_of
from kieubao.community.models import (
    Association,
    AssociationContact,
    CountryProfile,
    Expert,
    ProfileFigure,
)
from kieubao.community.schemas import AssociationIn, ContactIn, ExpertIn, ProfileIn
from kieubao.platform import audit
from kieubao.platform.db import commit
from kieubao.platform.models import User
from kieubao.registry import matching


def save_association(
    session: Session,
    *,
    acting_user: User,
    data: AssociationIn,
    association: Association | None = None,
) -> Association:
    before = fields_of(association, data) if association else None
    association = association or Association()
    assign(association, data)
    session.add(association)
    session.flush()
    audit.record(
        session,
        acting_user,
        "association.saved",
        "association",
        association.id,
        before=before,
        after=fields_of(association, data),
    )
    commit(session)
    return association


def log_contact(
    session: Session, *, acting_user: User, association: Association, data: ContactIn
) -> AssociationContact:
    """A meeting, call or letter with an association joins its history."""
    contact = AssociationContact(**data.model_dump(), recorded_by_id=acting_user.id)
    association.contacts.append(contact)
    session.flush()
    audit.record(
        session,
        acting_user,
        "association.contacted",
        "association",
        association.id,
        after={"contact_id": contact.id, "contacted_on": str(contact.contacted_on)},
    )
    commit(session)
    return contact


def save_expert(
    session: Session, *, acting_user: User, data: ExpertIn, expert: Expert | None = None
) -> Expert:
    """A registered citizen is linked to their record; anyone else is a person of Vietnamese
    origin listed on their own."""
    before = fields_of(expert, data) if expert else None
    expert = expert or Expert()
    assign(expert, data)
    found = matching.match(
        session, name=data.full_name, date_of_birth=data.date_of_birth, country=data.country
    )
    expert.citizen_id = found.best.id if found.best else None
    session.add(expert)
    session.flush()
    audit.record(
        session,
        acting_user,
        "expert.saved",
        "expert",
        expert.id,
        before=before,
        after=fields_of(expert, data) | {"citizen_id": expert.citizen_id},
    )
    commit(session)
    return expert


def save_profile(session: Session, *, acting_user: User, data: ProfileIn) -> CountryProfile:
    """One profile per country: saving again updates the estimate."""
    profile = session.scalar(select(CountryProfile).where(CountryProfile.country == data.country))
    before = fields_of(profile, data) if profile else None
    profile = profile or CountryProfile()
    assign(profile, data)
    session.add(profile)
    _keep_figure(session, data)
    session.flush()
    audit.record(
        session,
        acting_user,
        "community_profile.saved",
        "community_profile",
        profile.id,
        before=before,
        after=fields_of(profile, data),
    )
    commit(session)
    return profile


def _keep_figure(session: Session, data: ProfileIn) -> None:
    """Each estimate (year and source) joins the history once; a correction replaces it."""
    figure = session.scalar(
        select(ProfileFigure).where(
            ProfileFigure.country == data.country,
            ProfileFigure.year == data.size_year,
            ProfileFigure.source == data.size_source,
        )
    )
    figure = figure or ProfileFigure(
        country=data.country, year=data.size_year, source=data.size_source
    )
    figure.estimated_size = data.estimated_size
    session.add(figure)
