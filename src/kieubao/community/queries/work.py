"""Volunteers, programs and contributions: the lists editors keep, the figures partners see."""

from decimal import Decimal

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from kieubao.community.models import Contribution, Program, Volunteer
from kieubao.community.schemas import Figures
from kieubao.platform.errors import NotFound


def get_volunteer(session: Session, volunteer_id: int) -> Volunteer:
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise NotFound("volunteer")
    return volunteer


def volunteers(
    session: Session,
    *,
    skill: str | None = None,
    country: str | None = None,
    countries: list[str] | None = None,
    available_only: bool = False,
) -> list[Volunteer]:
    """Volunteers by skill and place; crisis response asks for those available in the
    countries a crisis touches."""
    query = select(Volunteer).order_by(Volunteer.country, Volunteer.full_name)
    if country:
        query = query.where(Volunteer.country == country)
    if countries is not None:
        query = query.where(Volunteer.country.in_(countries))
    if available_only:
        query = query.where(Volunteer.available.is_(True))
    found = list(session.scalars(query))
    # Skills are a short JSON list per person: matched here the same way on both backends.
    return [v for v in found if skill in v.skills] if skill else found


def programs(
    session: Session, *, country: str | None = None, kind: str | None = None
) -> list[Program]:
    query = select(Program).order_by(Program.starts_on.desc(), Program.id)
    if country:
        query = query.where(Program.country == country)
    if kind:
        query = query.where(Program.kind == kind)
    return list(session.scalars(query))


def contributions(
    session: Session, *, country: str | None = None, kind: str | None = None
) -> list[Contribution]:
    query = select(Contribution).order_by(Contribution.made_on.desc(), Contribution.id)
    if country:
        query = query.where(Contribution.country == country)
    if kind:
        query = query.where(Contribution.kind == kind)
    return list(session.scalars(query))


def figures(session: Session, *, country: str | None = None) -> Figures:
    skills: dict[str, int] = {}
    for (listed,) in session.execute(select(Volunteer.skills).where(_in(Volunteer, country))):
        for skill in listed:
            skills[skill] = skills.get(skill, 0) + 1
    program_rows = session.execute(
        select(Program.kind, func.count(), func.coalesce(func.sum(Program.participants), 0))
        .where(_in(Program, country))
        .group_by(Program.kind)
    ).all()
    given: dict[str, int] = dict(
        session.execute(
            select(Contribution.kind, func.count())
            .where(_in(Contribution, country))
            .group_by(Contribution.kind)
        ).all()
    )
    amounts: dict[str, Decimal] = {
        str(currency): Decimal(total or 0)
        for currency, total in session.execute(
            select(Contribution.currency, func.sum(Contribution.amount))
            .where(_in(Contribution, country))
            .where(Contribution.currency.is_not(None))
            .group_by(Contribution.currency)
        ).all()
    }
    return Figures(
        volunteers_by_skill=dict(sorted(skills.items())),
        programs_by_kind={kind: count for kind, count, _ in program_rows},
        participants_by_kind={kind: int(total) for kind, _, total in program_rows},
        contributions_by_kind=given,
        amounts_by_currency=amounts,
    )


def _in(
    model: type[Volunteer | Program | Contribution], country: str | None
) -> ColumnElement[bool]:
    return model.country == country if country else true()
